"""What every portal app sets up the same way: configuration defaults, the fault injector, CSRF
protection of forms, the business clock, the database, and the admin API under ``/_admin/`` that
tests and the demo use (bots never do):

- ``POST /_admin/seed`` loads users and purchase orders (JSON, see each portal's ``seeding``);
- ``GET /_admin/submissions`` lists every submission with its current status;
- ``POST /_admin/advance`` ``{"seconds": N}`` moves the business clock forward; ``GET /_admin/clock``.

Each needs the header ``X-Admin-Token`` equal to ``config["ADMIN_TOKEN"]`` (no token, no admin API).
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from sandbox.faults import Faults
from sandbox.portal_common.clock import clock, init_clock
from sandbox.portal_common.db import db, init_db
from sandbox.portal_common.seed_data import SeedError

Seeder = Callable[[Session, dict[str, Any]], dict[str, int]]
SubmissionLister = Callable[[Session, datetime], list[dict[str, Any]]]


def configure(app: Flask, name: str, config: Mapping[str, Any] | None) -> None:
    """Defaults for a portal named ``name``, overridden by ``config``."""
    app.config.from_mapping(
        SECRET_KEY=secrets.token_hex(32),
        ADMIN_TOKEN="",
        DATABASE=str(Path(app.instance_path) / f"{name}.db"),
        # Cookies are not separated by port: each portal needs its own cookie name on 127.0.0.1.
        SESSION_COOKIE_NAME=f"{name}_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_IDLE_SECONDS=15 * 60,
        # Above the 10 MB PDF limit so that a slightly larger file gets the portal's own message.
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
    )
    app.config.update(config or {})
    app.config.setdefault("DATA_DIR", str(Path(app.config["DATABASE"]).parent / f"{name}_files"))
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)


def init_site(app: Flask, *, metadata: MetaData, seed: Seeder, list_submissions: SubmissionLister) -> None:
    Faults().init_app(app)
    csrf = CSRFProtect(app)
    csrf.exempt(app.view_functions["faults_admin"])  # a JSON API guarded by the admin token
    init_clock(app)
    init_db(app, metadata)
    admin = _admin_blueprint(seed, list_submissions)
    csrf.exempt(admin)
    app.register_blueprint(admin)
    app.extensions["portal_seed"] = seed


def load_seed(app: Flask, payload: dict[str, Any]) -> dict[str, int]:
    """Load seed data outside a request (``--seed FILE``), in one transaction."""
    with app.app_context():
        session = db()
        counts = app.extensions["portal_seed"](session, payload)
        session.commit()
        return counts


def _require_admin_token() -> None:
    token = current_app.config.get("ADMIN_TOKEN", "")
    if not token or not hmac.compare_digest(token, request.headers.get("X-Admin-Token", "")):
        abort(403)


def _admin_blueprint(seed: Seeder, list_submissions: SubmissionLister) -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix="/_admin")
    bp.before_request(_require_admin_token)

    @bp.post("/seed")
    def seed_data():
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return jsonify(error="send a JSON object with users and purchase_orders"), 400
        session = db()
        try:
            counts = seed(session, payload)
        except SeedError as exc:
            session.rollback()
            return jsonify(error=str(exc)), 400
        session.commit()
        return jsonify(counts)

    @bp.get("/submissions")
    def submissions():
        now = clock().now()
        return jsonify(now=now.isoformat(), submissions=list_submissions(db(), now))

    @bp.post("/advance")
    def advance():
        payload = request.get_json(silent=True) or {}
        seconds = payload.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            return jsonify(error='send {"seconds": N} with N >= 0'), 400
        return jsonify(now=clock().advance(seconds).isoformat())

    @bp.get("/clock")
    def show_clock():
        return jsonify(now=clock().now().isoformat())

    return bp
