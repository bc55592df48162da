"""Signals organizations send, for the layers above them to react without being imported."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# Sent with the organization as sender and `session=`, `actor_key_id=` while it is being
# archived, before the archive commits: a receiver adds its own changes to that session
# and never commits (partnerships.service ends the organization's links).
organization_archived = signals.signal("organization-archived")

# Sent with the validated record of a new organization as sender and `session=` before it
# is created, unless the caller allowed a duplicate: a receiver raises to refuse it
# (identity.duplicates refuses a probable duplicate of an existing organization).
organization_creating = signals.signal("organization-creating")

# Sent with the organization as sender and `session=` when its history is read: a
# receiver returns (entity, a select of entity ids as strings) whose change events belong
# in that history too (dialogues return the organization's invitations).
organization_history = signals.signal("organization-history")
