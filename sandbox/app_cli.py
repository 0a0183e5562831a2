"""``python -m sandbox.<app> --port P --db PATH [--seed FILE.json]``: serve one sandbox web app.

The admin token comes from ``--admin-token`` or ``ARFLEET_SANDBOX_ADMIN_TOKEN`` (without one the
admin API is closed); the secret key from ``--secret-key`` or the app's environment variable
(random otherwise, so sessions do not survive a restart). A seed file is loaded as
``POST /_admin/seed`` would load it, before serving.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from werkzeug.serving import run_simple

from sandbox.admin_api import load_seed


def arguments(prog: str, description: str, *, port: int | None = None,
              secret_key_env: str = "ARFLEET_SANDBOX_SECRET_KEY") -> argparse.ArgumentParser:
    """The options every app takes; ``port`` is the default port (None: ``--port`` is required)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=port is None, default=port)
    parser.add_argument("--db", required=True, help="SQLite database file (created if missing)")
    parser.add_argument("--seed", help="seed JSON file to load at start")
    parser.add_argument("--admin-token", default=os.environ.get("ARFLEET_SANDBOX_ADMIN_TOKEN", ""))
    parser.add_argument("--secret-key", default=os.environ.get(secret_key_env) or secrets.token_hex(32))
    return parser


def serve(create_app: Callable[[dict[str, Any]], Flask], args: argparse.Namespace, prog: str,
          config: Mapping[str, Any] | None = None) -> None:
    """Create the app from ``args`` (and ``config``), load the seed file if given, and serve."""
    app = create_app({"DATABASE": args.db, "ADMIN_TOKEN": args.admin_token, "SECRET_KEY": args.secret_key,
                      **(config or {})})
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            counts = load_seed(app, json.load(handle))
        print(f"{prog}: seeded {counts}", flush=True)
    run_simple(args.host, args.port, app, threaded=True)
