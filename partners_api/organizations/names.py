"""An organization's names in every language (ROR v2's shape), and the text they make searchable.

Each name is `{"value", "lang", "types"}`: `lang` an ISO 639-1 code or None, `types` a
sorted subset of label, alias and acronym. The display `name` is always among them as a
label, and the `acronym`, when there is one, as an acronym.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from anyascii import anyascii

from partners_api.text import fold

NAME_TYPES = ("label", "alias", "acronym")
MAX_NAMES = 50


def complete(
    names: Iterable[Mapping[str, Any]], *, name: str, acronym: str | None
) -> list[dict[str, Any]]:
    """The names with the display name as a label and the acronym as an acronym, once each.

    Names with the same value and language merge their types; the order given is kept,
    with the display name first when it was not given.
    """
    names = list(names)
    wanted = [(name, "label")] + ([(acronym, "acronym")] if acronym else [])
    missing = [
        {"value": value, "lang": None, "types": [type_]}
        for value, type_ in wanted
        if not any(n["value"] == value and type_ in n["types"] for n in names)
    ]
    merged: dict[tuple[str, str | None], dict[str, Any]] = {}
    for entry in [*missing, *names]:
        key = (entry["value"], entry.get("lang"))
        found = merged.setdefault(key, {"value": key[0], "lang": key[1], "types": []})
        found["types"] = sorted(set(found["types"]) | set(entry["types"]))
    return list(merged.values())


def renamed(
    names: Iterable[Mapping[str, Any]], *, type_: str, old: str | None, new: str | None
) -> list[dict[str, Any]]:
    """The names with `old` of a type replaced by `new` (or dropped when `new` is None)."""
    result = []
    for entry in names:
        if entry["value"] == old and type_ in entry["types"]:
            if new is None:
                rest = [t for t in entry["types"] if t != type_]
                if rest:
                    result.append({**entry, "types": rest})
                continue
            entry = {**entry, "value": new}
        result.append(dict(entry))
    return result


def searchable(names: Iterable[Mapping[str, Any]], *extra: str | None) -> str:
    """Folded text of every name, with its Latin transliteration, and of the extra text."""
    values = [entry["value"] for entry in names]
    romanized = [anyascii(v) for v in values if not v.isascii()]
    return fold(" ".join(filter(None, (*values, *romanized, *extra))))
