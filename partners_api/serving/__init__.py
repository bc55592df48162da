"""Serving: the production gunicorn configuration, and a local gunicorn for tests and benchmarks."""
