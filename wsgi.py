"""WSGI entry point: `gunicorn wsgi:app`."""

from partners_api import create_app

app = create_app()
