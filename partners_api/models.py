"""Imports every model, so Base.metadata knows every table (for Alembic and tests)."""

from partners_api.changes.models import ChangeEvent, DirectoryVersion
from partners_api.db import Base
from partners_api.dialogues.models import (
    Dialogue,
    DialogueParticipant,
    DialogueTopic,
    Invitation,
    OutcomeSignal,
)
from partners_api.idempotency.models import IdempotentRequest
from partners_api.keys.models import ApiKey
from partners_api.organizations.models import (
    Organization,
    OrganizationLanguage,
    OrganizationOperatingRegion,
    OrganizationRegion,
    OrganizationTopic,
)
from partners_api.partnerships.models import Partnership
from partners_api.regions.models import Country, CountryRegion, Region
from partners_api.topics.models import Topic
from partners_api.webhooks.models import (
    WebhookCursor,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "ApiKey",
    "Base",
    "ChangeEvent",
    "Country",
    "CountryRegion",
    "Dialogue",
    "DialogueParticipant",
    "DialogueTopic",
    "DirectoryVersion",
    "IdempotentRequest",
    "Invitation",
    "Organization",
    "OrganizationLanguage",
    "OrganizationOperatingRegion",
    "OrganizationRegion",
    "OrganizationTopic",
    "OutcomeSignal",
    "Partnership",
    "Region",
    "Topic",
    "WebhookCursor",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
