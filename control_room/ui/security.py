"""Browser-facing protections: CSRF on every form outside the bearer-token APIs, cookie flags and
security headers on every response."""
from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

from control_room.api.errors import API_PREFIXES
from control_room.serving.security_headers import COMMON_HEADERS, HSTS_HEADER

csrf = CSRFProtect()
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Our pages load scripts and styles only from this origin (htmx and Chart.js are served from
# node_modules), so no inline script can run even if some text slipped through escaping.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)
# Run artifacts such as robocorp's log.html need their inline scripts; they run sandboxed in an opaque
# origin, so they can read neither our cookies nor our pages.
ARTIFACT_POLICY = "sandbox allow-scripts allow-popups; default-src 'self' 'unsafe-inline' data: blob:"


def _protect_forms() -> None:
    """The robot, runner and native APIs authenticate with bearer tokens, never cookies, so a
    forged cross-site request cannot use them: only cookie-authenticated routes need the token."""
    if request.method in UNSAFE_METHODS and not request.path.startswith(API_PREFIXES):
        csrf.protect()


def _headers(response: Response) -> Response:
    headers = response.headers
    for name, value in COMMON_HEADERS:
        headers.setdefault(name, value)
    if not request.path.startswith(API_PREFIXES):
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault(*HSTS_HEADER)
    return response


def init_app(app: Flask) -> None:
    settings = app.extensions["arfleet"].settings
    behind_tls = settings.public_url.startswith("https://")
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _protect_forms, which knows the API prefixes
        WTF_CSRF_TIME_LIMIT=None,  # the token is bound to the session, which logout ends
        SESSION_COOKIE_SECURE=behind_tls,
        SESSION_COOKIE_NAME="arfleet_session",
        REMEMBER_COOKIE_SECURE=behind_tls,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )
    csrf.init_app(app)
    app.before_request(_protect_forms)
    app.after_request(_headers)
