"""Log records as JSON lines or text, each carrying the id of the request that wrote it."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from partners_api.observability.request_ids import current_request_id

APP_LOGGER = "partners_api"
HANDLER_NAME = "partners_api.observability"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request)s] %(message)s"

# Atoms of a gunicorn access record (its args) and the JSON fields they become.
ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
}


class RequestIdFilter(logging.Filter):
    """Attach `request_id` to every record: the current request's, or an access record's."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set the id and let the record through."""
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() or _access_atom(record, "{x-request-id}o")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: UTC time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a single line of JSON."""
        entry: dict[str, Any] = {
            "time": utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        entry.update(access_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """One line of text: UTC time, level, logger, [request id] and message."""

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        """Render the record, with `-` when it belongs to no request."""
        record.request = getattr(record, "request_id", None) or "-"
        return super().format(record)


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


class StderrHandler(logging.StreamHandler):
    """Write to whatever `sys.stderr` is when a record comes, as test captures replace it."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        """The current standard error."""
        return sys.stderr


def utc_iso(timestamp: float) -> str:
    """An ISO 8601 UTC time with milliseconds, such as 2025-01-31T12:00:00.123Z."""
    moment = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
    return moment.replace("+00:00", "Z")


def formatter_class(log_format: str) -> type[logging.Formatter]:
    """The formatter of a LOG_FORMAT value, json or text."""
    try:
        return FORMATTERS[log_format.strip().lower()]
    except KeyError:
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}") from None


def configure_logging(log_format: str) -> None:
    """Send the application's records to standard error in the format, replacing any earlier."""
    logger = logging.getLogger(APP_LOGGER)
    for handler in [h for h in logger.handlers if h.get_name() == HANDLER_NAME]:
        logger.removeHandler(handler)
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter_class(log_format)())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.propagate = False  # a root handler (gunicorn's) would print every line twice


def gunicorn_logging(log_format: str, level: str) -> dict[str, Any]:
    """A logging.config dictionary for gunicorn: access lines to stdout, the rest to stderr."""

    def stream_handler(stream: str) -> dict[str, Any]:
        return {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{stream}",
            "formatter": "default",
            "filters": ["request_id"],
        }

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": formatter_class(log_format)}},
        "filters": {"request_id": {"()": RequestIdFilter}},
        "handlers": {"stdout": stream_handler("stdout"), "stderr": stream_handler("stderr")},
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }


def access_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The request's method, path, status, size and duration when gunicorn logged an access."""
    if record.name != "gunicorn.access":
        return {}
    fields = {name: _access_atom(record, atom) for atom, name in ACCESS_FIELDS.items()}
    return {name: _number(value) for name, value in fields.items() if value is not None}


def _access_atom(record: logging.LogRecord, atom: str) -> Any:
    """One atom of a gunicorn access record, or None for other records or a missing atom."""
    if record.name != "gunicorn.access" or not isinstance(record.args, Mapping):
        return None
    value = record.args.get(atom)
    return None if value in (None, "-") else value


def _number(value: Any) -> Any:
    """Status codes and sizes as numbers, other atoms as they are."""
    return int(value) if isinstance(value, str) and value.isdigit() else value
