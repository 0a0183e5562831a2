#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (SQLite and a throw-away PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m pytest "$@"
