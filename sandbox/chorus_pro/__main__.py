"""``python -m sandbox.chorus_pro --port P --db PATH [--seed FILE.json]``: serve the sandbox."""
from __future__ import annotations

import argparse
import json
import os

from werkzeug.serving import run_simple

from sandbox.chorus_pro import create_app
from sandbox.chorus_pro.db import new_session
from sandbox.chorus_pro.seeding import load_seed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.chorus_pro", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--db", required=True, help="SQLite database file")
    parser.add_argument("--seed", help="seed JSON file to load at start")
    parser.add_argument("--admin-token", default=os.environ.get("ARFLEET_SANDBOX_ADMIN_TOKEN", ""))
    parser.add_argument("--secret-key", default=os.environ.get("ARFLEET_SANDBOX_SECRET_KEY") or os.urandom(24).hex())
    args = parser.parse_args(argv)

    app = create_app({"DATABASE": args.db, "ADMIN_TOKEN": args.admin_token, "SECRET_KEY": args.secret_key})
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            data = json.load(handle)
        with app.app_context():
            session = new_session(app)
            try:
                load_seed(session, data)
                session.commit()
            finally:
                session.close()
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
