"""Online payments under load: 1,000 Mollie webhooks against the fake Mollie, and the
donation page served by 2 gunicorn workers.

    python -m bench.mollie                      # SQLite and PostgreSQL; updates RESULTS.md
    python -m bench.mollie --db sqlite --no-write

Webhooks: 1,000 gifts are started through the real client against the fake Mollie
(in this process, on a loopback port) and paid there; then each webhook is posted once
with the Flask test client, in production settings. Per webhook it records the wall
time, the time spent waiting for Mollie (the client's HTTP calls, timed around
`perform_http_call`) and the SQL statements. The goal (issue 6) is on the time without
the Mollie round trips: p95 at most 50 ms. A second pass repeats all 1,000 (the
idempotent "already booked" path).

Donation page: gunicorn with 2 sync workers serves the app on a free loopback port; this
process (a second process) requests `/donate/buurttuin` from 16 threads for 10 seconds
after a 2-second warm-up and reports requests per second and latency. The goal: at
least 200 requests per second.
"""

import argparse
import math
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

from sqlalchemy import event, func, make_url, select

from bench.database import BENCH_DIR, DEFAULT_POSTGRES_URL, OUT_DIR, bench_config, reset_database

RESULTS_FILE = BENCH_DIR / "RESULTS.md"
START = "<!-- bench.mollie: start -->"
END = "<!-- bench.mollie: end -->"
WEBHOOKS = 1000
GOAL_WEBHOOK_P95_MS = 50
GOAL_PAGE_RPS = 200
API_KEY = "test_benchbenchbenchbenchbenchbench"


