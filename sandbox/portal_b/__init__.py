"""Portal B: an Ariba-like customer supplier portal. Suppliers log in (no second factor) and create
an invoice through a wizard — find the PO, invoice quantities against its lines, attach the PDF,
review and submit — get an "AR-DOC-…" reference, and follow the buyer's review (received, approved
or rejected, paid) in their list.

``create_app(config)``; run with ``python -m sandbox.portal_b --port P --db PATH [--seed FILE]``.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from sandbox.portal_common.site import configure, init_site


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from sandbox.portal_b import admin_export, auth, display, invoices, models, seeding, wizard

    app = Flask(__name__)
    configure(app, "portal_b", config)
    init_site(app, metadata=models.Base.metadata, seed=seeding.seed,
              list_submissions=admin_export.list_submissions)
    display.init_display(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(invoices.home)
    app.register_blueprint(invoices.bp)
    app.register_blueprint(wizard.bp)

    @app.errorhandler(413)
    def too_large(_exc):
        return render_template("portal_b/error.html", title="File too large",
                               message="The file exceeds the 10 MB limit."), 413

    @app.errorhandler(CSRFError)
    def form_expired(_exc):
        return render_template("portal_b/error.html", title="Request expired",
                               message="Your request could not be processed. Reload the page and try again."), 400

    @app.errorhandler(404)
    def not_found(_exc):
        return render_template("portal_b/error.html", title="Page not found",
                               message="The requested page was not found."), 404

    return app
