"""The dispatcher: follows the changes feed into deliveries, and sends them, signed.

At least once, in feed order per subscription: a subscription's deliveries go out one
after the other, and a failed one holds back those after it until it succeeds, the
subscription is disabled (failing for 3 days) or it is redelivered. Several dispatchers
share one PostgreSQL database: each takes subscriptions under a lease (claimed with
`FOR UPDATE SKIP LOCKED`), so no two send the same subscription's deliveries at once.
A dispatcher killed mid-batch leaves its deliveries pending; after the lease they are sent
again with the same webhook-id. SQLite serves one dispatcher.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.changes.models import ChangeEvent
from partners_api.db import Database, utcnow, write_intent
from partners_api.webhooks.events import Snapshot, event_type, preload_organizations
from partners_api.webhooks.models import (
    WebhookCursor,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from partners_api.webhooks.sender import Limits, Message, Outcome, send_in_order

log = logging.getLogger(__name__)

DISABLE_AFTER = timedelta(days=3)
MAX_RETRY_DELAY = timedelta(hours=6)
FEED_PAGE = 500
JITTER = random.SystemRandom()


@dataclass(frozen=True)
class Settings:
    """How the dispatcher works; read from the application's WEBHOOKS_* settings."""

    timeout: float = 10.0
    retry_base: float = 5.0
    concurrency: int = 16
    batch_size: int = 200
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0
    allow_private: bool = False

    @classmethod
    def from_config(cls, config) -> Settings:
        """The settings of an application's configuration."""
        return cls(
            timeout=config["WEBHOOKS_TIMEOUT_SECONDS"],
            retry_base=config["WEBHOOKS_RETRY_BASE_SECONDS"],
            concurrency=config["WEBHOOKS_CONCURRENCY"],
            batch_size=config["WEBHOOKS_BATCH_SIZE"],
            lease_seconds=config["WEBHOOKS_LEASE_SECONDS"],
            poll_seconds=config["WEBHOOKS_POLL_SECONDS"],
            allow_private=config["WEBHOOKS_ALLOW_PRIVATE"],
        )


@dataclass(frozen=True)
class Claim:
    """One subscription taken under a lease, with the deliveries to send now."""

    subscription_id: int
    url: str
    messages: list[Message]
    lease_owner: str


def retry_delay(attempts: int, base: float, rng: random.Random = JITTER) -> float:
    """Seconds before the next attempt: base x 2^(attempts-1), at most 6 h, with jitter.

    The jitter takes between half and all of the delay, so retries of many subscriptions
    that failed together spread out.
    """
    delay = min(base * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY.total_seconds())
    return delay * rng.uniform(0.5, 1.0)


