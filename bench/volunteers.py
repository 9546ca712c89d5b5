"""Volunteers at city scale: 2,000 volunteers with 300,000 hour entries (issue 14).

    python -m bench.volunteers --db sqlite            # both scales, printed
    python -m bench.volunteers --all                  # SQLite and PostgreSQL; writes RESULTS.md

Per scale (1/10 and full) the schema is built with the migrations and filled with Core
bulk inserts: 20 initiatives, `2,000 × scale` volunteers each in one or two initiatives,
`300,000 × scale` hour entries over 2025-2026 (about 1 % still waiting for approval),
twelve approved allowances a volunteer, ten jobs. Then:

- **the cap check** (`services.check_allowance`, what every approval runs before it
  inserts): for random volunteers and days of 2026, cold (the session expired first, as
  in a new request); median, p95 and the SQL statements per check.
- **every new page**, as the board (and `/volunteers/me` as a volunteer): median, p95 and
  statements per request, 3 untimed and 20 timed requests each.

Goals (issue 14): the cap check p95 ≤ 10 ms and the same number of statements at both
scales; every new page at most 15 statements.
"""

import argparse
import os
import random
import statistics
from datetime import date, timedelta

from bench.database import BENCH_DIR, OUT_DIR, database_url, make_app, reset_database
from bench.generate import _finish, insert_rows
from bench.run import NOTES_MARKER, QueryCounter, compile_translations, machine_info, p95, timed

RESULTS_FILE = BENCH_DIR / "RESULTS.md"
SECTION = "## Volunteers: 2,000 volunteers, 300,000 hour entries (issue 14)"
FULL_VOLUNTEERS, FULL_HOURS = 2000, 300_000
PAGES = ["/volunteers/", "/volunteers/{volunteer_id}", "/volunteers/caps",
         "/volunteers/payments", "/jobs/", "/jobs/wage-cost", "/jobs/minimum-wage"]
OWN_PAGES = ["/volunteers/me"]


def _url(db: str, scale: float) -> str:
    """Files and schemas of their own: `bench.run` keeps its data."""
    if db == "sqlite":
        return f"sqlite:///{OUT_DIR / f'volunteers-{scale:g}.sqlite'}"
    return database_url("postgres", scale).replace("search_path%3Dscale_",
                                                   "search_path%3Dvolunteers_scale_")


def generate(app, scale: float, seed: int = 14) -> dict:
    """Fill the migrated database; returns ids the measurements need."""
    import flask_migrate

    from coop.accounts import services as accounts
    from coop.extensions import db
    from coop.ledger import services as ledger
    from coop.members.models import Person
    from coop.volunteers import jobs
    from coop.volunteers.models import (
        Allowance,
        HourEntry,
        Initiative,
        Volunteer,
        VolunteerInitiative,
    )

    rng = random.Random(seed)
    volunteers = int(FULL_VOLUNTEERS * scale)
    hours = int(FULL_HOURS * scale)
    with app.app_context():
        flask_migrate.upgrade()
        ledger.ensure_chart()
        board = accounts.create_user("bestuur@vrijwilligers.bench.test", "Bestuur",
                                     "bench-wachtwoord-2026", roles=["board"])
        own_user = accounts.create_user("vrijwilliger@vrijwilligers.bench.test",
                                        "Vrijwilliger", "bench-wachtwoord-2026",
                                        roles=["volunteer"])
        db.session.commit()
        conn = db.session.connection()
        insert_rows(conn, Initiative.__table__, (
            {"id": i, "name": f"Initiatief {i}", "created_at": _now()} for i in range(1, 21)))
        insert_rows(conn, Person.__table__, (
            {"id": i, "kind": "person", "given_name": f"Voornaam{i}",
             "family_name": f"Achternaam{i}", "sort_name": f"achternaam{i} voornaam{i}",
             "date_of_birth": date(1950 + i % 55, 1 + i % 12, 1 + i % 28),
             "user_id": own_user.id if i == 1 else None,
             "consent_electronic_convocation": False, "consent_newsletter": False,
             "created_at": _now(), "updated_at": _now()} for i in range(1, volunteers + 1)))
        insert_rows(conn, Volunteer.__table__, (
            {"id": i, "person_id": i, "iban": "NL91ABNA0417164300", "account_holder": f"V {i}",
             "created_at": _now()} for i in range(1, volunteers + 1)))
        memberships = {i: sorted({1 + i % 20, 1 + (i * 7) % 20}) for i in range(1, volunteers + 1)}
        insert_rows(conn, VolunteerInitiative.__table__, (
            {"volunteer_id": i, "initiative_id": initiative}
            for i, places in memberships.items() for initiative in places))

        def hour_rows():
            start = date(2025, 1, 1)
            for n in range(hours):
                volunteer = rng.randint(1, volunteers)
                day = start + timedelta(days=rng.randint(0, 668))  # to 2026-10-31
                yield {"volunteer_id": volunteer,
                       "initiative_id": rng.choice(memberships[volunteer]),
                       "work_date": day, "quarter_hours": rng.choice((4, 8, 12, 16)),
                       "status": "submitted" if n % 100 == 0 else "approved",
                       "created_at": _now()}

        insert_rows(conn, HourEntry.__table__, hour_rows())
        insert_rows(conn, Allowance.__table__, (
            {"volunteer_id": i, "initiative_id": memberships[i][0], "kind": "allowance",
             "work_date": date(2026, month, 28), "amount_cents": 5000 + i % 50 * 100,
             "expense_cents": 0, "approved_at": _now()}
            for i in range(1, volunteers + 1) for month in range(1, 11)))
        _finish(conn, conn.dialect.name)
        db.session.commit()
        if conn.dialect.name == "postgresql":
            with db.engine.connect() as raw:
                raw.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE")
        _jobs(jobs, db, rng)
        db.session.commit()
        return {"board": board.get_id(), "own": own_user.get_id(), "volunteers": volunteers}


