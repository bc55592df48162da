"""Routes of /webhooks: subscriptions, their secrets and their deliveries."""

from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.links import etag_links, link
from partners_api.api.pagination import page_of
from partners_api.changes.schemas import ChangeEventSchema
from partners_api.db import get_session
from partners_api.keys import auth
from partners_api.webhooks import service
from partners_api.webhooks.schemas import (
    DeliveryQueryArgsSchema,
    DeliverySchema,
    NewWebhookSchema,
    RotatedSecretSchema,
    WebhookCreateSchema,
    WebhookPatchSchema,
    WebhookQueryArgsSchema,
    WebhookSchema,
)

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Webhooks: events pushed to an organization's server, signed per Standard "
    "Webhooks, retried, never lost. An organization's own key manages its own; admin any.",
)

BY_ID = {"webhook_id": "$response.body#/id"}
GET = {"GetWebhook": link("getWebhook", "Read it again.", BY_ID)}
WRITE = etag_links(BY_ID, updateWebhook="Change", deleteWebhook="Delete")
DELIVERIES = {"ListWebhookDeliveries": link("listWebhookDeliveries", "Its deliveries.", BY_ID)}


def webhook_etag(subscription) -> dict:
    """The data an ETag of a subscription is computed from."""
    return {
        "webhook": subscription.id,
        "version": subscription.version,
        "active": subscription.active,
    }


def _allow_private() -> bool:
    return current_app.config["WEBHOOKS_ALLOW_PRIVATE"]


def _subscription(webhook_id: int):
    principal = auth.require_key()
    subscription = service.get_subscription(
        get_session(), subscription_id=webhook_id, principal=principal
    )
    return subscription, principal


def _shown(subscription, **extra) -> dict:
    shown = {name: getattr(subscription, name) for name in WebhookSchema().fields}
    return {**shown, **extra}


def delivery_view(delivery, event) -> dict:
    """A delivery as the API shows it, with its event's type and change."""
    shown = {name: getattr(delivery, name, None) for name in DeliverySchema().fields}
    return {**shown, "event_type": event.event_type, "change_id": event.change_event_id}


@blp.route("")
class WebhookViews(MethodView):
    """The subscriptions."""

    @blp.arguments(WebhookQueryArgsSchema, location="query")
    @blp.response(200, WebhookSchema(many=True))
    @blp.paginate()
    @blp.errors(403)
    @blp.doc(operationId="listWebhooks")
    def get(self, args, pagination_parameters):
        """List webhooks

        Those the key may manage: its own organization's, or every one for admin; by id.
        Never a secret.
        """
        principal = auth.require_key()
        return page_of(
            pagination_parameters,
            service.list_subscriptions,
            session=get_session(),
            principal=principal,
            **args,
        )

    @blp.etag
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, NewWebhookSchema)
    @blp.errors(403)
    @blp.doc(operationId="createWebhook")
    @blp.links(201, **GET, **WRITE, **DELIVERIES)
    def post(self, data):
        """Subscribe to events

        An https URL on a public address (checked now and at every delivery), the event
        types, and for admin optionally `organization_id` (none: the whole directory). The
        signing secret is in this answer only. 422 with code `invalid_url`,
        `private_address`, `unresolvable_host` or `unknown_event_type`; 403
        `foreign_organization` for another organization's events.
        """
        principal = auth.require_key()
        issued = service.create_subscription(
            get_session(), data=data, principal=principal, allow_private=_allow_private()
        )
        blp.set_etag(webhook_etag(issued.subscription))
        location = url_for("webhooks.WebhookByIdViews", webhook_id=issued.subscription.id)
        return _shown(issued.subscription, secret=issued.secret), {"Location": location}


