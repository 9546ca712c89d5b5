"""Time the main pages and count their SQL queries, at 1/10 and at full scale.

    python -m bench.run --db sqlite --scale 0.1     # one combination, printed
    python -m bench.run --all                       # all four, written to bench/RESULTS.md

Each page is requested with the Flask test client, logged in as the account that uses
it, `--warmup` times untimed and then `--requests` times timed. Server time is the
wall time of `client.get()` (routing, permission check, queries, template rendering);
queries are counted with a `before_cursor_execute` listener on the app's engine.

Goals (from the issue): every page at most 15 SQL queries, the same number at both
scales; p95 at full scale at most 2x p95 at 1/10 scale.
"""

import argparse
import gc
import math
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from bench import generate as gen
from bench.database import BENCH_DIR, database_url, make_app

RESULTS_FILE = BENCH_DIR / "RESULTS.md"
NOTES_MARKER = "<!-- notes: everything below this line is kept by `bench.run --all` -->"
SCALES = (0.1, 1.0)
DATABASES = ("sqlite", "postgres")
MAX_QUERIES = 15
MAX_P95_RATIO = 2.0
DEEP_PAGE = 40  # exists at 1/10 scale for every list (the outbox has 40 pages there)


# Indexes to try out before they go into a migration: `--candidate-indexes` adds them
# after generating, to measure what they would change. Empty now: the ones the first
# run pointed to (accounts by name, roles by role, audit log by tag/domain and time)
# are in the migrations.
CANDIDATE_INDEXES: dict[str, list[str]] = {"any": []}


