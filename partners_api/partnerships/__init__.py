"""Partnership links between organizations and their lifecycle."""
