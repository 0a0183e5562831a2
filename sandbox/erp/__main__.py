"""Serve the practice ERP: ``python -m sandbox.erp --port P --db PATH [--seed FILE.json]``.

The admin token comes from ``--admin-token`` or ``ARFLEET_SANDBOX_ADMIN_TOKEN``, the secret key
from ``--secret-key`` or ``ARFLEET_ERP_SECRET_KEY``; a seed file replaces the database's contents
before serving."""
from __future__ import annotations

import os

from sandbox.app_cli import arguments, serve
from sandbox.erp import create_app


def main(argv: list[str] | None = None) -> None:
    parser = arguments("python -m sandbox.erp", __doc__.splitlines()[0], port=5101,
                       secret_key_env="ARFLEET_ERP_SECRET_KEY")
    parser.add_argument("--slow-list-s", type=float, nargs="+", default=[1.0, 3.0],
                        help="delay of the slow lists: one number, or min and max")
    args = parser.parse_args(argv)
    slow = args.slow_list_s[0] if len(args.slow_list_s) == 1 else tuple(args.slow_list_s[:2])
    serve(create_app, args, "sandbox.erp", {"DATABASE": os.path.abspath(args.db), "SLOW_LIST_S": slow})


if __name__ == "__main__":
    main()
