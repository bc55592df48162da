"""API keys: issuing, hashing, scopes and revocation, and the caller of a request (auth)."""
