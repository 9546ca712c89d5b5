#!/usr/bin/env bash
# One command from a fresh clone to the running demo on http://127.0.0.1:5000.
#   ./scripts/demo.sh           keeps the demo database of an earlier start (instance/demo.sqlite)
#   ./scripts/demo.sh --fresh   deletes it and loads the demo cooperative anew
# Ports: COOP_DEMO_PORT (the app, default 5000), COOP_DEMO_MOLLIE_PORT (the fake Mollie, 5001).
fresh=0
for argument in "$@"; do
  case "$argument" in
    --fresh) fresh=1 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument: $argument (try --help)" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/setup.sh"

ensure_system_packages "${PDF_PACKAGES[@]}"
ensure_venv ""

APP_PORT="${COOP_DEMO_PORT:-5000}"
MOLLIE_PORT="${COOP_DEMO_MOLLIE_PORT:-5001}"
export FLASK_APP="coop:create_app"
export COOP_ENV=development
mkdir -p instance
DEMO_DB="$ROOT/instance/demo.sqlite"
if [ "$fresh" = 1 ]; then
  rm -f "$DEMO_DB"
fi
export DATABASE_URL="sqlite:///$DEMO_DB"

# Online gifts and dues payments go to a fake Mollie on this machine (no internet): the
# real client talks to it, its checkout page lets you choose paid/failed/canceled/expired.
export MOLLIE_API_ENDPOINT="http://127.0.0.1:$MOLLIE_PORT"
.venv/bin/python -m coop.payments.fake_mollie --port "$MOLLIE_PORT" &
FAKE_MOLLIE_PID=$!
trap 'kill "$FAKE_MOLLIE_PID" 2>/dev/null' EXIT
for _ in $(seq 50); do
    .venv/bin/python -c "import urllib.request; urllib.request.urlopen('$MOLLIE_API_ENDPOINT/checkout/x')" 2>&1 | grep -q "404" && break
    sleep 0.1
done

.venv/bin/flask db upgrade
# The demo cooperative is there when the database has its organisation.
loaded="$(.venv/bin/python -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM organisation").fetchone()[0])' \
  "$DEMO_DB" 2>/dev/null || echo 0)"
if [ "$loaded" != 0 ]; then
  echo
  echo "Kept the demo database of an earlier start ($DEMO_DB) with its changes;"
  echo "the logins are the ones printed then. Start anew with: ./scripts/demo.sh --fresh"
else
  .venv/bin/flask coop load-demo
fi
echo
echo "The demo runs on http://127.0.0.1:$APP_PORT (stop it with Ctrl+C)."
echo "Give on http://127.0.0.1:$APP_PORT/donate/buurttuin; the fake Mollie runs on $MOLLIE_API_ENDPOINT."
.venv/bin/flask run --host 127.0.0.1 --port "$APP_PORT"
