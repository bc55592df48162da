"""Protections for a public API: rate limits, CORS, security headers, proxies, key hygiene."""

from __future__ import annotations

import functools

from flask import Flask, Response, current_app, request
from flask_cors import CORS
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from partners_api.api.problems import problem_response
from partners_api.api.views import current_view_class
from partners_api.errors import ProblemError
from partners_api.keys import auth
from partners_api.observability import UNCOUNTED

KEY_PARAMETERS = {"api_key", "apikey", "key", "access_token", "token", "authorization"}
EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "X-Pagination",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
]


API_CSP = "default-src 'none'; frame-ancestors 'none'"
FRAMEABLE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *; "
    "base-uri 'none'; form-action 'none'"
)


def init_security(app: Flask) -> None:
    """Install rate limits, CORS, the proxy fix and the header and query-string rules."""
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(refuse_key_in_query)
    Limiter(
        key_func=rate_limit_key,
        app=app,
        application_limits=[rate_limit],
        application_limits_exempt_when=_exempt_from_limits,
        headers_enabled=True,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        enabled=app.config["RATELIMIT_ENABLED"],
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        retry_after="delta-seconds",
    )
    if app.config["CORS_ORIGINS"]:
        CORS(
            app,
            resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
            expose_headers=EXPOSED_HEADERS,
            allow_headers=ALLOWED_HEADERS,
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            max_age=600,
        )
    app.after_request(secure_headers)


def _exempt_from_limits() -> bool:
    """True for the views that set `rate_limited = False` (health, readiness, metrics), and
    for the requests the server makes of itself."""
    if request.environ.get(UNCOUNTED):
        return True
    return not getattr(current_view_class(), "rate_limited", True)


def refuse_key_in_query() -> Response | None:
    """A key in the URL ends up in logs and histories: refuse it outright."""
    if request.query_string and KEY_PARAMETERS & {name.lower() for name in request.args}:
        return problem_response(
            400, "Send API keys in the Authorization header, never in the URL.", code="key_in_query"
        )
    return None


def rate_limit_key() -> str:
    """The bucket of a request: its key when it presents a valid one, else its address."""
    try:
        principal = auth.current_principal()
    except ProblemError:
        principal = auth.ANONYMOUS
    if principal.is_anonymous:
        return f"ip:{request.remote_addr}"
    return f"key:{principal.key_id}"


def rate_limit() -> str:
    """The limit for this caller: more for keys than for anonymous addresses."""
    if rate_limit_key().startswith("key:"):
        return current_app.config["RATELIMIT_KEYED"]
    return current_app.config["RATELIMIT_ANONYMOUS"]


def secure_headers(response: Response) -> Response:
    """Headers every response carries; API answers also forbid framing and scripts."""
    headers = response.headers
    view = current_view_class()
    # The one exception to "never framed": a view that sets `frameable` (the reconciliation
    # preview, a static card OpenRefine shows in an iframe) may be framed by any site. Its
    # policy still lets nothing run or load, but inline styles.
    frameable = getattr(view, "frameable", False)
    present = {name.lower() for name, _ in headers}
    for name, value in _defaults(frameable, request.path.startswith("/api/")):
        if name.lower() not in present:  # a view's own value stands
            headers.add(name, value)
    headers.add("Vary", "Authorization")
    if getattr(view, "any_origin", False):
        _answer_any_origin(headers)
    if "cache-control" not in present:
        cacheable = request.method in ("GET", "HEAD") and response.status_code < 400
        headers["Cache-Control"] = "no-cache" if cacheable else "no-store"
    return response


@functools.cache
def _defaults(frameable: bool, api: bool) -> tuple[tuple[str, str], ...]:
    """The security headers of a response, unless its view set them: made once per kind."""
    pairs = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
    if not frameable:
        pairs.append(("X-Frame-Options", "DENY"))
    if api:
        pairs.append(("Content-Security-Policy", FRAMEABLE_CSP if frameable else API_CSP))
    return tuple(pairs)


def _answer_any_origin(headers) -> None:
    """CORS for any origin, for the views that set `any_origin` (the reconciliation service).

    The Reconciliation Service API requires CORS on all its endpoints, and OpenRefine runs
    at whatever origin its user started it on; those views are public and read-only, and
    no credentials are allowed, so `*` opens nothing that a server-side client could not
    already read. Set before Flask-Cors looks, which then leaves the answer as it is.
    """
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        headers["Access-Control-Allow-Headers"] = "Content-Type"
        headers["Access-Control-Max-Age"] = "600"
