"""Marshmallow fields shared by the schemas: codes, trimmed text, safe timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import marshmallow as ma
import pycountry
from marshmallow import fields, validate

MAX_INTEGER = 2**31 - 1  # the largest id both databases store (PostgreSQL's integer)
TIME_EXAMPLE = "2025-03-04T10:15:02+00:00"  # the moment every timestamp example shows


# Text, everywhere in the API: any Unicode except NUL and the other control characters
# (tab, line feed and carriage return excepted), which the spec's pattern says, and lone
# surrogates (a JSON escape such as \uD800 with no pair), which no UTF-8 text holds and
# no database stores. The pattern leaves surrogates out: validators that read patterns as
# Unicode scalar values (Rust's, Go's) cannot compile a surrogate range.
CONTROL_CHARACTERS = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F"
TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"
_UNSTORABLE = re.compile(f"[{CONTROL_CHARACTERS}\ud800-\udfff]")
TEXT_MESSAGE = "Text may not hold control characters (but tab and line breaks) or lone surrogates."


def storable_text(text: str) -> None:
    """Refuse text with a control character (but tab and line breaks) or a lone surrogate."""
    if _UNSTORABLE.search(text):
        raise ma.ValidationError(TEXT_MESSAGE)


def json_schema_pattern(pattern: str) -> str:
    """A Python pattern that ends in \\Z, written for JSON Schema (which ends in $)."""
    return pattern.removesuffix(r"\Z") + "$"


class StrictBoolean(fields.Boolean):
    """A JSON boolean in a body: true or false, not 1, "yes" or "true"."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Id(fields.Integer):
    """An identifier: an integer from 1 to the largest a database stores.

    Strict (a JSON number, not a string) by default, as in bodies; query strings pass
    `strict=False`.
    """

    def __init__(self, *, strict: bool = True, **kwargs) -> None:
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_INTEGER))
        super().__init__(strict=strict, **kwargs)


class TrimmedString(fields.String):
    """A string with surrounding white space removed before it is validated.

    A maximum length holds for the text as sent too, as the spec's maxLength says.
    """

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        for validator in self.validators:
            if isinstance(validator, validate.Length):
                validator(text)
        return text.strip()


class PatternedString(fields.String):
    """A string whose form the spec shows as PATTERN; its own check says more on load."""

    PATTERN = ""

    def __init__(self, **kwargs) -> None:
        kwargs["metadata"] = {"pattern": self.PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(self.PATTERN.removesuffix("$"), text):
            raise self.make_error("form", input=value)
        return text


class Code(PatternedString):
    """A lower-case code or slug (region, topic), accepted in any case."""

    PATTERN = "^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$"
    default_error_messages = {"form": "'{input}' is not a code (letters, digits and hyphens)."}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).lower()


class CountryCode(PatternedString):
    """An ISO 3166-1 alpha-2 code, accepted in any case and returned upper-case."""

    PATTERN = "^[A-Za-z]{2}$"
    default_error_messages = {"form": "'{input}' is not an ISO 3166-1 alpha-2 country code."}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if pycountry.countries.get(alpha_2=code) is None:
            raise self.make_error("form", input=value)
        return code


class LanguageCode(PatternedString):
    """An ISO 639-1 language code, accepted in any case and returned lower-case."""

    PATTERN = "^[A-Za-z]{2}$"
    default_error_messages = {"form": "'{input}' is not an ISO 639-1 language code."}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).lower()
        if pycountry.languages.get(alpha_2=code) is None:
            raise self.make_error("form", input=value)
        return code


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 time (UTC when no offset is given) that can be expressed in UTC."""

    def __init__(self, **kwargs) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ma.ValidationError("The time is out of range.") from None


def require_storable_text(field: fields.Field) -> None:
    """Hold a string field, or the strings inside a list or mapping field, to TEXT_PATTERN.

    A field with a pattern or a list of choices of its own is left as it is: both are
    stricter than the rule, and the spec can show one pattern only.
    """
    if isinstance(field, fields.List):
        require_storable_text(field.inner)
    elif isinstance(field, fields.Tuple):
        for item in field.tuple_fields:
            require_storable_text(item)
    elif isinstance(field, fields.Mapping):
        for part in (field.key_field, field.value_field):
            if part is not None:
                require_storable_text(part)
    elif isinstance(field, fields.String) and not _restricted(field):
        field.validators.insert(0, storable_text)
        field.metadata["pattern"] = TEXT_PATTERN


def _restricted(field: fields.Field) -> bool:
    """Whether a field already has a pattern or choices."""
    return "pattern" in field.metadata or any(
        isinstance(v, validate.Regexp | validate.OneOf) for v in field.validators
    )


def not_after_this_year(year: int) -> None:
    """Refuse a year in the future (checked at each request, not at start-up)."""
    if year > datetime.now(UTC).year:
        raise ma.ValidationError("The year cannot be in the future.")
