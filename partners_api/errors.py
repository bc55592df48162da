"""Domain errors that services raise and the API turns into RFC 9457 problems."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class ProblemError(Exception):
    """An error with an HTTP status, a short machine code and a human detail."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, list[str]] | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})
        if code:
            self.code = code


class BadRequest(ProblemError):
    """The request is malformed."""

    status, code = 400, "bad_request"


class Unauthorized(ProblemError):
    """No credentials, or credentials that are not valid."""

    status, code = 401, "unauthorized"

    def __init__(self, detail: str, **kwargs) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="partners-api"'})
        super().__init__(detail, **kwargs)


class Forbidden(ProblemError):
    """Valid credentials without the right to do this."""

    status, code = 403, "forbidden"


class NotFound(ProblemError):
    """The resource does not exist."""

    status, code = 404, "not_found"


class Conflict(ProblemError):
    """The request conflicts with the current state of the resource."""

    status, code = 409, "conflict"


class PreconditionFailed(ProblemError):
    """The If-Match tag no longer matches: someone else changed the resource."""

    status, code = 412, "stale_etag"


class Unprocessable(ProblemError):
    """The request is well-formed but its values are not acceptable."""

    status, code = 422, "validation_error"

    @classmethod
    def field(cls, field: str, message: str, **kwargs) -> Unprocessable:
        """Build the error for one field and one message."""
        return cls(message, errors={field: [message]}, **kwargs)


def unknown_values(field: str, values: Iterable[str], hint: str) -> Unprocessable:
    """Build the 422 for filter or body values that name nothing known."""
    listed = ", ".join(sorted(set(values)))
    return Unprocessable.field(field, f"Unknown value(s): {listed}. {hint}", code="unknown_value")


class PreconditionRequired(ProblemError):
    """A write that must name the version it changes (If-Match) did not."""

    status, code = 428, "if_match_required"
