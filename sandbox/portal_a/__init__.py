"""Portal A: a Coupa-like customer supplier portal. Suppliers sign in with a password and a TOTP
code, upload an invoice PDF with its PO number and amounts in a single form, get a "CPA-…"
reference, and follow the buyer's review (received, approved or rejected, paid) in their list.

``create_app(config)``; run with ``python -m sandbox.portal_a --port P --db PATH [--seed FILE]``.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from sandbox.portal_common.site import configure, init_site


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from sandbox.portal_a import admin_export, auth, display, invoices, models, seeding

    app = Flask(__name__)
    configure(app, "portal_a", config)
    init_site(app, metadata=models.Base.metadata, seed=seeding.seed,
              list_submissions=admin_export.list_submissions)
    display.init_display(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(invoices.bp)

    @app.errorhandler(413)
    def too_large(_exc):
        return render_template("portal_a/error.html", title="File too large",
                               message="The file exceeds the 10 MB limit."), 413

    @app.errorhandler(CSRFError)
    def form_expired(_exc):
        return render_template("portal_a/error.html", title="Page expired",
                               message="This page has expired. Go back, reload it and try again."), 400

    @app.errorhandler(404)
    def not_found(_exc):
        return render_template("portal_a/error.html", title="Not found",
                               message="The page you asked for does not exist."), 404

    return app
