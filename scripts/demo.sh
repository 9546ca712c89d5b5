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

# Online gifts and dues payments go to a fake Mollie on this machine (no internet): the
# real client talks to it, its checkout page lets you choose paid/failed/canceled/expired.
export MOLLIE_API_ENDPOINT="http://127.0.0.1:5001"
.venv/bin/python -m coop.payments.fake_mollie --port 5001 &
FAKE_MOLLIE_PID=$!
trap 'kill "$FAKE_MOLLIE_PID" 2>/dev/null' EXIT
for _ in $(seq 50); do
    .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5001/checkout/x')" 2>&1 | grep -q "404" && break
    sleep 0.1
done

.venv/bin/flask db upgrade
.venv/bin/flask coop load-demo
echo
echo "The demo runs on http://127.0.0.1:5000 (stop it with Ctrl+C)."
echo "Give on http://127.0.0.1:5000/donate/buurttuin; the fake Mollie runs on http://127.0.0.1:5001."
.venv/bin/flask run --host 127.0.0.1 --port 5000
