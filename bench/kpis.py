"""KPIs at city scale (issue 15): one year's figures for an agreement over 20,000
activities and 300,000 hour entries, and the merge of 30 coops' exports.

    python -m bench.kpis --db sqlite          # both scales, printed
    python -m bench.kpis --db postgres        # schemas kpis_scale_* in BENCH_POSTGRES_URL

Per scale (1/10 and full) the schema is built with the migrations and filled with Core
bulk inserts: 20 initiatives, 40 meeting places, `2,000 × scale` volunteers,
`300,000 × scale` hour entries, `20,000 × scale` activities, `5,000 × scale` members,
`5,000 × scale` gifts, allowances, jobs, events and initiative counts over 2025-2026.
Then `coop.kpis.reports.report_data` for one agreement over 2026 (every KPI's year
figure and its months, targets, money against the budget), cold session each time:
median, p95 and SQL statements. And `reports.merge` of 30 exports.

Goals: the year's figures p95 ≤ 200 ms with the same number of statements at both
scales; the merge of 30 exports ≤ 2 s.
"""

import argparse
import json
import math
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from bench.database import OUT_DIR, database_url, make_app, reset_database
from bench.generate import _finish, insert_rows

FULL = {"volunteers": 2000, "hours": 300_000, "activities": 20_000, "members": 5000,
        "donations": 5000}
RUNS = 15


def _url(db: str, scale: float) -> str:
    if db == "sqlite":
        return f"sqlite:///{OUT_DIR / f'kpis-{scale:g}.sqlite'}"
    return database_url("postgres", scale).replace("search_path%3Dscale_",
                                                   "search_path%3Dkpis_scale_")


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _day(rng, start=date(2025, 1, 1), days=730):
    return start + timedelta(days=rng.randrange(days))


