"""The view class answering a request, whose attributes (accepted_types, …) tune the checks."""

from __future__ import annotations

from flask import current_app, request


def current_view_class() -> type | None:
    """The MethodView class that will answer this request, if any."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "view_class", None)
