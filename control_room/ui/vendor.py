"""Front-end packages installed from the npm registry (control_room/static/package.json), served from
node_modules by name: only the files listed here, never a CDN."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parent.parent / "static" / "node_modules"
FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}

bp = Blueprint("vendor", __name__)


@bp.get("/vendor/<name>")
def asset(name: str):
    if name not in FILES:
        abort(404)
    path = NODE_MODULES / FILES[name]
    if not path.is_file():  # `npm install` was not run in control_room/static
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=3600)
