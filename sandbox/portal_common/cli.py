"""``python -m sandbox.portal_a|portal_b --port P --db PATH [--seed FILE.json]``: serve a portal.

The admin token comes from ``--admin-token`` or ``ARFLEET_SANDBOX_ADMIN_TOKEN``; without one the
admin API is closed. The secret key comes from ``ARFLEET_SANDBOX_SECRET_KEY`` (random otherwise, so
sessions do not survive a restart).
"""
from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask

from sandbox.portal_common.site import load_seed


def main(create_app: Callable[[dict[str, Any]], Flask], prog: str, argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=prog, description=f"Serve the {prog} practice portal.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True, help="SQLite database file (created if missing)")
    parser.add_argument("--data-dir", help="where uploaded PDFs go (default: beside the database)")
    parser.add_argument("--seed", help="JSON file of users and purchase orders to load at start")
    parser.add_argument("--admin-token", default=os.environ.get("ARFLEET_SANDBOX_ADMIN_TOKEN", ""))
    args = parser.parse_args(argv)

    config: dict[str, Any] = {"DATABASE": args.db, "ADMIN_TOKEN": args.admin_token}
    if args.data_dir:
        config["DATA_DIR"] = args.data_dir
    if os.environ.get("ARFLEET_SANDBOX_SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["ARFLEET_SANDBOX_SECRET_KEY"]
    app = create_app(config)
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            counts = load_seed(app, json.load(f))
        print(f"{prog}: seeded {counts}", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
