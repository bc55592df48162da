"""Webhook subscriptions: who may manage which, their secrets, and their deliveries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.db import assign_changed, fetch_page, json_text, utcnow
from partners_api.errors import Conflict, Forbidden, NotFound, Unprocessable, unknown_values
from partners_api.keys.auth import Principal
from partners_api.organizations import service as organizations
from partners_api.webhooks.events import KNOWN_EVENT_TYPES
from partners_api.webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from partners_api.webhooks.signing import new_secret
from partners_api.webhooks.targets import check_target

# How long the secret a rotation replaced still signs, so receivers can switch without a gap.
PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)
EDITABLE = ("url", "event_types", "description", "active")


@dataclass(frozen=True)
class IssuedSecret:
    """A subscription with its new secret, shown this once."""

    subscription: WebhookSubscription
    secret: str


def create_subscription(
    session: Session, *, data: Mapping[str, Any], principal: Principal, allow_private: bool
) -> IssuedSecret:
    """Subscribe a URL to events of an organization (or, for admin, of the whole directory)."""
    organization_id = _owner_organization(session, data.get("organization_id"), principal)
    _check_event_types(data["event_types"])
    check_target(data["url"], allow_private=allow_private)
    subscription = WebhookSubscription(
        organization_id=organization_id,
        url=data["url"],
        event_types=sorted(set(data["event_types"])),
        description=data.get("description", ""),
        active=data.get("active", True),
        secret=new_secret(),
        created_by_key_id=principal.key_id,
    )
    changes.add_recorded(
        session,
        subscription,
        entity="webhook",
        fields=[name for name in (*EDITABLE, "organization_id") if name in data],
        actor_key_id=principal.key_id,
    )
    session.commit()
    return IssuedSecret(subscription, subscription.secret)


def _owner_organization(session: Session, requested: int | None, principal: Principal):
    """The organization a new subscription follows: the key's own, or any for admin."""
    if principal.is_admin:
        if requested is not None:
            try:
                organizations.get_organization(session, ref=requested)
            except NotFound:
                raise Unprocessable.field(
                    "organization_id", f"No organization {requested}."
                ) from None
        return requested
    if "org:write" not in principal.scopes or principal.organization_id is None:
        raise Forbidden("Webhooks need an admin key or an organization's own (org:write) key.")
    if requested is not None and requested != principal.organization_id:
        raise Forbidden(
            "An organization's key subscribes to its own organization's events only.",
            code="foreign_organization",
        )
    return principal.organization_id


def _check_event_types(event_types: list[str]) -> None:
    unknown = set(event_types) - set(KNOWN_EVENT_TYPES)
    if unknown:
        error = unknown_values(
            "event_types", unknown, f"Use any of: {', '.join(KNOWN_EVENT_TYPES)}."
        )
        error.code = "unknown_event_type"
        raise error


def list_subscriptions(
    session: Session,
    *,
    principal: Principal,
    organization: int | None = None,
    page: int,
    page_size: int,
) -> tuple[list[WebhookSubscription], int]:
    """A page of the subscriptions the caller may manage, by id."""
    query = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if not principal.is_admin:
        query = query.where(WebhookSubscription.organization_id == _own(principal))
    if organization is not None:
        query = query.where(WebhookSubscription.organization_id == organization)
    return fetch_page(session, query, page=page, page_size=page_size)


def _own(principal: Principal) -> int:
    if "org:write" not in principal.scopes or principal.organization_id is None:
        raise Forbidden("Webhooks need an admin key or an organization's own (org:write) key.")
    return principal.organization_id


