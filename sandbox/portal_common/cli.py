"""``python -m sandbox.portal_a|portal_b --port P --db PATH [--data-dir DIR] [--seed FILE.json]``:
serve a portal (the options every sandbox app takes are in ``sandbox.app_cli``)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask

from sandbox.app_cli import arguments, serve


def main(create_app: Callable[[dict[str, Any]], Flask], prog: str, argv: Sequence[str] | None = None) -> None:
    parser = arguments(prog, f"Serve the {prog} practice portal.")
    parser.add_argument("--data-dir", help="where uploaded PDFs go (default: beside the database)")
    args = parser.parse_args(argv)
    serve(create_app, args, prog, {"DATA_DIR": args.data_dir} if args.data_dir else None)
