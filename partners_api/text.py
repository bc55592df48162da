"""Text helpers: accent folding for search and slugs for identifiers."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


class _WithoutMarks(dict):
    """For str.translate: a combining mark maps to None (dropped), anything else to itself;
    each character is looked up once, then remembered."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Lower-case text and strip accents, so 'Université' and 'universite' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = decomposed if decomposed.isascii() else decomposed.translate(_WITHOUT_MARKS)
    return " ".join(stripped.split())


def slugify(text: str, *, max_length: int = 80) -> str:
    """Turn a name into a lower-case hyphenated slug of ASCII letters and digits."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "organization"