def get_subscription(
    session: Session, *, subscription_id: int, principal: Principal
) -> WebhookSubscription:
    """One subscription the caller may manage; 404 when none, 403 for another organization's."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(f"No webhook {subscription_id}.")
    if not principal.is_admin and subscription.organization_id != _own(principal):
        raise Forbidden("This key manages only its own organization's webhooks.")
    return subscription


def update_subscription(
    session: Session,
    *,
    subscription: WebhookSubscription,
    data: Mapping[str, Any],
    principal: Principal,
    allow_private: bool,
) -> WebhookSubscription:
    """Change a subscription; turning it active again clears why it was disabled."""
    if "event_types" in data:
        _check_event_types(data["event_types"])
        data = {**data, "event_types": sorted(set(data["event_types"]))}
    if "url" in data:
        check_target(data["url"], allow_private=allow_private)
    changed = assign_changed(subscription, data, EDITABLE)
    if data.get("active") and subscription.disabled_reason is not None:
        subscription.disabled_reason = None
        subscription.failing_since = None
        subscription.retry_at = None
        changed.append("disabled_reason")
    if changed:
        subscription.updated_at = utcnow()
    changes.record_update(
        session,
        entity="webhook",
        entity_id=subscription.id,
        fields=changed,
        actor_key_id=principal.key_id,
    )
    return subscription


def delete_subscription(
    session: Session, *, subscription: WebhookSubscription, principal: Principal
) -> None:
    """Delete a subscription and its deliveries."""
    changes.record(
        session,
        entity="webhook",
        entity_id=subscription.id,
        action="deleted",
        actor_key_id=principal.key_id,
    )
    session.delete(subscription)
    session.commit()


def rotate_secret(
    session: Session, *, subscription: WebhookSubscription, principal: Principal
) -> IssuedSecret:
    """Give a subscription a new secret; the old one also signs for 24 hours more."""
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = utcnow() + PREVIOUS_SECRET_VALIDITY
    subscription.secret = new_secret()
    subscription.updated_at = utcnow()
    changes.record(
        session,
        entity="webhook",
        entity_id=subscription.id,
        action="secret_rotated",
        fields=["secret"],
        actor_key_id=principal.key_id,
    )
    session.commit()
    return IssuedSecret(subscription, subscription.secret)


def list_deliveries(
    session: Session,
    *,
    subscription: WebhookSubscription,
    status: list[str] | None = None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[WebhookDelivery, WebhookEvent]], int]:
    """A page of a subscription's deliveries with their events, newest first."""
    query = (
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc())
    )
    if status:
        query = query.where(WebhookDelivery.status.in_(status))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(page_size).offset((page - 1) * page_size)).all()
    return [(row[0], row[1]) for row in rows], total or 0


def get_delivery(
    session: Session, *, subscription: WebhookSubscription, delivery_id: int
) -> tuple[WebhookDelivery, WebhookEvent]:
    """One delivery of a subscription with its event, or NotFound."""
    row = session.execute(
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.subscription_id == subscription.id,
        )
    ).first()
    if row is None:
        raise NotFound(f"No delivery {delivery_id} of webhook {subscription.id}.")
    return row[0], row[1]


def history(session: Session, *, subscription: WebhookSubscription, page: int, page_size: int):
    """A page of a subscription's change events (never a secret), newest first, and the total."""
    return changes.history(
        session, entity="webhook", entity_id=subscription.id, page=page, page_size=page_size
    )


def ping(
    session: Session, *, subscription: WebhookSubscription
) -> tuple[WebhookDelivery, WebhookEvent]:
    """Queue a `webhook.ping` event to the subscription, after what it is already due."""
    _refuse_inactive(subscription)
    now = utcnow()
    payload = {
        "type": "webhook.ping",
        "timestamp": now.isoformat(),
        "data": {"webhook": subscription.id},
    }
    event = WebhookEvent(event_type="webhook.ping", payload=json_text(payload))
    session.add(event)
    session.flush()
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        event_id=event.id,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.commit()
    return delivery, event


def _refuse_inactive(subscription: WebhookSubscription) -> None:
    if not subscription.active:
        raise Conflict(
            "The webhook is not active: make it active again (PATCH) to send deliveries.",
            code="webhook_inactive",
        )


def redeliver(
    session: Session, *, subscription: WebhookSubscription, delivery_id: int
) -> tuple[WebhookDelivery, WebhookEvent]:
    """Queue a delivery to be sent again now, with the same webhook-id."""
    delivery, event = get_delivery(session, subscription=subscription, delivery_id=delivery_id)
    _refuse_inactive(subscription)
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    subscription.retry_at = None
    session.commit()
    return delivery, event
