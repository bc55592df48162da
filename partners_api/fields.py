"""Marshmallow fields shared by the schemas: codes, trimmed text, safe timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
import pycountry
from marshmallow import fields, validate

MAX_INTEGER = 2**63 - 1  # the largest integer SQLite and PostgreSQL's bigint store
TIME_EXAMPLE = "2025-03-04T10:15:02+00:00"  # the moment every timestamp example shows


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


class Code(fields.String):
    """A lower-case code or slug (region, topic), accepted in any case."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code, accepted in any case and returned upper-case."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise ma.ValidationError(f"'{value}' is not an ISO 3166-1 alpha-2 country code.")
        return code


class LanguageCode(fields.String):
    """An ISO 639-1 language code, accepted in any case and returned lower-case."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ma.ValidationError(f"'{value}' is not an ISO 639-1 language code.")
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


def not_after_this_year(year: int) -> None:
    """Refuse a year in the future (checked at each request, not at start-up)."""
    if year > datetime.now(UTC).year:
        raise ma.ValidationError("The year cannot be in the future.")
