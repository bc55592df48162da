"""The shape of the code: no function or method in partners_api is longer than 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "partners_api"
MAX_FUNCTION_LINES = 60


def long_functions(package: Path, limit: int) -> list[str]:
    """Each function or method of the package longer than `limit` lines, as file:line and length.

    A function counts from its first decorator (or its `def`) to its last line.
    """
    offenders = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = node.end_lineno - first + 1
                if length > limit:
                    where = f"{path.relative_to(package.parent)}:{first}"
                    offenders.append(f"{where} {node.name} is {length} lines")
    return offenders


@pytest.mark.database_independent
def test_no_function_is_longer_than_60_lines():
    offenders = long_functions(PACKAGE, MAX_FUNCTION_LINES)
    assert not offenders, f"longer than {MAX_FUNCTION_LINES} lines:\n" + "\n".join(offenders)


@pytest.mark.database_independent
def test_a_long_function_is_reported_with_its_place_and_length(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(5))
    (package / "module.py").write_text(
        f"def short():\n    return 1\n\n\n@staticmethod\n@property\ndef long():\n{body}"
    )
    assert long_functions(package, 8) == []
    assert long_functions(package, 7) == ["package/module.py:5 long is 8 lines"]