def _jobs(jobs, db, rng) -> None:
    """Ten jobs through the service (it checks the WML the migration seeded)."""
    from coop.members.models import Person
    from coop.volunteers.models import Initiative

    for n in range(10):
        jobs.save_job(None, {
            "title": f"Buurtbaan {n}", "person": db.session.get(Person, n + 2),
            "initiative": db.session.get(Initiative, 1 + n % 20),
            "employer_kind": "coop" if n < 3 else "partner",
            "partner_name": None if n < 3 else f"Partner {n}", "contract_type": "employment",
            "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31),
            "quarter_hours_per_week": rng.choice((64, 96, 128)), "hourly_wage_cents": 1600})


def _now():
    from coop.timeutil import utcnow

    return utcnow()


def measure(db: str, scale: float, checks: int, requests: int, seed: int = 14) -> dict:
    from coop.extensions import db as database
    from coop.volunteers import services
    from coop.volunteers.models import Volunteer

    url = _url(db, scale)
    reset_database(url)
    app = make_app(url)
    made = generate(app, scale, seed)
    rng = random.Random(seed + 1)
    result = {"db": db, "scale": scale, "volunteers": made["volunteers"],
              "hours": int(FULL_HOURS * scale)}
    with app.app_context():
        counter = QueryCounter(database.engine)
        times, counts = [], []
        for _ in range(checks):
            volunteer = database.session.get(Volunteer, rng.randint(1, made["volunteers"]))
            day = date(2026, rng.randint(1, 10), rng.randint(1, 28))
            database.session.expire_all()
            _check, ms, statements = timed(counter, services.check_allowance, volunteer, day,
                                           1000, 0, 8, date(1980, 1, 1))
            times.append(ms)
            counts.append(statements)
        result["check"] = (statistics.median(times), p95(times), max(counts))
        database.session.remove()
    # Requests outside the app context: each gets its own, as in production (a shared
    # one would carry `g`, the logged-in user among it, from one request to the next).
    pages = {}
    for login, paths in (("board", PAGES), ("own", OWN_PAGES)):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = made[login]
            session["_fresh"] = True
        for path in paths:
            url_path = path.format(volunteer_id=1)
            for _ in range(3):
                client.get(url_path)
            times, counts = [], []
            for _ in range(requests):
                response, ms, statements = timed(counter, client.get, url_path)
                times.append(ms)
                counts.append(statements)
                assert response.status_code == 200, (url_path, response.status_code)
            pages[url_path.replace("/1", "/<id>") if "{" in path else url_path] = (
                statistics.median(times), p95(times), max(counts))
    result["pages"] = pages

    return result


def table(results: list[dict]) -> str:
    lines = ["| database | scale | what | median ms | p95 ms | SQL statements |",
             "|---|---:|---|---:|---:|---:|"]
    for r in results:
        median, p95, count = r["check"]
        lines.append(f"| {r['db']} | {r['scale']:g} ({r['volunteers']:,} volunteers, "
                     f"{r['hours']:,} hours) | cap check | {median:.2f} | {p95:.2f} | {count} |")
        for path, (median, p95, count) in r["pages"].items():
            lines.append(f"| {r['db']} | {r['scale']:g} | `{path}` | {median:.1f} | {p95:.1f} "
                         f"| {count} |")
    return "\n".join(lines)


def write_results(results: list[dict], load: str) -> None:
    from datetime import UTC, datetime

    text = RESULTS_FILE.read_text(encoding="utf-8")
    head, marker, notes = text.partition(NOTES_MARKER)
    if not marker:
        raise RuntimeError("RESULTS.md has no notes marker")
    start = notes.find(SECTION)
    if start >= 0:
        end = notes.find("\n## ", start + len(SECTION))
        notes = notes[:start] + (notes[end + 1:] if end >= 0 else "")
    section = "\n".join([
        SECTION, "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m bench.volunteers "
        "--all`. The cap check is `services.check_allowance` on a cold session (the "
        "caps row and the month's and year's totals: one query each); pages as the board, "
        "`/volunteers/me` as a volunteer.", "",
        table(results), "",
        *machine_info(database_url("postgres", 1.0) if any(
            r["db"] == "postgres" for r in results) else None),
        f"- Load average during the run: {load}", "", ""])
    RESULTS_FILE.write_text(head + marker + "\n\n" + section + notes.lstrip("\n"),
                            encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--all", action="store_true", help="both databases; write RESULTS.md")
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--scales", default="0.1,1",
                        help="comma-separated scales (a small one first on a busy machine)")
    args = parser.parse_args(argv)
    scales = [float(scale) for scale in args.scales.split(",")]
    compile_translations()
    databases = ("sqlite", "postgres") if args.all else (args.db,)
    results = [measure(name, scale, args.checks, args.requests)
               for name in databases for scale in scales]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(table(results))
    print(f"load average: {load}")
    if args.all:
        write_results(results, load)


if __name__ == "__main__":
    main()
