"""Settings read from the environment, in one place, with defaults."""

from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("PARTNERS_INSTANCE_DIR", "instance"))
DEFAULT_DATABASE_URL = f"sqlite:///{(INSTANCE_DIR / 'partners.db').as_posix()}"


def _bool(value: str | None, default: bool) -> bool:
    """Read a boolean environment value such as 'true', '1', 'no'."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    """Read an integer environment value, falling back to the default."""
    return int(value) if value not in (None, "") else default


def _list(value: str | None) -> list[str]:
    """Read a comma-separated environment value."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def from_environment(env: dict[str, str] | None = None) -> dict[str, object]:
    """Return the application settings taken from environment variables."""
    env = dict(os.environ if env is None else env)
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "DATABASE_ECHO": _bool(env.get("DATABASE_ECHO"), False),
        "MAX_CONTENT_LENGTH": _int(env.get("MAX_BODY_BYTES"), 1_048_576),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": env.get("LOG_FORMAT") or "text",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "partners-api"),
        "RATELIMIT_KEYED": env.get("RATELIMIT_KEYED", "1200 per minute"),
        "RATELIMIT_ANONYMOUS": env.get("RATELIMIT_ANONYMOUS", "300 per minute"),
        "CORS_ORIGINS": _list(env.get("CORS_ORIGINS")),
        "TRUSTED_PROXIES": _int(env.get("TRUSTED_PROXIES"), 0),
        "EXPORT_MAX_ROWS": _int(env.get("EXPORT_MAX_ROWS"), 1_000_000),
        "IMPORT_MAX_ROWS": _int(env.get("IMPORT_MAX_ROWS"), 200_000),
        "IMPORT_MAX_BYTES": _int(env.get("IMPORT_MAX_BYTES"), 200 * 1_048_576),
        **_webhook_settings(env),
    }


def _float(value: str | None, default: float) -> float:
    """Read a number of seconds, falling back to the default."""
    return float(value) if value not in (None, "") else default


def _webhook_settings(env: dict[str, str]) -> dict[str, object]:
    """Settings of the webhook dispatcher and of the targets subscriptions may name."""
    return {
        "WEBHOOKS_ALLOW_PRIVATE": _bool(env.get("WEBHOOKS_ALLOW_PRIVATE"), False),
        "WEBHOOKS_TIMEOUT_SECONDS": _float(env.get("WEBHOOKS_TIMEOUT_SECONDS"), 10.0),
        "WEBHOOKS_RETRY_BASE_SECONDS": _float(env.get("WEBHOOKS_RETRY_BASE_SECONDS"), 5.0),
        "WEBHOOKS_CONCURRENCY": _int(env.get("WEBHOOKS_CONCURRENCY"), 16),
        "WEBHOOKS_BATCH_SIZE": _int(env.get("WEBHOOKS_BATCH_SIZE"), 200),
        "WEBHOOKS_LEASE_SECONDS": _float(env.get("WEBHOOKS_LEASE_SECONDS"), 60.0),
        "WEBHOOKS_POLL_SECONDS": _float(env.get("WEBHOOKS_POLL_SECONDS"), 1.0),
    }
