"""The control room's server-rendered web UI: one blueprint per area, Jinja templates, htmx for the
live parts. `init_app` wires the extensions (login, CSRF, Babel), the security headers and the pages."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from control_room.ui import (
        access,
        audit_log,
        auth,
        credentials,
        dashboard,
        errors,
        i18n,
        inbox,
        items,
        runners,
        runs,
        schedules,
        security,
        users,
        vendor,
    )

    security.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    app.register_blueprint(vendor.bp)
    for module in (auth, dashboard, runs, items, inbox, schedules, runners, credentials, audit_log, users):
        app.register_blueprint(module.bp)
