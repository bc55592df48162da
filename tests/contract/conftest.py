"""Fixtures of the contract tests: the figures they report at the end of the run."""

from __future__ import annotations

import pytest

SUMMARIES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def fuzz_summaries(request: pytest.FixtureRequest) -> list[str]:
    """Lines the fuzzing tests report (cases run, time), printed after the run."""
    return request.config.stash.setdefault(SUMMARIES, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print what the fuzzing runs did, in CI's log too."""
    lines = config.stash.get(SUMMARIES, [])
    if lines:
        terminalreporter.section("contract")
        for line in lines:
            terminalreporter.write_line(line)
