"""A practice copy of Chorus Pro, the French public sector's invoicing platform: the PISTE OAuth2
token endpoint, the API (factures, transverses, structures) behind a Bearer token plus the
``cpro-account`` technical account, and the supplier's web portal. See ``create_app``.

Configuration keys (all optional but ``DATABASE``):

- ``DATABASE``: SQLite file; ``SECRET_KEY``; ``ADMIN_TOKEN`` for ``/_admin/``;
- ``CLOCK``: callable returning an aware datetime (wall clock by default);
- ``TOKEN_LIFETIME_S``: access-token lifetime (3600);
- ``PORTAL_IDLE_S``: portal session idle limit (1800);
- ``FLOW_DELAYS``, ``INVOICE_DELAYS``: see ``timeline.py``;
- ``FAULTS``: see ``sandbox.faults``.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request

from sandbox.app_clock import PARIS, wall_clock
from sandbox.app_site import init_site, new_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from sandbox.chorus_pro import models
    from sandbox.chorus_pro.admin import admin
    from sandbox.chorus_pro.answers import ChorusJSONProvider
    from sandbox.chorus_pro.api_factures import factures
    from sandbox.chorus_pro.api_structures import structures
    from sandbox.chorus_pro.api_transverses import transverses
    from sandbox.chorus_pro.auth import oauth
    from sandbox.chorus_pro.portal import portal
    from sandbox.chorus_pro.timeline import DEFAULT_FLOW_DELAYS, DEFAULT_INVOICE_DELAYS

    app = new_app(__name__, {
        "SECRET_KEY": "chorus-pro-sandbox-dev-key",
        "CLOCK": wall_clock,
        "TOKEN_LIFETIME_S": 3600,
        "PORTAL_IDLE_S": 1800,
        "FLOW_DELAYS": dict(DEFAULT_FLOW_DELAYS),
        "INVOICE_DELAYS": dict(DEFAULT_INVOICE_DELAYS),
        "MAX_CONTENT_LENGTH": 45 * 1024 * 1024,  # a 30 MB archive, base64-encoded
        "WTF_CSRF_CHECK_DEFAULT": False,  # only the portal's forms carry CSRF tokens; the API uses tokens
        "SESSION_COOKIE_NAME": "chorus_pro_session",
        "SESSION_COOKIE_SAMESITE": "Lax",
    }, config)
    app.json = ChorusJSONProvider(app)
    app.config["FLOW_DELAYS"] = {**DEFAULT_FLOW_DELAYS, **app.config["FLOW_DELAYS"]}
    app.config["INVOICE_DELAYS"] = {**DEFAULT_INVOICE_DELAYS, **app.config["INVOICE_DELAYS"]}

    csrf = init_site(app, metadata=models.Base.metadata, admin=admin, wal=True)

    @app.before_request
    def _portal_csrf() -> None:
        if request.method == "POST" and request.blueprint == "portal":
            csrf.protect()

    app.jinja_env.globals["paris"] = PARIS
    for blueprint in (oauth, factures, transverses, structures, portal):
        app.register_blueprint(blueprint)
    return app