def add_candidate_indexes(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in CANDIDATE_INDEXES["any"] + CANDIDATE_INDEXES.get(
                engine.dialect.name, []
            ):
                conn.execute(text(statement))
            if engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    login: str | None  # "board", "admin" or None (anonymous)
    in_goal: bool = True
    # Reports aggregate every line of their period, so their cost grows with the books by
    # nature: their goal (issue 5) is an absolute p95 at full scale, not the ratio.
    max_p95_ms: float | None = None


REPORT_P95_MS = 1000  # ledger reports at full scale (issue 5)


def pages(last_pages: dict[str, int], last_message_id: int, first_member: int,
          members_deep_cursor: str, bank_account: int | None = None,
          open_bank_line: int | None = None, agreement: int | None = None) -> list[Page]:
    """The pages to time. `last_pages`: the number of pages of each paginated list;
    `members_deep_cursor`: the register list's link to its page DEEP_PAGE."""
    five_years = "start=2022-01-01&end=2026-12-31"
    return [
        Page("login", "/login", None),
        Page("account", "/account", "board"),
        Page("dashboard", "/dashboard/", "board"),
        Page("settings", "/settings/organisation", "board"),
        Page("users", "/admin/users", "admin"),
        Page(f"users ?page={DEEP_PAGE}", f"/admin/users?page={DEEP_PAGE}", "admin"),
        Page("audit", "/admin/audit", "admin"),
        Page(f"audit ?page={DEEP_PAGE}", f"/admin/audit?page={DEEP_PAGE}", "admin"),
        Page("audit ?tag=accounts:user:login (common)",
             "/admin/audit?tag=accounts:user:login", "admin"),
        Page("audit ?tag=settings: (rare)", "/admin/audit?tag=settings:", "admin"),
        Page("outbox", "/admin/outbox", "admin"),
        Page(f"outbox ?page={DEEP_PAGE}", f"/admin/outbox?page={DEEP_PAGE}", "admin"),
        Page("outbox message", f"/admin/outbox/{last_message_id}", "admin"),
        Page("members", "/members/", "board"),
        Page(f"members page {DEEP_PAGE} (?after=…)", f"/members/?after={members_deep_cursor}",
             "board"),
        Page("members ?q=ja (name prefix)", "/members/?q=ja", "board"),
        Page("members ?q=150 (number)", "/members/?q=150", "board"),
        Page("members ?q=3582 (postcode)", "/members/?q=3582", "board"),
        Page("members ?status=active&type=1", "/members/?status=active&type=1", "board"),
        Page("members ?vote=yes", "/members/?vote=yes", "board"),
        Page("members ?dues=open", "/members/?dues=open", "board"),
        Page("members ?sort=number&dir=desc", "/members/?sort=number&dir=desc", "board"),
        Page("member (person page)", f"/members/{first_member}", "board"),
        Page("member types", "/members/types", "board"),
        Page("dues invoices", "/dues/", "board"),
        Page("dues ?status=overdue", "/dues/?status=overdue", "board"),
        # 1/10 scale has ~1,700 invoices: page 20 exists at both scales.
        Page("dues ?page=20", "/dues/?page=20", "board"),
        Page("books overview", "/finance/?year=2026", "board", max_p95_ms=REPORT_P95_MS),
        Page("journal 2026", "/finance/entries?year=2026", "board"),
        Page("trial balance 2026", "/finance/reports/trial-balance?year=2026", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("trial balance 5 years", f"/finance/reports/trial-balance?{five_years}",
             "board", max_p95_ms=REPORT_P95_MS),
        Page("income statement 2026", "/finance/reports/income-statement?year=2026", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("income statement 5 years", f"/finance/reports/income-statement?{five_years}",
             "board", max_p95_ms=REPORT_P95_MS),
        Page("balance sheet end 2026", "/finance/reports/balance-sheet?year=2026", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("general ledger bank 2026",
             f"/finance/reports/general-ledger/{bank_account}?year=2026", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("budget 2026", "/finance/budgets?year=2026", "board", max_p95_ms=REPORT_P95_MS),
        Page("cash forecast", "/finance/forecast", "board", max_p95_ms=REPORT_P95_MS),
        # Funders and bank (issue 5).
        Page("revenue streams 2026", "/finance/funders/revenue?year=2026", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("revenue streams 2022", "/finance/funders/revenue?year=2022", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("earmarked funds 2026", "/finance/funders/earmarks?year=2026", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("funders and agreements", "/finance/funders/", "board",
             max_p95_ms=REPORT_P95_MS),
        Page("agreement", f"/finance/funders/agreements/{agreement}", "board"),
        Page("bank open lines", "/finance/bank/", "board"),
        Page(f"bank all lines ?page={DEEP_PAGE}",
             f"/finance/bank/?status=all&page={DEEP_PAGE}", "board"),
        Page("bank line with suggestions", f"/finance/bank/transactions/{open_bank_line}",
             "board"),
        Page("members as of 1 January", "/members/transfer/as-of?day=2026-01-01", "board",
             False),
        # OFFSET pagination reads every row before the last page: shown, not a goal.
        Page("users last page", f"/admin/users?page={last_pages['users']}", "admin", False),
        Page("audit last page", f"/admin/audit?page={last_pages['audit']}", "admin", False),
        Page("outbox last page", f"/admin/outbox?page={last_pages['outbox']}", "admin", False),
    ]


@dataclass
class Measurement:
    page: Page
    times_ms: list[float]
    queries: list[int]
    cpu_ms: list[float] = field(default_factory=list)
    # Per request: (statement, ms) as sent; for --show-sql.
    statements: list[list[tuple[str, float]]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return p95(self.times_ms)

    @property
    def query_count(self) -> int:
        return max(self.queries)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    def statement_report(self) -> list[tuple[str, float]]:
        """The statements of the last request, each with its median time over all."""
        last = self.statements[-1]
        same_shape = [s for s in self.statements if len(s) == len(last)]
        return [
            (sql, statistics.median(s[i][1] for s in same_shape))
            for i, (sql, _) in enumerate(last)
        ]


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank (the one every bench module reports)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(counter: "QueryCounter", call, *args, **kwargs):
    """Run `call` once: (its result, wall time in ms, statements it sent). The timing
    loop of the bench modules (voting, volunteers)."""
    before = counter.count
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000, counter.count - before


class QueryCounter:
    """Counts the statements sent to the database, and times each (for --show-sql)."""

    def __init__(self, engine):
        self.count = 0
        self.statements: list[tuple[str, float]] = []
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, (time.perf_counter() - self._started) * 1000))

    def reset(self) -> None:
        self.count = 0
        self.statements = []


def compile_translations() -> None:
    """The app reads compiled catalogues (git-ignored); build them as the tests do."""
    from babel.messages.frontend import CommandLineInterface

    translations = BENCH_DIR.parent / "coop" / "translations"
    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(translations)])


def _logged_in_client(app, user_id: str | None):
    client = app.test_client()
    if user_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
            session["two_factor_ok"] = True
    return client


def _get(client, path: str):
    response = client.get(path)
    body = response.get_data()
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.location or ''}")
    return body


def _members_cursor_before_page(number: int) -> str:
    """The register list's "next" link target that leads to page `number` (the key of
    the last row of the page before), as a person paging through would reach it."""
    from coop.extensions import db
    from coop.members import services
    from coop.members.views import PAGE_SIZE
    from coop.pagination import encode_cursor

    filters = services.RegisterFilters()
    keyset = services.register_keyset(filters)
    row = db.session.execute(
        services.register_query(filters).offset((number - 1) * PAGE_SIZE - 1).limit(1)
    ).one()
    return encode_cursor(keyset.key_of(row))


class Target:
    """One database at one scale: its app, logged-in clients and pages."""

    def __init__(self, url: str):
        from coop.accounts.models import User
        from coop.accounts.services import get_user_by_email
        from coop.admin.views import PAGE_SIZE
        from coop.audit import AuditEvent
        from coop.extensions import db
        from coop.mail import OutboxMessage
        from coop.members.models import Membership

        self.app = make_app(url)
        with self.app.app_context():
            ids = {
                "board": get_user_by_email(gen.BENCH_BOARD_EMAIL).get_id(),
                "admin": get_user_by_email(gen.BENCH_ADMIN_EMAIL).get_id(),
                None: None,
            }

            def last_page(model):
                rows = db.session.scalar(select(func.count(model.id)))
                return max(1, math.ceil(rows / PAGE_SIZE))

            last_pages = {
                "users": last_page(User),
                "audit": last_page(AuditEvent),
                "outbox": last_page(OutboxMessage),
            }
            last_message_id = db.session.scalar(select(func.max(OutboxMessage.id)))
            first_member = db.session.scalar(
                select(Membership.person_id).where(Membership.member_number == 1)
            )
            members_deep_cursor = _members_cursor_before_page(DEEP_PAGE)
            from coop.ledger.models import LedgerAccount

            bank_account = db.session.scalar(
                select(LedgerAccount.id).where(LedgerAccount.code == "1100")
            )
            from coop.bank.models import BankTransaction
            from coop.funders.models import FunderAgreement

            open_bank_line = db.session.scalar(
                select(func.max(BankTransaction.id)).where(
                    BankTransaction.status == "open", BankTransaction.direction == "credit"))
            agreement = db.session.scalar(
                select(func.max(FunderAgreement.id)).where(
                    FunderAgreement.cost_centre_id.is_not(None)))
            self.counter = QueryCounter(db.engine)
            db.session.remove()
        # No app context is held while requesting: each request gets its own session, as
        # in production (a shared context would serve users from the identity map).
        self.clients = {login: _logged_in_client(self.app, uid) for login, uid in ids.items()}
        self.pages = pages(last_pages, last_message_id, first_member, members_deep_cursor,
                           bank_account, open_bank_line, agreement)

    def request(self, page: Page) -> tuple[float, float, int, list[tuple[str, float]]]:
        self.counter.reset()
        client = self.clients[page.login]
        cpu_started = time.process_time()
        started = time.perf_counter()
        _get(client, page.path)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
        return elapsed, cpu, self.counter.count, list(self.counter.statements)

    def close(self) -> None:
        from coop.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def measure(urls: dict[float, str], requests: int, warmup: int,
            only: str | None = None) -> dict[float, list[Measurement]]:
    """Time every page on every target; targets take turns request by request, so a
    burst of load elsewhere on the machine hits every scale alike."""
    targets = {scale: Target(url) for scale, url in urls.items()}
    results: dict[float, list[Measurement]] = {scale: [] for scale in targets}
    first = next(iter(targets.values()))
    for index, page in enumerate(first.pages):
        if only and only not in page.name:
            continue
        for target in targets.values():
            for _ in range(warmup):
                target.request(target.pages[index])
        gc.collect()
        samples = {scale: Measurement(t.pages[index], [], []) for scale, t in targets.items()}
        for _ in range(requests):
            for scale, target in targets.items():
                elapsed, cpu, count, statements = target.request(target.pages[index])
                sample = samples[scale]
                sample.times_ms.append(elapsed)
                sample.cpu_ms.append(cpu)
                sample.queries.append(count)
                sample.statements.append(statements)
        for scale, measurement in samples.items():
            results[scale].append(measurement)
    for target in targets.values():
        target.close()
    return results


# Reporting ---------------------------------------------------------------------------


def table_one(results: list[Measurement]) -> str:
    lines = [
        "| Page | median ms | p95 ms | CPU median ms | SQL queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for m in results:
        spread = "" if min(m.queries) == max(m.queries) else f" ({min(m.queries)}-)"
        lines.append(f"| {m.page.name} | {m.median:.1f} | {m.p95:.1f} | {m.cpu_median:.1f} "
                     f"| {m.query_count}{spread} |")
    return "\n".join(lines)


def verdict(small: Measurement, full: Measurement) -> tuple[bool, str]:
    problems = []
    if max(small.query_count, full.query_count) > MAX_QUERIES:
        problems.append(f"> {MAX_QUERIES} queries")
    if small.query_count != full.query_count:
        problems.append("queries grow with data")
    ratio = full.p95 / small.p95
    if full.page.max_p95_ms is not None:
        if full.p95 > full.page.max_p95_ms:
            problems.append(f"p95 {full.p95:.0f} ms > {full.page.max_p95_ms:g} ms")
    elif ratio > MAX_P95_RATIO:
        problems.append(f"p95 ratio {ratio:.1f} > {MAX_P95_RATIO:g}")
    return (not problems, "pass" if not problems else "**FAIL**: " + "; ".join(problems))


def table_compare(small: list[Measurement], full: list[Measurement]) -> tuple[str, list[str]]:
    lines = [
        "| Page | median 1/10 | p95 1/10 | median full | p95 full | p95 full / 1/10 "
        "| CPU median 1/10 | CPU median full | queries 1/10 | queries full | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    failures = []
    for s, f in zip(small, full, strict=True):
        ok, text_ = verdict(s, f)
        if not f.page.in_goal:
            text_ = "(not a goal) " + text_.replace("**FAIL**", "would fail") if not ok else \
                "(not a goal) pass"
        elif not ok:
            failures.append(f"{f.page.name}: {text_.removeprefix('**FAIL**: ')}")
        lines.append(
            f"| {f.page.name} | {s.median:.1f} | {s.p95:.1f} | {f.median:.1f} | {f.p95:.1f} "
            f"| {f.p95 / s.p95:.2f} | {s.cpu_median:.1f} | {f.cpu_median:.1f} "
            f"| {s.query_count} | {f.query_count} | {text_} |"
        )
    return "\n".join(lines), failures


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def _git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True, text=True, cwd=BENCH_DIR, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "coop", "migrations"],  # noqa: S607
            capture_output=True, text=True, cwd=BENCH_DIR.parent, check=True,
        ).stdout.strip()
        return revision + (" + uncommitted changes in coop/ or migrations/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_info(postgres_url: str | None) -> list[str]:
    import os
    import sqlite3

    import sqlalchemy

    info = [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Code: git {_git_revision()}",
        f"- Machine: {_cpu_model()}, {os.cpu_count()} cores, {_memory()} RAM; "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if postgres_url:
        from sqlalchemy import create_engine

        engine = create_engine(postgres_url)
        try:
            with engine.connect() as conn:
                version = conn.scalar(text("SHOW server_version"))
            info.append(f"- PostgreSQL {version} on the same machine (TCP, 127.0.0.1)")
        finally:
            engine.dispose()
    return info


def write_results(runs: dict, args) -> None:
    notes = ""
    if RESULTS_FILE.exists():
        existing = RESULTS_FILE.read_text()
        if NOTES_MARKER in existing:
            notes = existing.split(NOTES_MARKER, 1)[1]
    out = [
        "# Benchmark results",
        "",
        "Written by `python -m bench.run --all` (see `bench/README.md`). Server time per "
        f"request in ms: {args.warmup} untimed warm-up requests, then {args.requests} "
        "timed ones per page; p95 by nearest rank. CPU: the benchmark process's CPU time "
        "(on SQLite nearly all the work and little disturbed by other load; on PostgreSQL "
        "without the database server's work). Queries: SQL statements per request.",
        "",
        *machine_info(database_url("postgres", 1.0) if "postgres" in runs else None),
        "",
        f"Goals: every page at most {MAX_QUERIES} SQL queries, the same number at both "
        f"scales; p95 at full scale at most {MAX_P95_RATIO:g}x p95 at 1/10 scale. Rows marked "
        "\"not a goal\" are the last page of a list: OFFSET pagination reads all rows "
        "before it, so it grows with the data by design. Ledger reports aggregate every "
        f"line of their period instead: their goal is p95 at full scale at most "
        f"{REPORT_P95_MS} ms.",
        "",
    ]
    tables = list(runs[next(iter(runs))][1.0]["counts"])
    if tables:  # not with --no-generate
        out += [
            "## Data",
            "",
            "| Database | scale | " + " | ".join(tables) + " | generation s |",
            "|---|---|" + "---:|" * (len(tables) + 1),
        ]
        for db_name, by_scale in runs.items():
            for scale, run in by_scale.items():
                counts = " | ".join(f"{c:,}" for c in run["counts"].values())
                seconds = run["seconds"]["total"]
                out.append(f"| {db_name} | {scale:g} | {counts} | {seconds:.1f} |")
    all_failures = []
    for db_name, by_scale in runs.items():
        table, failures = table_compare(by_scale[0.1]["results"], by_scale[1.0]["results"])
        all_failures += [f"{db_name}: {f}" for f in failures]
        title = "SQLite" if db_name == "sqlite" else "PostgreSQL"
        load = by_scale[1.0]["load"]
        out += ["", f"## {title}", "", table, "",
                f"Load average (1/5/15 min) around the measurement: {load}."]
    out += ["", "## Verdict", ""]
    if all_failures:
        out += ["Goals **not met** on:", ""] + [f"- {f}" for f in all_failures]
    else:
        out.append("All pages meet both goals on both databases.")
    out += ["", NOTES_MARKER]
    RESULTS_FILE.write_text("\n".join(out) + (notes if notes else "\n"))


# Command line -------------------------------------------------------------------------


def generate_data(db_name: str, scale: float, args) -> dict[str, Any]:
    if args.no_generate:
        return {"counts": {}, "seconds": {"total": 0.0}}
    print(f"== generating {db_name} at scale {scale:g}", flush=True)
    return gen.generate(database_url(db_name, scale), scale, args.seed)


def print_results(db_name: str, scale: float, results: list[Measurement], show_sql: bool):
    print(f"\n== {db_name} at scale {scale:g}")
    print(table_one(results), flush=True)
    if show_sql:
        for m in results:
            print(f"\n-- {m.page.name}: {m.query_count} queries (median ms each)")
            for statement, ms in m.statement_report():
                print(f"   {ms:7.2f}  " + " ".join(statement.split())[:400])


def run_database(db_name: str, scales: tuple[float, ...], args) -> dict[float, dict]:
    """Generate `db_name` at each scale, then measure the scales side by side."""
    runs = {scale: dict(generate_data(db_name, scale, args)) for scale in scales}
    if args.candidate_indexes:
        for scale in scales:
            add_candidate_indexes(database_url(db_name, scale))
    load_before = _load()
    print(f"== measuring {db_name} at scale {', '.join(f'{s:g}' for s in scales)}",
          flush=True)
    measured = measure({s: database_url(db_name, s) for s in scales},
                       args.requests, args.warmup, args.page)
    load = f"{load_before} before, {_load()} after"
    for scale in scales:
        runs[scale].update(results=measured[scale], load=load)
        print_results(db_name, scale, measured[scale], args.show_sql)
    return runs


def _load() -> str:
    import os

    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--scale", type=float, nargs="+", default=[0.1],
                        help="1 = full city scale; two scales are measured side by side")
    parser.add_argument("--all", action="store_true",
                        help="both databases at both scales; writes bench/RESULTS.md")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--no-generate", action="store_true",
                        help="measure the data already there")
    parser.add_argument("--page", help="only pages whose name contains this")
    parser.add_argument("--candidate-indexes", action="store_true",
                        help="add the indexes in CANDIDATE_INDEXES before measuring")
    parser.add_argument("--show-sql", action="store_true",
                        help="print the statements of the last request of each page")
    args = parser.parse_args(argv)
    compile_translations()
    if args.all and args.candidate_indexes:
        parser.error("--all records the schema as migrated; use --candidate-indexes alone")
    if not args.all:
        runs = run_database(args.db, tuple(args.scale), args)
        if len(args.scale) == 2:
            small, full = sorted(runs)
            table, _ = table_compare(runs[small]["results"], runs[full]["results"])
            print(f"\n== {args.db}: {full:g} against {small:g}\n{table}")
        return
    runs = {db_name: run_database(db_name, SCALES, args) for db_name in DATABASES}
    write_results(runs, args)
    print(f"\nwritten to {RESULTS_FILE.relative_to(BENCH_DIR.parent)}")


if __name__ == "__main__":
    sys.exit(main())
