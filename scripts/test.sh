#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite (lint, unit, browser).
# TEST_DATABASE_URL=postgresql+psycopg://user@host/db runs it against PostgreSQL.
source "$(dirname "$0")/setup.sh"

# Browser tests drive Debian's Chromium through Playwright (no browser download).
ensure_system_packages "${PDF_PACKAGES[@]}" chromium
ensure_venv "[test]"

.venv/bin/ruff check .
# The layers of the README's layout: an upward import fails the run.
.venv/bin/lint-imports --no-cache
# The tests run on every core (pytest-xdist; on PostgreSQL each worker has a database of
# its own, see tests/database.py). COOP_TEST_WORKERS=1 (or `-n 0`) runs them in one
# process; an explicit `-n N` wins.
workers=()
case " $* " in
  *" -n "*|*" -n="*|*" -n"[0-9]*|*" --numprocesses"*|*" -p no:xdist "*) ;;
  *)
    case "${COOP_TEST_WORKERS:-auto}" in
      1) ;;
      *) workers=(-n "${COOP_TEST_WORKERS:-auto}") ;;
    esac ;;
esac
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
