"""The Reconciliation Service API v0.2 schemas (vendored) and a recorded OpenRefine request."""