class Dispatcher:
    """Fan-out of the feed into deliveries, and sending them with a pool of threads."""

    def __init__(
        self, database: Database, settings: Settings, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.owner = uuid.uuid4().hex
        self.limits = Limits(timeout=settings.timeout, allow_private=settings.allow_private)

    # --- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Dispatch until `stop` is set; in-flight batches finish first."""
        token = write_intent.set(True)  # SQLite: each transaction takes the write lock first
        try:
            with ThreadPoolExecutor(self.settings.concurrency, "webhook") as pool:
                in_flight: dict[Future, Claim] = {}
                while not stop.is_set():
                    self.step(pool, in_flight, wait_seconds=self.settings.poll_seconds)
                self._finish(in_flight)
        finally:
            write_intent.reset(token)

    def run_until_idle(self, *, max_seconds: float = 120) -> None:
        """Dispatch until nothing is left to send now (tests, benchmarks, the CLI's --once)."""
        token = write_intent.set(True)
        deadline = time.monotonic() + max_seconds
        try:
            with ThreadPoolExecutor(self.settings.concurrency, "webhook") as pool:
                in_flight: dict[Future, Claim] = {}
                while time.monotonic() < deadline:
                    busy = self.step(pool, in_flight, wait_seconds=0.05)
                    if not busy and not in_flight:
                        break
                self._finish(in_flight)
        finally:
            write_intent.reset(token)

    def step(self, pool: ThreadPoolExecutor, in_flight: dict, *, wait_seconds: float) -> bool:
        """Fan out new changes, start batches on free threads, record finished ones.

        True when there was anything to do: a batch recorded counts, since deliveries
        fanned out while it was in flight wait for the next step to be claimed.
        """
        fanned = self.fan_out()
        free = self.settings.concurrency - len(in_flight)
        claims = self.claim(free, busy={c.subscription_id for c in in_flight.values()})
        for claim in claims:
            in_flight[pool.submit(self._send, claim)] = claim
        done = set()
        if in_flight:
            done, _ = wait(list(in_flight), timeout=wait_seconds, return_when=FIRST_COMPLETED)
            for future in done:
                self.record(in_flight.pop(future), future.result())
        elif not fanned and not claims:
            time.sleep(wait_seconds)
        return bool(fanned or claims or in_flight or done)

    def _finish(self, in_flight: dict[Future, Claim]) -> None:
        for future, claim in list(in_flight.items()):
            self.record(claim, future.result())
        in_flight.clear()

    def _send(self, claim: Claim) -> list[Outcome]:
        deadline = time.monotonic() + self.settings.lease_seconds - 1
        return send_in_order(claim.url, claim.messages, limits=self.limits, deadline=deadline)

    # --- fan-out -------------------------------------------------------------------------

    def fan_out(self) -> int:
        """Turn the next page of the changes feed into deliveries; how many changes were read.

        The cursor moves in the same transaction as the deliveries are written, so a crash
        repeats or loses nothing; its row lock keeps two dispatchers from doing it at once.
        """
        with self.database.session() as session:
            cursor = session.scalar(
                select(WebhookCursor).with_for_update(skip_locked=True).limit(1)
            )
            if cursor is None:
                return 0
            since = changes.encode_cursor(cursor.tx_id, cursor.event_id)
            events, _ = changes.feed(session, since=since, limit=FEED_PAGE)
            if not events:
                return 0
            subscriptions = session.scalars(
                select(WebhookSubscription).where(WebhookSubscription.active)
            ).all()
            wanted = {kind for s in subscriptions for kind in s.event_types}
            organizations = preload_organizations(
                session, [change for change in events if event_type(change) in wanted]
            )
            planned = [
                plan
                for change in events
                if (plan := self._plan(session, change, subscriptions, organizations))
            ]
            if planned:
                self._insert_deliveries(session, planned)
            cursor.tx_id, cursor.event_id = events[-1].tx_id, events[-1].id
            session.commit()
            return len(events)

    def _plan(
        self,
        session: Session,
        change: ChangeEvent,
        subscriptions: Iterable[WebhookSubscription],
        organizations: dict[str, dict],
    ) -> tuple[dict, list[WebhookSubscription]] | None:
        """The event row of one change and the subscriptions that receive it; None if none."""
        kind = event_type(change)
        wanting = [s for s in subscriptions if kind in s.event_types and s.created_at <= change.at]
        if kind is None or not wanting:
            return None
        snapshot = Snapshot(session, change, organizations)
        if any(s.organization_id is not None for s in wanting):
            concerned = snapshot.organizations()
            wanting = [
                s for s in wanting if s.organization_id is None or s.organization_id in concerned
            ]
        if not wanting:
            return None
        payload, with_contacts = snapshot.payloads(kind)
        event = {
            "change_event_id": change.id,
            "event_type": kind,
            "payload": payload,
            "payload_with_contacts": with_contacts,
        }
        return event, wanting

    def _insert_deliveries(
        self, session: Session, planned: list[tuple[dict, list[WebhookSubscription]]]
    ) -> None:
        """Write the events of a feed page in one statement, then their deliveries, in order."""
        event_ids = session.scalars(
            insert(WebhookEvent).returning(WebhookEvent.id, sort_by_parameter_order=True),
            [event for event, _ in planned],
        ).all()
        now = self.clock()
        rows = [
            {
                "subscription_id": s.id,
                "event_id": event_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for event_id, (_, wanting) in zip(event_ids, planned, strict=True)
            for s in wanting
        ]
        session.execute(insert(WebhookDelivery), rows)

    # --- claiming ------------------------------------------------------------------------

    def claim(self, count: int, *, busy: set[int]) -> list[Claim]:
        """Take up to `count` subscriptions with deliveries due, under a lease, with them."""
        if count <= 0:
            return []
        now = self.clock()
        with self.database.session() as session:
            query = (
                select(WebhookSubscription)
                .where(
                    WebhookSubscription.active,
                    or_(
                        WebhookSubscription.lease_expires_at.is_(None),
                        WebhookSubscription.lease_expires_at < now,
                    ),
                    or_(
                        WebhookSubscription.retry_at.is_(None), WebhookSubscription.retry_at <= now
                    ),
                    exists().where(
                        WebhookDelivery.subscription_id == WebhookSubscription.id,
                        WebhookDelivery.status == "pending",
                    ),
                )
                .order_by(WebhookSubscription.id)
                .limit(count)
                .with_for_update(skip_locked=True)
            )
            if busy:
                query = query.where(WebhookSubscription.id.not_in(busy))
            subscriptions = session.scalars(query).all()
            if not subscriptions:
                return []
            session.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id.in_([s.id for s in subscriptions]))
                .values(
                    lease_expires_at=now + timedelta(seconds=self.settings.lease_seconds),
                    lease_owner=self.owner,
                )
                .execution_options(synchronize_session=False)
            )
            claims = [self._claim_of(session, s, now) for s in subscriptions]
            session.commit()
        return [claim for claim in claims if claim.messages]

    def _claim_of(self, session: Session, subscription: WebhookSubscription, now) -> Claim:
        """The subscription's next pending deliveries, in order, ready to send."""
        rows = session.execute(
            select(
                WebhookDelivery.id,
                WebhookEvent.payload,
                WebhookEvent.payload_with_contacts,
                ChangeEvent.entity,
                ChangeEvent.entity_id,
            )
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .outerjoin(ChangeEvent, ChangeEvent.id == WebhookEvent.change_event_id)
            .where(
                WebhookDelivery.subscription_id == subscription.id,
                WebhookDelivery.status == "pending",
            )
            .order_by(WebhookDelivery.id)
            .limit(self.settings.batch_size)
        ).all()
        secrets = signing_secrets(subscription, now)
        messages = [
            Message(
                delivery_id=row.id,
                message_id=f"msg_{row.id}",
                body=_payload_for(subscription, row).encode(),
                secrets=secrets,
            )
            for row in rows
        ]
        return Claim(subscription.id, subscription.url, messages, self.owner)

    # --- recording -----------------------------------------------------------------------

    def record(self, claim: Claim, outcomes: list[Outcome]) -> None:
        """Write what the attempts came to, schedule a retry, disable after 3 days; release."""
        now = self.clock()
        with self.database.session() as session:
            subscription = session.get(WebhookSubscription, claim.subscription_id)
            if subscription is None:  # deleted meanwhile: its deliveries went with it
                return
            if outcomes:
                session.execute(ATTEMPT, [_attempt_values(outcome, now) for outcome in outcomes])
            values = self._subscription_values(session, subscription, outcomes, now)
            this = WebhookSubscription.id == subscription.id
            if values:
                session.execute(
                    update(WebhookSubscription)
                    .where(this)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
            # Released only if still ours: after an expired lease another dispatcher holds it.
            session.execute(
                update(WebhookSubscription)
                .where(this, WebhookSubscription.lease_owner == claim.lease_owner)
                .values(lease_expires_at=None, lease_owner=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _subscription_values(
        self, session: Session, subscription: WebhookSubscription, outcomes: list[Outcome], now
    ) -> dict:
        """The subscription's new state: failing, retrying or disabled; {} when unchanged."""
        if not outcomes:
            return {}
        last = outcomes[-1]
        if last.succeeded:
            return {"failing_since": None, "retry_at": None}
        failing_since = subscription.failing_since if len(outcomes) == 1 else None
        failing_since = failing_since or now
        if now - failing_since >= DISABLE_AFTER:
            self._disable(session, subscription, last, failing_since, now)
            return {
                "active": False,
                "retry_at": None,
                "disabled_reason": (
                    f"Disabled at {now.isoformat(timespec='seconds')}: deliveries failed for 3 "
                    f"days, since {failing_since.isoformat(timespec='seconds')} "
                    f"(last: {last.error})"
                )[:500],
            }
        attempts = session.scalar(
            select(WebhookDelivery.attempts).where(WebhookDelivery.id == last.delivery_id)
        )
        retry_at = now + timedelta(seconds=retry_delay(attempts or 1, self.settings.retry_base))
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == last.delivery_id)
            .values(next_attempt_at=retry_at)
        )
        return {"failing_since": failing_since, "retry_at": retry_at}

    def _disable(self, session: Session, subscription, last: Outcome, since, now) -> None:
        """Give up the delivery that kept failing, and record the subscription's disabling."""
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == last.delivery_id)
            .values(status="failed", next_attempt_at=None)
        )
        changes.record(
            session,
            entity="webhook",
            entity_id=subscription.id,
            action="disabled",
            fields=["active", "disabled_reason"],
        )
        log.warning("webhook %s disabled: failing since %s", subscription.id, since)


