"""A practice ERP as an accounts-receivable clerk sees it: customers, invoices and credit notes
with PDFs, open items, Excel exports, the cash-application screen, disputes, promises to pay and
notes. Logins, 15-minute idle sessions, slow lists behind a spinner and injectable faults make it
behave like the real thing. See ``create_app`` for its configuration."""
from __future__ import annotations

import secrets
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from sandbox.erp.amounts import format_amount
from sandbox.erp.clock import Clock
from sandbox.faults import Faults

DEFAULTS: dict[str, Any] = {
    "ADMIN_TOKEN": "",  # empty: the /_admin/ endpoints answer 403
    "SESSION_IDLE_S": 15 * 60,
    "SLOW_LIST_S": (1.0, 3.0),  # seconds before a slow list arrives: a number or a [min, max] range
    "CLOCK": None,  # callable returning an aware datetime; None: the real time
    "WTF_CSRF_TIME_LIMIT": None,  # the idle timeout logs people out; forms need not expire on their own
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The ERP app. ``config`` needs ``DATABASE`` (an SQLite file path) and should give
    ``SECRET_KEY`` and ``ADMIN_TOKEN``; see ``DEFAULTS`` for the rest."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config.update(config or {})
    if not app.config.get("DATABASE"):
        raise ValueError("config['DATABASE'] must name the ERP's SQLite file")

    from sandbox.erp import admin, auth, cash_application, customers, db, exports, home, invoices, open_items

    Faults().init_app(app)
    csrf = CSRFProtect(app)
    csrf.exempt(admin.bp)
    csrf.exempt("sandbox.faults._admin")  # the fault injector's admin API is token-checked, like ours
    app.extensions["erp_clock"] = Clock(app.config["CLOCK"])
    db.init_app(app)
    auth.init_app(app)
    for blueprint in (auth.bp, home.bp, customers.bp, invoices.bp, open_items.bp, cash_application.bp,
                      exports.bp, admin.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.filters["money"] = format_amount
    return app
