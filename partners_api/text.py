"""Text helpers: accent folding for search and slugs for identifiers."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case text and strip accents, so 'Université' and 'universite' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def slugify(text: str, *, max_length: int = 80) -> str:
    """Turn a name into a lower-case hyphenated slug of ASCII letters and digits."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "organization"
