#!/usr/bin/env bash
# Installs what is missing, checks the code (ruff, mypy), then runs the whole test suite (SQLite and a
# throw-away PostgreSQL). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "==> ruff check"
.venv/bin/ruff check .
echo "==> mypy"
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
