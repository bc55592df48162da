"""Change events: the audit trail of every write."""