_deliveries = WebhookDelivery.__table__
# One attempt's outcome, written for many deliveries in one executemany.
ATTEMPT = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("b_id"))
    .values(
        attempts=_deliveries.c.attempts + 1,
        status=bindparam("b_status"),
        next_attempt_at=bindparam("b_next"),
        last_attempt_at=bindparam("b_at"),
        response_status=bindparam("b_response"),
        duration_ms=bindparam("b_duration"),
        error=bindparam("b_error"),
    )
)


def _attempt_values(outcome: Outcome, now: datetime) -> dict:
    """The parameters of ATTEMPT for one outcome; a failure's retry is set afterwards."""
    return {
        "b_id": outcome.delivery_id,
        "b_status": "succeeded" if outcome.succeeded else "pending",
        "b_next": None if outcome.succeeded else now,
        "b_at": now,
        "b_response": outcome.status,
        "b_duration": outcome.duration_ms,
        "b_error": outcome.error,
    }


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> tuple[str, ...]:
    """The current secret, and the one a rotation replaced while it is still valid."""
    previous = subscription.previous_secret
    expires = subscription.previous_secret_expires_at
    if previous and expires is not None and expires > now:
        return (subscription.secret, previous)
    return (subscription.secret,)


def _payload_for(subscription: WebhookSubscription, row) -> str:
    """The payload with contact e-mails for the directory and the organization's own events."""
    if row.payload_with_contacts is None:
        return row.payload
    own = subscription.organization_id is None or (
        row.entity == "organization" and row.entity_id == str(subscription.organization_id)
    )
    return row.payload_with_contacts if own else row.payload
