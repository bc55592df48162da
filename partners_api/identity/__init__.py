"""Organization identity: resolving free-text names to directory records."""
