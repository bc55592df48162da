"""API keys: issuing, hashing, scopes and revocation."""
