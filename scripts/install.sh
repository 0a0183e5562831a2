#!/usr/bin/env bash
# Installs everything arfleet needs on a Debian machine, idempotently: apt packages,
# a virtualenv in .venv with the pinned Python packages, and the npm front-end packages.
# Run as root from the repository root. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv chromium dovecot-imapd dovecot-lmtpd postgresql poppler-utils nodejs npm)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# A Python 3.11+ from elsewhere (pyenv) and PostgreSQL binaries installed by hand also count.
if command -v python3 >/dev/null && python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  missing=("${missing[@]/python3}"); missing=("${missing[@]/python3-venv}")
fi
if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing=("${missing[@]/postgresql}")
fi
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.arfleet-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> pip install -e .[test]"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi

if [ -f control_room/static/package.json ] && [ ! -d control_room/static/node_modules ]; then
  echo "==> npm install (front-end packages)"
  (cd control_room/static && npm install --no-audit --no-fund --silent)
fi
echo "==> arfleet is installed in $(pwd)/.venv"
