"""Secrets of subscriptions and signatures per the Standard Webhooks specification."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(
    signing_secrets: Iterable[str], *, message_id: str, at: datetime, body: bytes
) -> str:
    """The `webhook-signature` value: one `v1,<HMAC-SHA256>` per secret, space-separated."""
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
        for secret in signing_secrets
    )
