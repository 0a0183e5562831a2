"""What every portal app sets up the same way, on top of what all sandbox apps share
(``sandbox.app_site``): configuration defaults, the business clock, the error pages (each portal
words its own) and the admin API under ``/_admin/`` that tests and the demo use (bots never do):

- ``POST /_admin/seed`` loads users and purchase orders (JSON, see each portal's ``seeding``);
- ``GET /_admin/submissions`` lists every submission with its current status;
- ``POST /_admin/advance`` ``{"seconds": N}`` moves the business clock forward; ``GET /_admin/clock``.

Each needs the header ``X-Admin-Token`` (see ``sandbox.admin_api``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, jsonify, render_template
from sqlalchemy import MetaData
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from sandbox.admin_api import Loader, add_seed_route, admin_blueprint, posted_seconds
from sandbox.app_clock import clock, init_clock
from sandbox.app_db import db
from sandbox.app_site import init_site, new_app
from sandbox.portal_common.seed_data import SeedError

SubmissionLister = Callable[[Session, datetime], list[dict[str, Any]]]
ErrorPages = Mapping[int | type[HTTPException], tuple[str, str]]  # status or error -> (title, message)


def create_portal(import_name: str, name: str, config: Mapping[str, Any] | None, *, metadata: MetaData,
                  seed: Loader, list_submissions: SubmissionLister, error_pages: ErrorPages) -> Flask:
    """The portal app named ``name`` (its cookie, database, files and ``<name>/error.html``),
    ready for its own pages. ``config`` overrides the defaults."""
    app = new_app(import_name, {
        # Cookies are not separated by port: each portal needs its own cookie name on 127.0.0.1.
        "SESSION_COOKIE_NAME": f"{name}_session",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_SECONDS": 15 * 60,
        # Above the 10 MB PDF limit so that a slightly larger file gets the portal's own message.
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    }, config)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = str(Path(app.instance_path) / f"{name}.db")
    app.config.setdefault("DATA_DIR", str(Path(app.config["DATABASE"]).parent / f"{name}_files"))
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    init_site(app, metadata=metadata, admin=_admin_blueprint(seed, list_submissions))
    init_clock(app)
    for error, (title, message) in error_pages.items():
        status = error if isinstance(error, int) else error.code
        app.register_error_handler(error, _error_page(f"{name}/error.html", title, message, status))
    return app


def _error_page(template: str, title: str, message: str, status: int) -> Callable[[Exception], tuple[str, int]]:
    def show(_exc: Exception) -> tuple[str, int]:
        return render_template(template, title=title, message=message), status
    return show


def _admin_blueprint(seed: Loader, list_submissions: SubmissionLister) -> Blueprint:
    bp = admin_blueprint(__name__)
    add_seed_route(bp, seed, refused=(SeedError,), answer_key=None)

    @bp.get("/submissions")
    def submissions():
        now = clock().now()
        return jsonify(now=now.isoformat(), submissions=list_submissions(db(), now))

    @bp.post("/advance")
    def advance():
        return jsonify(now=clock().advance(posted_seconds()).isoformat())

    @bp.get("/clock")
    def show_clock():
        return jsonify(now=clock().now().isoformat())

    return bp