@blp.route("/<int:webhook_id>")
@blp.etag
class WebhookByIdViews(MethodView):
    """One subscription."""

    @blp.response(200, WebhookSchema)
    @blp.errors(403, 404)
    @blp.doc(operationId="getWebhook")
    @blp.links(200, **WRITE, **DELIVERIES)
    def get(self, webhook_id):
        """Get a webhook

        Its target, event types and state (`disabled_reason` when the dispatcher gave up).
        """
        subscription, _ = _subscription(webhook_id)
        blp.set_etag(webhook_etag(subscription))
        return subscription

    @blp.arguments(WebhookPatchSchema)
    @blp.response(200, WebhookSchema)
    @blp.errors(403, 404)
    @blp.doc(operationId="updateWebhook")
    @blp.links(200, **GET, **WRITE)
    def patch(self, data, webhook_id):
        """Update a webhook

        With `If-Match`. `"active": true` turns a disabled one on again; its pending
        deliveries then go out in order.
        """
        subscription, principal = _subscription(webhook_id)
        blp.check_etag(webhook_etag(subscription))
        service.update_subscription(
            get_session(),
            subscription=subscription,
            data=data,
            principal=principal,
            allow_private=_allow_private(),
        )
        blp.set_etag(webhook_etag(subscription))
        return subscription

    @blp.response(204)
    @blp.errors(403, 404)
    @blp.doc(operationId="deleteWebhook")
    def delete(self, webhook_id):
        """Delete a webhook

        With `If-Match`; its deliveries go with it.
        """
        subscription, principal = _subscription(webhook_id)
        blp.check_etag(webhook_etag(subscription))
        service.delete_subscription(get_session(), subscription=subscription, principal=principal)


@blp.route("/<int:webhook_id>/rotate-secret")
class WebhookSecretViews(MethodView):
    """Rotating the signing secret."""

    @blp.response(200, RotatedSecretSchema)
    @blp.errors(403, 404)
    @blp.doc(operationId="rotateWebhookSecret")
    def post(self, webhook_id):
        """Rotate the signing secret

        The new secret is in this answer only. For 24 hours each delivery carries two
        signatures, by the new secret and the old, so receivers switch without a gap.
        """
        subscription, principal = _subscription(webhook_id)
        issued = service.rotate_secret(
            get_session(), subscription=subscription, principal=principal
        )
        return {
            "secret": issued.secret,
            "previous_secret_expires_at": subscription.previous_secret_expires_at,
        }


@blp.route("/<int:webhook_id>/deliveries")
class DeliveryViews(MethodView):
    """A subscription's deliveries."""

    @blp.arguments(DeliveryQueryArgsSchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate()
    @blp.errors(403, 404)
    @blp.doc(operationId="listWebhookDeliveries")
    def get(self, args, webhook_id, pagination_parameters):
        """List deliveries

        Newest first: status, attempts, the last attempt's answer and duration, the next
        attempt. Filter by `status`.
        """
        subscription, _ = _subscription(webhook_id)
        rows = page_of(
            pagination_parameters,
            service.list_deliveries,
            session=get_session(),
            subscription=subscription,
            **args,
        )
        return [delivery_view(delivery, event) for delivery, event in rows]


@blp.route("/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
class RedeliverViews(MethodView):
    """Sending one delivery again."""

    @blp.response(202, DeliverySchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="redeliverWebhookDelivery")
    def post(self, webhook_id, delivery_id):
        """Redeliver

        Queues the delivery to be sent again now, with the same `webhook-id` (receivers
        that already have it may drop it). 409 while the webhook is not active.
        """
        subscription, _ = _subscription(webhook_id)
        delivery, event = service.redeliver(
            get_session(), subscription=subscription, delivery_id=delivery_id
        )
        return delivery_view(delivery, event)


@blp.route("/<int:webhook_id>/ping")
class PingViews(MethodView):
    """A test event."""

    @blp.response(202, DeliverySchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="pingWebhook")
    def post(self, webhook_id):
        """Send a test event

        Queues a `webhook.ping` event (`{"type": "webhook.ping", "timestamp", "data":
        {"webhook": id}}`), signed like any other, after the deliveries already due; follow
        it in the deliveries list. 409 while the webhook is not active.
        """
        subscription, _ = _subscription(webhook_id)
        delivery, event = service.ping(get_session(), subscription=subscription)
        return delivery_view(delivery, event)


@blp.route("/<int:webhook_id>/history")
class WebhookHistoryViews(MethodView):
    """The change events of one subscription."""

    @blp.response(200, ChangeEventSchema(many=True))
    @blp.paginate()
    @blp.errors(403, 404)
    @blp.doc(operationId="listWebhookHistory")
    def get(self, webhook_id, pagination_parameters):
        """List a webhook's changes

        Newest first: created, updated (the fields named), secret rotated, disabled by the
        dispatcher. Never a secret.
        """
        subscription, _ = _subscription(webhook_id)
        return page_of(
            pagination_parameters, service.history, session=get_session(), subscription=subscription
        )
