"""The ``/_admin/`` API every sandbox app has, for tests, benchmarks and the launcher (bots never
call it): the token check, the blueprint it guards, reading the JSON posted to it, and seeding.

Every call needs the header ``X-Admin-Token`` equal to ``config["ADMIN_TOKEN"]``; with no token
configured the admin API answers 403 to everyone. ``POST /_admin/seed`` and ``--seed FILE`` load
the same JSON through the one loader the app registers with ``add_seed_route``, in one transaction.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, jsonify, make_response, request
from sqlalchemy.orm import Session

from sandbox.app_db import db

Loader = Callable[[Session, dict[str, Any]], dict[str, int]]
T = TypeVar("T")


def require_admin_token() -> None:
    token = current_app.config.get("ADMIN_TOKEN", "")
    if not token or not hmac.compare_digest(token, request.headers.get("X-Admin-Token", "")):
        abort(403)


def admin_blueprint(import_name: str) -> Blueprint:
    """The app's ``/_admin`` blueprint, every view behind the token check."""
    bp = Blueprint("admin", import_name, url_prefix="/_admin")
    bp.before_request(require_admin_token)
    return bp


def refuse(message: str) -> None:
    """End the request with ``400 {"error": message}``."""
    abort(make_response(jsonify(error=message), 400))


def posted_object() -> dict[str, Any]:
    """The JSON object posted (whatever the content type says); a 400 answer otherwise."""
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        refuse("a JSON object is expected")
    return payload


def posted_seconds() -> float:
    """``{"seconds": N}`` as posted to an ``advance`` endpoint: N a number, never negative (going
    back in time would un-pay invoices); a 400 answer otherwise."""
    seconds = posted_object().get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        refuse('send {"seconds": N} with N a number >= 0')
    return float(seconds)


def commit_or_refuse(change: Callable[[Session], T], refused: tuple[type[Exception], ...]) -> T:
    """Apply ``change`` to the request's session and commit; on one of the ``refused`` errors roll
    back and answer 400 with its message."""
    session = db()
    try:
        result = change(session)
    except refused as exc:
        session.rollback()
        refuse(str(exc))
    session.commit()
    return result


def add_seed_route(bp: Blueprint, load: Loader, *, refused: tuple[type[Exception], ...],
                   answer_key: str | None = "loaded") -> None:
    """``POST /_admin/seed`` on ``bp``: ``load`` the posted object; answer the counts it returns
    (under ``answer_key``, or as the whole answer when None). ``load`` also serves ``load_seed``."""
    bp.record_once(lambda state: state.app.extensions.__setitem__("sandbox_seed", load))

    @bp.post("/seed")
    def seed():
        payload = posted_object()
        counts = commit_or_refuse(lambda session: load(session, payload), refused)
        return jsonify({answer_key: counts} if answer_key else counts)


def load_seed(app: Flask, payload: dict[str, Any]) -> dict[str, int]:
    """Load seed data outside a request (``--seed FILE``), in one transaction."""
    with app.app_context():
        session = db()
        counts = app.extensions["sandbox_seed"](session, payload)
        session.commit()
        return counts
