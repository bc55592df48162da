"""Webhooks: subscriptions, and the dispatcher that pushes the changes feed to them."""
