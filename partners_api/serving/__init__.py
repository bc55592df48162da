"""Serving in production: the gunicorn configuration."""
