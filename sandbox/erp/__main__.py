"""Serve the practice ERP: ``python -m sandbox.erp --port P --db PATH [--seed FILE.json]``.

The admin token comes from ``--admin-token`` or ``ARFLEET_SANDBOX_ADMIN_TOKEN``; a seed file
replaces the database's contents before serving."""
from __future__ import annotations

import argparse
import json
import os
import secrets

from werkzeug.serving import run_simple

from sandbox.erp import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.erp", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5101)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--db", required=True, help="SQLite file (created if missing)")
    parser.add_argument("--seed", help="seed JSON: the demo data's erp.json or a whole demo_data.json")
    parser.add_argument("--admin-token", default=os.environ.get("ARFLEET_SANDBOX_ADMIN_TOKEN", ""))
    parser.add_argument("--secret-key", default=os.environ.get("ARFLEET_ERP_SECRET_KEY") or secrets.token_hex(32))
    parser.add_argument("--slow-list-s", type=float, nargs="+", default=[1.0, 3.0],
                        help="delay of the slow lists: one number, or min and max")
    args = parser.parse_args(argv)
    slow = args.slow_list_s[0] if len(args.slow_list_s) == 1 else tuple(args.slow_list_s[:2])
    app = create_app({"DATABASE": os.path.abspath(args.db), "SECRET_KEY": args.secret_key,
                      "ADMIN_TOKEN": args.admin_token, "SLOW_LIST_S": slow})
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            seed = json.load(handle)
        from sandbox.erp.clock import clock
        from sandbox.erp.db import get_session
        from sandbox.erp.seed import load_seed

        with app.app_context():
            session = get_session()
            counts = load_seed(session, seed, clock().now())
            session.commit()
        print(f"seeded {counts}", flush=True)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
