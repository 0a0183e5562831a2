"""What every sandbox web app sets up the same way: its configuration (a random secret key and a
closed admin API unless told otherwise, then the app's defaults, then the caller's ``config``), the
fault injector, CSRF protection of forms, its database and its admin blueprint; and the check every
login page makes on where to send the user next."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from sandbox.app_db import init_db
from sandbox.faults import Faults


def new_app(import_name: str, defaults: Mapping[str, Any], config: Mapping[str, Any] | None) -> Flask:
    app = Flask(import_name)
    app.config.from_mapping(SECRET_KEY=secrets.token_hex(32), ADMIN_TOKEN="")  # "": /_admin/ answers 403
    app.config.from_mapping(defaults)
    app.config.update(config or {})
    return app


def init_site(app: Flask, *, metadata: MetaData, admin: Blueprint, wal: bool = False) -> CSRFProtect:
    """Faults, CSRF (the admin APIs, JSON guarded by the admin token, are exempt), the database
    (``config["DATABASE"]``) and the admin blueprint; returns the CSRF extension."""
    Faults().init_app(app)
    csrf = CSRFProtect(app)
    csrf.exempt(app.view_functions["faults_admin"])
    csrf.exempt(admin)
    init_db(app, metadata, wal=wal)
    app.register_blueprint(admin)
    return csrf


def safe_next(target: str | None) -> str | None:
    """Where to go after logging in: only a path on this site, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None