def _url(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{OUT_DIR / 'mollie.sqlite'}"
    base = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    return base.update_query_dict({"options": "-csearch_path=mollie"}).render_as_string(
        hide_password=False)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _app(url: str, fake_url: str):
    from coop import create_app

    config = bench_config(url)
    config.MOLLIE_API_KEY = API_KEY
    config.MOLLIE_API_ENDPOINT = fake_url
    config.BASE_URL = "http://127.0.0.1:5000"
    return create_app(config)


def _prepare(url: str, fake_url: str):
    """Migrated database with the chart, an open year and the Buurttuin campaign."""
    import flask_migrate

    from coop.donations.models import Campaign
    from coop.extensions import db
    from coop.ledger import services as ledger
    from coop.settings.services import get_organisation

    reset_database(url)
    app = _app(url, fake_url)
    with app.app_context():
        flask_migrate.upgrade()
        organisation = get_organisation()
        organisation.name = "Wijkcoöperatie Bench"
        db.session.add(organisation)
        ledger.seed_default_chart()
        ledger.open_fiscal_year(datetime.now(UTC).year)
        db.session.add(Campaign(slug="buurttuin", title="Buurttuin", target_cents=200000,
                                description="Een moestuin voor de hele buurt."))
        db.session.commit()
    return app


def bench_webhooks(kind: str, log=print) -> dict:
    from coop.donations import services as donations
    from coop.extensions import db
    from coop.ledger.models import JournalEntry
    from coop.payments.fake_mollie import FakeMollieControl
    from coop.payments.gateway import gateway
    from coop.payments.services import new_idempotency_key

    url = _url(kind)
    # The fake runs in a process of its own, so this process's CPU time is the app's.
    port = _free_port()
    fake = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "coop.payments.fake_mollie", "--port", str(port)],
        cwd=BENCH_DIR.parent, stdout=subprocess.DEVNULL)
    fake_url = f"http://127.0.0.1:{port}"
    control = FakeMollieControl(fake_url)
    try:
        _wait_for(port, "/checkout/x", 404)
        app = _prepare(url, fake_url)
        with app.app_context():
            from coop.donations.models import Campaign

            garden = db.session.scalar(select(Campaign))
            started = time.perf_counter()
            ids = []
            for n in range(WEBHOOKS):
                gift = donations.Gift(amount_cents=500 + n % 50 * 100, campaign=garden,
                                      donor_name=f"Gever {n}",
                                      donor_email=f"gever{n % 200}@example.org")
                ids.append(donations.start_gift(gift, new_idempotency_key()).mollie_id)
                if n % 100 == 99:
                    db.session.commit()
            db.session.commit()
            log(f"  {WEBHOOKS} gifts started at the fake in {time.perf_counter() - started:.1f} s")
            for mollie_id in ids:
                control.set_status(mollie_id, "paid", notify=False)
            _analyze(db)

            client_ = gateway().client
            mollie_seconds = [0.0]
            original = client_.perform_http_call

            def timed_call(*args, **kwargs):
                t = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    mollie_seconds[0] += time.perf_counter() - t

            client_.perform_http_call = timed_call
            queries = [0]
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a, **k: queries.__setitem__(0, queries[0] + 1))
            client = app.test_client()
            passes = {}
            for name in ("first", "repeat"):
                totals, without, counts, cpu = [], [], [], []
                for mollie_id in ids:
                    mollie_seconds[0] = 0.0
                    queries[0] = 0
                    t = time.perf_counter()
                    c = time.process_time()
                    response = client.post("/webhooks/mollie", data={"id": mollie_id})
                    elapsed = time.perf_counter() - t
                    cpu.append((time.process_time() - c) * 1000)
                    assert response.status_code == 200, response.status_code
                    totals.append(elapsed * 1000)
                    without.append((elapsed - mollie_seconds[0]) * 1000)
                    counts.append(queries[0])
                passes[name] = {
                    "p50": percentile(totals, 50), "p95": percentile(totals, 95),
                    "p50_without": percentile(without, 50),
                    "p95_without": percentile(without, 95),
                    "queries_max": max(counts), "queries_median": sorted(counts)[len(counts) // 2],
                    "cpu_p50": percentile(cpu, 50), "cpu_p95": percentile(cpu, 95),
                }
                log(f"  webhooks ({name}): p95 {passes[name]['p95']:.1f} ms, without Mollie "
                    f"{passes[name]['p95_without']:.1f} ms, queries {passes[name]['queries_max']}")
            entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
            db.session.remove()
            _analyze(db)
        return {"passes": passes, "entries": entries}
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def _wait_for(port: int, path: str, status: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode()
            connection.close()
            if response.status == status:
                return body
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing answers {path} on port {port}")
        time.sleep(0.2)


def _analyze(db) -> None:
    """Planner statistics after a bulk load, as PostgreSQL's autovacuum (or `flask coop
    analyze` on SQLite) soon gives a real coop; without them PostgreSQL joins the
    campaign's gifts to their payments row by row."""
    from sqlalchemy import text

    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_page(kind: str, seconds: float = 10, threads: int = 16, log=print) -> dict:
    """The donation page of a campaign under load from this process, served by gunicorn
    (2 sync workers) from another, against the database the webhook run filled."""
    url = _url(kind)
    app = _app(url, "http://127.0.0.1:9")
    client = app.test_client()
    for _ in range(20):
        client.get("/donate/buurttuin")
    c = time.process_time()
    for _ in range(200):
        client.get("/donate/buurttuin")
    cpu_ms = (time.process_time() - c) / 200 * 1000
    port = _free_port()
    env = dict(os.environ, SECRET_KEY="bench-only-not-secret", DATABASE_URL=url,  # noqa: S106
               MOLLIE_API_KEY=API_KEY, MOLLIE_API_ENDPOINT="http://127.0.0.1:9",
               COOP_ENV="production", MAIL_BACKEND="outbox",
               INVOICES_DIR=str(OUT_DIR / "invoices"))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level",
         "warning", "coop:create_app()"], env=env, cwd=BENCH_DIR.parent)
    try:
        assert "Buurttuin" in _wait_for(port, "/donate/buurttuin", 200)

        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop_at = [0.0]
        measure_from = [0.0]

        def worker():
            own: list[float] = []
            failed = 0
            while True:
                t = time.perf_counter()
                if t >= stop_at[0]:
                    break
                try:
                    connection = HTTPConnection("127.0.0.1", port, timeout=10)
                    connection.request("GET", "/donate/buurttuin")
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    ok = response.status == 200
                except OSError:
                    ok = False
                done = time.perf_counter()
                if t >= measure_from[0]:
                    if ok:
                        own.append((done - t) * 1000)
                    else:
                        failed += 1
            with lock:
                latencies.extend(own)
                errors[0] += failed

        now = time.perf_counter()
        measure_from[0] = now + 2
        stop_at[0] = measure_from[0] + seconds
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        result = {"requests": len(latencies), "errors": errors[0],
                  "rps": len(latencies) / seconds, "p50": percentile(latencies, 50),
                  "p95": percentile(latencies, 95), "threads": threads, "cpu_ms": cpu_ms,
                  "seconds": seconds}
        log(f"  donation page: {result['rps']:.0f} req/s, p95 {result['p95']:.1f} ms, "
            f"errors {result['errors']}")
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _section(results: dict) -> str:
    lines = [START, "", "### Online payments (issue 6): `python -m bench.mollie`", ""]
    any_result = next(iter(results.values()))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
                            capture_output=True, text=True, cwd=BENCH_DIR.parent).stdout.strip()
    lines += [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; code: git {commit}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}; load average before/after: {any_result['load']}",
        f"- Goals: webhook p95 without the Mollie round trips at most {GOAL_WEBHOOK_P95_MS} ms; "
        f"donation page at least {GOAL_PAGE_RPS} requests/s with 2 gunicorn workers.",
        "",
        "| Database | webhooks | p50 ms | p95 ms | p50 ms w/o Mollie | p95 ms w/o Mollie "
        "| CPU ms p50/p95 | SQL per webhook (median/max) | goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, result in results.items():
        for name, label in (("first", "1,000 first (book)"),
                            ("repeat", "1,000 repeated (no-op)")):
            p = result["webhooks"]["passes"][name]
            verdict = "pass" if p["p95_without"] <= GOAL_WEBHOOK_P95_MS else "FAIL"
            lines.append(
                f"| {kind} | {label} | {p['p50']:.1f} | {p['p95']:.1f} | "
                f"{p['p50_without']:.1f} | {p['p95_without']:.1f} | "
                f"{p['cpu_p50']:.1f}/{p['cpu_p95']:.1f} | "
                f"{p['queries_median']}/{p['queries_max']} | {verdict} |")
    lines += ["", "| Database | donation page requests/s | p50 ms | p95 ms | requests | errors "
              "| CPU ms per request (in-process) | goal |",
              "|---|---:|---:|---:|---:|---:|---:|---|"]
    for kind, result in results.items():
        page = result["page"]
        verdict = "pass" if page["rps"] >= GOAL_PAGE_RPS and not page["errors"] else "FAIL"
        lines.append(f"| {kind} | {page['rps']:.0f} | {page['p50']:.1f} | {page['p95']:.1f} | "
                     f"{page['requests']} | {page['errors']} | {page['cpu_ms']:.1f} | "
                     f"{verdict} |")
    lines += ["", "Journal entries after the run: "
              + ", ".join(f"{k} {r['webhooks']['entries']}" for k, r in results.items())
              + " (each gift and its fee once: 2,000).", "", END]
    return "\n".join(lines)


def write_results(section: str) -> None:
    text = RESULTS_FILE.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS_FILE.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--no-write", action="store_true")
    arguments = parser.parse_args(argv)
    kinds = ("sqlite", "postgres") if arguments.db == "both" else (arguments.db,)
    results = {}
    for kind in kinds:
        print(f"{kind}:")
        before = _load()
        webhooks = bench_webhooks(kind)
        page = bench_page(kind, arguments.seconds, arguments.threads)
        results[kind] = {"webhooks": webhooks, "page": page, "load": f"{before} → {_load()}"}
    section = _section(results)
    print(section)
    if not arguments.no_write:
        write_results(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
