#!/usr/bin/env bash
# One command from a fresh clone to the running demo on http://127.0.0.1:5000.
source "$(dirname "$0")/setup.sh"

ensure_system_packages "${PDF_PACKAGES[@]}"
ensure_venv ""

export FLASK_APP="coop:create_app"
export COOP_ENV=development
# A fresh demo database on every start.
mkdir -p instance
rm -f instance/demo.sqlite
export DATABASE_URL="sqlite:///$ROOT/instance/demo.sqlite"

.venv/bin/flask db upgrade
.venv/bin/flask coop load-demo
echo
echo "The demo runs on http://127.0.0.1:5000 (stop it with Ctrl+C)."
exec .venv/bin/flask run --host 127.0.0.1 --port 5000
