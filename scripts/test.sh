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
exec .venv/bin/python -m pytest "$@"