def generate(app, scale: float, seed: int = 15) -> int:
    """Fill the migrated database; returns the agreement's id."""
    import flask_migrate

    from coop.activities.models import (
        Activity,
        InitiativeCount,
        MeetingPlace,
        NeighbourhoodEvent,
        PlaceMonthFigure,
    )
    from coop.donations.models import Donation
    from coop.extensions import db
    from coop.funders import services as funders
    from coop.kpis import services as kpis
    from coop.kpis.models import KpiDefinition
    from coop.ledger import services as ledger
    from coop.members.models import Membership, MembershipType, Person
    from coop.volunteers.models import Allowance, HourEntry, Initiative, Job, Volunteer

    rng = random.Random(seed)
    n = {key: int(value * scale) for key, value in FULL.items()}
    with app.app_context():
        flask_migrate.upgrade()
        ledger.ensure_chart()
        funder = funders.create_funder({"name": "Gemeente Bench", "kind": "municipality"})
        agreement = funders.create_agreement({
            "funder": funder, "kind": "grant_decision", "reference": "BENCH-2026",
            "title": "Subsidie", "amount_cents": 10_000_000, "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31)})
        kpis.ensure_predefined()
        for code in ("volunteer_hours", "participants", "members"):
            kpi = db.session.query(KpiDefinition).filter_by(code=code).one()
            kpis.add_target(agreement, kpi, date(2026, 1, 1), date(2026, 12, 31), "1000")
        db.session.commit()
        agreement_id = agreement.id
        conn = db.session.connection()
        insert_rows(conn, MembershipType.__table__, [{"id": 1, "code": "gewoon",
                    "name": "Gewoon", "yearly_dues_cents": 2500, "has_vote": True,
                    "is_active": True}])
        people = max(n["members"], n["volunteers"]) + 100
        insert_rows(conn, Person.__table__, ({
            "id": i, "kind": "person", "family_name": f"Bench{i}", "sort_name": f"bench{i}",
            "consent_electronic_convocation": False, "consent_newsletter": False,
            "created_at": datetime(2025, 1, 1, tzinfo=UTC),
            "updated_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for i in range(1, people + 1)))
        insert_rows(conn, Membership.__table__, ({
            "id": i, "person_id": i, "type_id": 1, "member_number": i,
            "start_date": _day(rng), "status": "active",
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for i in range(1, n["members"] + 1)))
        insert_rows(conn, Initiative.__table__, ({
            "id": i, "name": f"Initiatief {i}",
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)} for i in range(1, 21)))
        insert_rows(conn, MeetingPlace.__table__, ({
            "id": i, "name": f"Plek {i}", "kind": "community_centre",
            "opening_days_per_week": 5, "financially_supported": False,
            "records_visitors": True, "records_bar_turnover": True, "active": True,
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)} for i in range(1, 41)))
        insert_rows(conn, PlaceMonthFigure.__table__, ({
            "place_id": p, "month": date(y, m, 1), "visitors_per_day": 20,
            "bar_turnover_cents": 50000, "created_at": datetime(2025, 1, 1,
                                                                tzinfo=UTC)}
            for p in range(1, 41) for y in (2025, 2026) for m in range(1, 13)))
        insert_rows(conn, Volunteer.__table__, ({
            "id": i, "person_id": i, "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for i in range(1, n["volunteers"] + 1)))
        insert_rows(conn, HourEntry.__table__, ({
            "volunteer_id": rng.randint(1, n["volunteers"]),
            "initiative_id": rng.randint(1, 20), "work_date": _day(rng),
            "quarter_hours": rng.randint(1, 16),
            "status": "approved" if rng.random() > 0.01 else "submitted",
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for _ in range(n["hours"])))
        insert_rows(conn, Allowance.__table__, ({
            "volunteer_id": v, "initiative_id": 1, "kind": "allowance",
            "work_date": date(y, m, 28), "amount_cents": 5000, "expense_cents": 0,
            "approved_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for v in range(1, n["volunteers"] + 1, 4) for y in (2025, 2026)
            for m in range(1, 13)))
        insert_rows(conn, Activity.__table__, ({
            "initiative_id": rng.randint(1, 20), "place_id": rng.randint(1, 40),
            "title": "Activiteit", "activity_date": _day(rng),
            "participants": (p := rng.randint(0, 40)), "new_participants": p // 5,
            "volunteers": 2, "organised_by_residents": rng.random() < 0.4,
            "costs_cents": 0, "planned": False, "public": False,
            "created_at": datetime(2025, 1, 1, tzinfo=UTC),
            "updated_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for _ in range(n["activities"])))
        insert_rows(conn, Donation.__table__, ({
            "amount_cents": 1000, "donor_email": f"gever{rng.randint(1, 2000)}@example.org",
            "frequency": "one_off", "donor_kind": "private", "public_consent": False,
            "locale": "nl",
            "created_at": datetime.combine(_day(rng), datetime.min.time(), UTC)}
            for _ in range(n["donations"])))
        insert_rows(conn, Job.__table__, ({
            "title": "Buurtbaan", "person_id": i, "initiative_id": 1,
            "employer_kind": "coop" if i % 2 else "partner",
            "partner_name": None if i % 2 else "Partner", "contract_type": "internship",
            "fee_cents": 30000, "start_date": date(2025, 1, 1),
            "quarter_hours_per_week": 80,
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)} for i in range(1, 31)))
        insert_rows(conn, NeighbourhoodEvent.__table__, ({
            "event_date": _day(rng), "name": "Buurtfeest", "present": True,
            "sponsored": False, "sponsored_cents": 0,
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for _ in range(max(1, int(500 * scale)))))
        insert_rows(conn, InitiativeCount.__table__, ({
            "initiative_id": i, "kind": "peer_groups", "period_start": date(y, m, 1),
            "period_end": date(y, m, 28), "count": 2,
            "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for i in range(1, 21) for y in (2025, 2026) for m in range(1, 13)))
        _finish(conn, conn.dialect.name)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        db.session.commit()
    return agreement_id


def measure(app, agreement_id: int) -> dict:
    from coop.extensions import db
    from coop.kpis import reports
    from coop.kpis.models import KpiReport

    with app.test_request_context():
        agreement = db.session.get(reports.FunderAgreement, agreement_id)
        report = KpiReport(agreement_id=agreement_id, period_start=agreement.start_date,
                           period_end=agreement.end_date)
        statements = []
        engine = db.engine

        def count(*_args):
            statements.append(1)

        times = []
        for run in range(RUNS + 2):
            db.session.expire_all()
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            data = reports.report_data(report, today=date(2026, 12, 31))
            elapsed = (time.perf_counter() - started) * 1000
            event.remove(engine, "before_cursor_execute", count)
            if run >= 2:
                times.append(elapsed)
        figures = {k["code"]: k["value"] for k in data["kpis"]}
        exports = []
        for index in range(30):
            export = dict(data, coop={"name": f"Coop {index}"})
            for key in ("agreement", "targets", "money", "narrative", "theory_of_change"):
                export.pop(key, None)
            exports.append((f"coop-{index}.json", json.dumps(export).encode()))
        merge_times = []
        for _ in range(5):
            started = time.perf_counter()
            reports.merge(exports)
            merge_times.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return {"median": statistics.median(times), "p95": _p95(times),
            "statements": len(statements), "merge": statistics.median(merge_times),
            "hours": figures["volunteer_hours"], "activities": figures["activities"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--scales", default="0.1,1")
    args = parser.parse_args()
    for scale in [float(s) for s in args.scales.split(",")]:
        url = _url(args.db, scale)
        reset_database(url)
        app = make_app(url)
        started = time.perf_counter()
        agreement_id = generate(app, scale)
        generated = time.perf_counter() - started
        result = measure(app, agreement_id)
        print(f"{args.db} scale {scale:g} (generated in {generated:.0f} s): year figures "
              f"median {result['median']:.1f} ms, p95 {result['p95']:.1f} ms, "
              f"{result['statements']} statements; merge of 30 exports "
              f"{result['merge']:.0f} ms; check: {result['hours']} hours, "
              f"{result['activities']} activities")


if __name__ == "__main__":
    main()
