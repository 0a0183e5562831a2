"""Portal B: an Ariba-like customer supplier portal. Suppliers log in (no second factor) and create
an invoice through a wizard — find the PO, invoice quantities against its lines, attach the PDF,
review and submit — get an "AR-DOC-…" reference, and follow the buyer's review (received, approved
or rejected, paid) in their list.

``create_app(config)``; run with ``python -m sandbox.portal_b --port P --db PATH [--seed FILE]``.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFError

from sandbox.portal_common.site import create_portal

ERROR_PAGES = {
    413: ("File too large", "The file exceeds the 10 MB limit."),
    CSRFError: ("Request expired", "Your request could not be processed. Reload the page and try again."),
    404: ("Page not found", "The requested page was not found."),
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from sandbox.portal_b import admin_export, auth, display, invoices, models, seeding, wizard

    app = create_portal(__name__, "portal_b", config, metadata=models.Base.metadata, seed=seeding.seed,
                        list_submissions=admin_export.list_submissions, error_pages=ERROR_PAGES)
    display.init_display(app)
    for blueprint in (auth.bp, invoices.home, invoices.bp, wizard.bp):
        app.register_blueprint(blueprint)
    return app
