"""Signals topics send, for the layers above them to react without being imported."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# Sent with the topic as sender and `session=` just before a topic is deleted: a receiver
# whose rows still use the topic refuses by raising a ProblemError (organizations.service
# refuses a topic that organizations offer or seek), and the topic stays.
topic_deleting = signals.signal("topic-deleting")
