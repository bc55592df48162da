"""Marshmallow fields shared by the schemas: codes, trimmed text, safe timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
import pycountry
from marshmallow import fields


class TrimmedString(fields.String):
    """A string with surrounding white space removed before it is validated."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


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
