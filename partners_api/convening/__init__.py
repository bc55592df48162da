"""Convening: inviting organizations to dialogues, their answers, and refills from reserves."""
