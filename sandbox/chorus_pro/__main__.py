"""``python -m sandbox.chorus_pro --port P --db PATH [--seed FILE.json]``: serve the sandbox."""
from __future__ import annotations

from sandbox.app_cli import arguments, serve
from sandbox.chorus_pro import create_app


def main(argv: list[str] | None = None) -> None:
    serve(create_app, arguments("python -m sandbox.chorus_pro", __doc__).parse_args(argv), "sandbox.chorus_pro")


if __name__ == "__main__":
    main()
