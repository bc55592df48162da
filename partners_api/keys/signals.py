"""Signals keys send, for the layers above them to react without being imported."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# Sent with the organization id as sender and `session=` before a key bound to that
# organization is issued: a receiver refuses by raising a ProblemError (organizations.service
# refuses an organization that does not exist or is archived), and no key is made.
key_binding = signals.signal("key-binding")
