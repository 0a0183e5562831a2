"""Portal A: a Coupa-like customer supplier portal. Suppliers sign in with a password and a TOTP
code, upload an invoice PDF with its PO number and amounts in a single form, get a "CPA-…"
reference, and follow the buyer's review (received, approved or rejected, paid) in their list.

``create_app(config)``; run with ``python -m sandbox.portal_a --port P --db PATH [--seed FILE]``.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFError

from sandbox.portal_common.site import create_portal

ERROR_PAGES = {
    413: ("File too large", "The file exceeds the 10 MB limit."),
    CSRFError: ("Page expired", "This page has expired. Go back, reload it and try again."),
    404: ("Not found", "The page you asked for does not exist."),
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from sandbox.portal_a import admin_export, auth, display, invoices, models, seeding

    app = create_portal(__name__, "portal_a", config, metadata=models.Base.metadata, seed=seeding.seed,
                        list_submissions=admin_export.list_submissions, error_pages=ERROR_PAGES)
    display.init_display(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(invoices.bp)
    return app
