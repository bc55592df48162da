"""Signals partnerships send, for the layers above them to react without being imported."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# Sent with the id of the dialogue a new link comes from as sender, and `session=`,
# `organization_ids=` (proposer, partner), before the link is created: a receiver answers
# True once it has checked the origin, or raises a ProblemError to refuse it
# (dialogues.outcomes refuses a dialogue that is unknown, not held, or that either side did
# not take part in). A link whose origin no receiver vouched for is refused.
partnership_origin = signals.signal("partnership-origin")
