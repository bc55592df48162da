"""Dialogues: convenings, their topics and participants, and roster composition."""
