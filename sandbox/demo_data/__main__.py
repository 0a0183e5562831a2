"""Write the demo company: ``python -m sandbox.demo_data --seed N --customers C --out DIR [--as-of YYYY-MM-DD]``."""
from __future__ import annotations

import argparse
from datetime import date

from sandbox.demo_data import DEFAULT_AS_OF, write


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo_data", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--out", required=True, help="directory for demo_data.json and the per-app seeds")
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF,
                        help=f"the day the books are seen (default {DEFAULT_AS_OF.isoformat()})")
    args = parser.parse_args(argv)
    for name, path in write(args.out, args.seed, args.customers, args.as_of).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
