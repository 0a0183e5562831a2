"""Faults on demand for the sandbox's web apps: slow pages, one request in N failing, sessions
logged out early, a site that is down, labels and button positions that change.

Real target sites misbehave; the bots must be proven against that. Each app calls
``Faults().init_app(app)``; faults come from ``app.config["FAULTS"]`` or the environment variable
``ARFLEET_SANDBOX_FAULTS`` (JSON), and can be changed at run time through
``GET/PUT /_admin/faults`` with the header ``X-Admin-Token: <app.config["ADMIN_TOKEN"]>``.
"""
from __future__ import annotations

import itertools
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from flask import Flask, abort, current_app, jsonify, request

from sandbox.admin_api import require_admin_token

ADMIN_PREFIX = "/_admin/"


@dataclass
class FaultSettings:
    """What is wrong with the site right now. The defaults are a healthy site."""

    slow_ms: int = 0  # added to every page
    fail_one_in: int = 0  # 0: never; N: every Nth request answers 500
    session_max_age_s: int | None = None  # log sessions out after this many seconds, if set
    down: bool = False  # every request answers 503
    labels: dict[str, str] = field(default_factory=dict)  # label key -> replacement text
    layout_variant: int = 0  # templates move buttons when this is not 0

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> FaultSettings:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        return cls(**data)


class Faults:
    """Flask extension that applies :class:`FaultSettings` to every request but its own admin API."""

    def __init__(self) -> None:
        self.settings = FaultSettings()
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        configured = app.config.get("FAULTS") or json.loads(os.environ.get("ARFLEET_SANDBOX_FAULTS", "{}"))
        self.settings = FaultSettings.from_mapping(configured)
        app.extensions["faults"] = self
        app.before_request(self._apply)
        app.add_url_rule(ADMIN_PREFIX + "faults", "faults_admin", self._admin, methods=["GET", "PUT"])
        app.jinja_env.globals["label"] = self.label
        app.jinja_env.globals["layout_variant"] = lambda: self.settings.layout_variant

    def label(self, key: str, default: str) -> str:
        """The text a template shows for ``key``: the default, unless a fault renamed it."""
        return self.settings.labels.get(key, default)

    def session_expired(self, started_at: float, last_seen: float, idle_limit_s: int,
                        now: float | None = None) -> bool:
        """Whether a session must be logged out, by the app's idle limit or an injected early logout.

        Times are timestamps; ``now`` is the wall clock unless the app measures on its business clock.
        """
        if now is None:
            now = time.time()
        if now - last_seen > idle_limit_s:
            return True
        max_age = self.settings.session_max_age_s
        return max_age is not None and now - started_at > max_age

    def _apply(self):
        if request.path.startswith(ADMIN_PREFIX):
            return None
        s = self.settings
        if s.down:
            abort(503)
        if s.slow_ms:
            time.sleep(s.slow_ms / 1000)
        if s.fail_one_in:
            with self._lock:
                n = next(self._counter)
            if n % s.fail_one_in == 0:
                abort(500)
        return None

    def _admin(self):
        require_admin_token()
        if request.method == "PUT":
            try:
                self.settings = FaultSettings.from_mapping(request.get_json(force=True) or {})
            except (TypeError, ValueError) as exc:
                return jsonify(error=str(exc)), 400
            self._counter = itertools.count(1)
        return jsonify(asdict(self.settings))


def faults() -> Faults:
    """The running app's fault injector."""
    return current_app.extensions["faults"]
