"""Error pages for people: 400 (including a refused CSRF token), 403, 404, 405, 429. API paths keep
their JSON errors."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from control_room.api.errors import API_PREFIXES, error_response

CODES = (400, 403, 404, 405, 409, 413, 429)


def _page(exc: HTTPException):
    if request.path.startswith(API_PREFIXES):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)
    return render_template("error.html", error=exc), exc.code


def init_app(app: Flask) -> None:
    for code in CODES:
        app.register_error_handler(code, _page)
