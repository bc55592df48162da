"""Bearer API keys on requests: who is calling, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, request

from partners_api.db import get_session
from partners_api.errors import Forbidden, Unauthorized
from partners_api.keys import service as keys


@dataclass(frozen=True)
class Principal:
    """The caller of a request: anonymous, or the key it presented."""

    key_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    organization_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        """True when no key was presented."""
        return self.key_id is None

    @property
    def is_admin(self) -> bool:
        """True for a key with the admin scope."""
        return "admin" in self.scopes

    @property
    def is_convener(self) -> bool:
        """True for admin or a key with the dialogues:convene scope."""
        return self.is_admin or "dialogues:convene" in self.scopes

    def can_write_organization(self, organization_id: int) -> bool:
        """True for admin, or an org:write key bound to this organization."""
        return self.is_admin or (
            "org:write" in self.scopes and self.organization_id == organization_id
        )

    def can_read_contacts(self, organization_id: int) -> bool:
        """True for admin, read:contacts, or the organization's own key."""
        return (
            self.is_admin
            or "read:contacts" in self.scopes
            or (self.organization_id == organization_id and "org:write" in self.scopes)
        )


ANONYMOUS = Principal()


def current_principal() -> Principal:
    """Return the caller of this request, reading its bearer key once."""
    if "principal" not in g:
        g.principal = _authenticate()
    return g.principal


def _authenticate() -> Principal:
    header = request.headers.get("Authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send the key as 'Authorization: Bearer <key>'.", code="bad_credentials")
    session = get_session()
    key = keys.known_key(session, secret.strip())
    if key is None:
        raise Unauthorized("The API key is not valid or has been revoked.", code="bad_credentials")
    principal = Principal(key_id=key.id, scopes=key.scopes, organization_id=key.organization_id)
    keys.touch(session, key=key)
    return principal


def require_key() -> Principal:
    """Return the caller, or raise 401 when no key was presented."""
    principal = current_principal()
    if principal.is_anonymous:
        raise Unauthorized("This operation needs an API key.", code="missing_credentials")
    return principal


def require_admin() -> Principal:
    """Return the caller when it holds the admin scope; else 401 or 403."""
    principal = require_key()
    if not principal.is_admin:
        raise Forbidden("This operation needs a key with the admin scope.")
    return principal


def require_organization_writer(organization_id: int) -> Principal:
    """Return the caller when it may write this organization; else 401 or 403."""
    principal = require_key()
    if not principal.can_write_organization(organization_id):
        raise Forbidden("This key may not change this organization.")
    return principal


def require_convener() -> Principal:
    """Return the caller when it may convene dialogues (admin or dialogues:convene)."""
    principal = require_key()
    if not principal.is_convener:
        raise Forbidden("This operation needs a key with the dialogues:convene or admin scope.")
    return principal
