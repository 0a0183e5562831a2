"""A practice ERP as an accounts-receivable clerk sees it: customers, invoices and credit notes
with PDFs, open items, Excel exports, the cash-application screen, disputes, promises to pay and
notes. Logins, 15-minute idle sessions, slow lists behind a spinner and injectable faults make it
behave like the real thing. See ``create_app`` for its configuration."""
from __future__ import annotations

from typing import Any

from flask import Flask

from sandbox.app_clock import init_clock
from sandbox.app_site import init_site, new_app
from sandbox.erp.amounts import format_amount

DEFAULTS: dict[str, Any] = {
    "SESSION_IDLE_S": 15 * 60,
    "SLOW_LIST_S": (1.0, 3.0),  # seconds before a slow list arrives: a number or a [min, max] range
    "CLOCK": None,  # callable returning an aware datetime; None: the real time
    "WTF_CSRF_TIME_LIMIT": None,  # the idle timeout logs people out; forms need not expire on their own
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The ERP app. ``config`` needs ``DATABASE`` (an SQLite file path) and should give
    ``SECRET_KEY`` and ``ADMIN_TOKEN`` (empty: the /_admin/ endpoints answer 403); see
    ``DEFAULTS`` for the rest."""
    from sandbox.erp import admin, auth, cash_application, customers, exports, home, invoices, models, open_items

    app = new_app(__name__, DEFAULTS, config)
    init_site(app, metadata=models.Base.metadata, admin=admin.bp, wal=True)
    init_clock(app)
    auth.init_app(app)
    for blueprint in (auth.bp, home.bp, customers.bp, invoices.bp, open_items.bp, cash_application.bp, exports.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.filters["money"] = format_amount
    return app
