#!/usr/bin/env bash
# The whole test suite, on SQLite and on a real PostgreSQL server started here for the run.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# PostgreSQL from Debian's packages; installed when missing and we may (root), else skipped.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if [ -n "$pgbin" ] && [ -z "${KOMMUNEN_TEST_POSTGRES_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/kommunen-pg.XXXXXX)
  port=$((20000 + RANDOM % 20000))
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$pgdir"
  as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U kommunen >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  trap 'as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null; rm -rf "$pgdir"' EXIT
  export KOMMUNEN_TEST_POSTGRES_URL="postgresql+psycopg://kommunen@127.0.0.1:$port/postgres"
fi
[ -n "${KOMMUNEN_TEST_POSTGRES_URL:-}" ] || echo "kein PostgreSQL: die PostgreSQL-Tests werden übersprungen" >&2

# Chromium for the browser tests (tests/test_report_browser.py drives the system's browser; nothing downloaded).
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v chromium >/dev/null || echo "kein Chromium: die Browser-Tests werden übersprungen" >&2

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
