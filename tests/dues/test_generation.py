"""Generating a year's dues: who pays, how much, numbering, idempotence, concurrency."""

import threading
from datetime import date

import pytest
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.dues import services
from coop.dues.models import Invoice, InvoiceLine, InvoiceSequence
from coop.extensions import db
from coop.members import services as members
from tests import factories
from tests.conftest import ON_POSTGRES

ISSUE = date(2026, 1, 15)


def invoices():
    return db.session.scalars(select(Invoice).order_by(Invoice.sequence_number)).all()


def invoice_of(membership, year=2026):
    return db.session.scalar(
        select(Invoice).where(Invoice.membership_id == membership.id, Invoice.dues_year == year)
    )


def generate(year=2026, issue=ISSUE):
    result = services.generate_dues(year, issue)
    db.session.commit()
    return result


def test_generation_invoices_each_paying_member_once(organisation):
    organisation()
    resident = factories.create_membership_type("bewoner", name="Bewoner", dues_cents=2500)
    first = factories.create_member(membership_type=resident)
    second = factories.create_member(membership_type=resident)

    result = generate()

    assert (result.created, result.skipped) == (2, 0)
    assert invoice_of(first).total_cents == 2500
    assert invoice_of(second).total_cents == 2500
    assert invoice_of(first).due_date == date(2026, 2, 14)  # 30 days' payment term
    line = db.session.scalar(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_of(first).id)
    )
    assert line.description == "Contributie 2026 (Bewoner)"


def test_running_generation_twice_creates_no_second_invoice(organisation):
    organisation()
    factories.create_member()
    factories.create_member()
    generate()
    before = [(i.id, i.number, i.total_cents) for i in invoices()]

    again = generate(issue=date(2026, 2, 1))

    assert (again.created, again.already_invoiced) == (0, 2)
    assert [(i.id, i.number, i.total_cents) for i in invoices()] == before


def test_a_member_who_joined_after_the_first_run_is_invoiced_by_the_second(organisation):
    organisation(dues_proration="full")
    factories.create_member()
    generate()
    newcomer = factories.create_member(start_date=date(2026, 3, 1))

    result = generate(issue=date(2026, 3, 10))

    assert (result.created, result.already_invoiced) == (1, 1)
    assert invoice_of(newcomer).number == "2026-00002"


def test_the_database_refuses_a_second_invoice_for_a_membership_and_year(organisation):
    from sqlalchemy.exc import IntegrityError

    organisation()
    membership = factories.create_member()
    invoice = factories.create_invoice(membership)

    duplicate = Invoice(
        issuer={"name": "Wijkcoöperatie Test"},
        fiscal_year=2026, sequence_number=99, number="2026-00099", person_id=invoice.person_id,
        membership_id=membership.id, dues_year=2026, issue_date=ISSUE, due_date=ISSUE,
        total_cents=2500, payment_reference="2026-00099", addressee_name="X",
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("proration", "start", "yearly", "expected"),
    [
        ("monthly", date(2026, 4, 10), 2500, 1875),  # April to December: 9/12
        ("monthly", date(2026, 1, 1), 2500, 2500),  # the whole year
        ("monthly", date(2026, 12, 31), 1000, 83),  # 1/12 of € 10,00 = 0,8333… → € 0,83
        ("monthly", date(2026, 7, 1), 1000, 500),  # 6/12
        ("monthly", date(2026, 11, 5), 1000, 167),  # 2/12 = 1,6666… → € 1,67 (half up)
        ("monthly", date(2025, 6, 1), 2500, 2500),  # joined last year: the whole year
        ("full", date(2026, 10, 1), 2500, 2500),
    ],
)
def test_dues_of_the_joining_year_follow_the_proration_setting(
    organisation, proration, start, yearly, expected
):
    organisation(dues_proration=proration)
    membership_type = factories.create_membership_type(dues_cents=yearly)
    membership = factories.create_member(membership_type=membership_type, start_date=start)

    generate()

    assert invoice_of(membership).total_cents == expected


def test_monthly_proration_names_the_months_on_the_line(organisation):
    organisation(dues_proration="monthly")
    membership_type = factories.create_membership_type(name="Bewoner")
    membership = factories.create_member(membership_type=membership_type,
                                         start_date=date(2026, 4, 1))

    generate()

    line = db.session.scalar(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_of(membership).id)
    )
    assert line.description == "Contributie 2026 (Bewoner), 9/12 jaar"
    assert (line.quantity, line.unit_cents, line.amount_cents) == (1, 1875, 1875)


def test_free_first_year_issues_no_invoice_in_the_joining_year(organisation):
    organisation(dues_proration="free_first_year")
    newcomer = factories.create_member(start_date=date(2026, 2, 1))
    veteran = factories.create_member(start_date=date(2025, 2, 1))

    result = generate()

    assert invoice_of(newcomer) is None
    assert invoice_of(veteran).total_cents == 2500
    assert (result.created, result.not_charged) == (1, 1)
    # The next year the newcomer pays in full.
    generate(year=2027, issue=date(2027, 1, 15))
    assert invoice_of(newcomer, 2027).total_cents == 2500


def test_proration_follows_a_fiscal_year_that_starts_in_july(organisation):
    organisation(fiscal_year_start_month=7, dues_proration="monthly")
    # Fiscal year 2026 runs from 1 July 2026 to 30 June 2027; October to June is 9 months.
    membership = factories.create_member(start_date=date(2026, 10, 3))

    generate(year=2026, issue=date(2026, 11, 1))

    invoice = invoice_of(membership)
    assert invoice.total_cents == 1875
    assert invoice.number == "2026-00001"


def test_who_pays_dues_for_the_year(organisation):
    organisation(dues_proration="full")
    paying = factories.create_membership_type(dues_cents=2500)
    free = factories.create_membership_type(dues_cents=0)
    active = factories.create_member(membership_type=paying)
    suspended = factories.create_member(membership_type=paying)
    members.change_status(suspended, "suspended", date(2025, 6, 1), "wanbetaling")
    ended_before = factories.create_member(membership_type=paying)
    members.change_status(ended_before, "ended", date(2025, 12, 31), "opgezegd")
    ended_during = factories.create_member(membership_type=paying)
    members.change_status(ended_during, "ended", date(2026, 3, 31), "verhuisd")
    aspirant = factories.create_member(membership_type=paying, status="aspirant")
    starts_next_year = factories.create_member(membership_type=paying,
                                               start_date=date(2027, 1, 1))
    free_member = factories.create_member(membership_type=free)
    db.session.commit()

    generate()

    assert invoice_of(active) is not None
    assert invoice_of(suspended) is not None  # a suspension does not end the membership
    assert invoice_of(ended_during).total_cents == 2500  # BW 2:36 lid 4: the whole year
    for skipped in (ended_before, aspirant, starts_next_year, free_member):
        assert invoice_of(skipped) is None


def test_numbers_are_sequential_without_gaps_per_fiscal_year(organisation):
    organisation()
    for _ in range(5):
        factories.create_member()

    generate()
    generate(year=2027, issue=date(2027, 1, 10))  # a new fiscal year starts at 1 again

    numbers = [(i.fiscal_year, i.number) for i in invoices()]
    assert sorted(n for y, n in numbers if y == 2026) == [f"2026-{n:05d}" for n in range(1, 6)]
    assert sorted(n for y, n in numbers if y == 2027) == [f"2027-{n:05d}" for n in range(1, 6)]
    assert db.session.get(InvoiceSequence, 2026).last_number == 5
    # The payment reference is unique and short enough for a bank transfer.
    references = [i.payment_reference for i in invoices()]
    assert len(set(references)) == len(references)
    assert all(len(r) <= 35 for r in references)


def test_dues_issued_before_their_year_are_numbered_in_the_issue_year(organisation):
    organisation()
    membership = factories.create_member()

    generate(year=2027, issue=date(2026, 12, 1))

    invoice = invoice_of(membership, 2027)
    assert (invoice.number, invoice.fiscal_year, invoice.dues_year) == ("2026-00001", 2026, 2027)


def test_a_rolled_back_generation_leaves_no_gap(organisation):
    organisation()
    factories.create_member()
    services.generate_dues(2026, ISSUE)
    db.session.rollback()

    factories.create_member()
    generate()

    assert [i.number for i in invoices()] == ["2026-00001", "2026-00002"]


def test_generation_is_audited(organisation):
    organisation()
    factories.create_member()

    generate()

    tags = db.session.scalars(select(AuditEvent.tag).order_by(AuditEvent.id)).all()
    assert tags.count("finance:invoice:issue") == 1
    assert tags[-1] == "finance:dues:generate"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "finance:dues:generate"))
    assert event.details["created"] == 1
    assert event.details["first_number"] == "2026-00001"


def test_an_impossible_year_is_refused(organisation):
    organisation()
    with pytest.raises(services.DuesError):
        services.generate_dues(1850, ISSUE)


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://…): SQLite has one "
    "writer at a time, so it cannot show row locking between concurrent sessions",
)
def test_concurrent_generation_on_postgres_is_gap_free_without_duplicates(app, organisation):
    organisation()
    count = 12
    for _ in range(count):
        factories.create_member()
    db.session.remove()

    # Three runs for 2026 and three for 2027, all issued in fiscal year 2026: they share
    # one sequence, and each year's runs race each other for the same memberships.
    jobs = [2026, 2027] * 3
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(year):
        with app.app_context():
            try:
                barrier.wait()
                services.generate_dues(year, ISSUE)
                db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(year,)) for year in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    rows = invoices()
    assert [i.sequence_number for i in rows] == list(range(1, 2 * count + 1))
    assert len({(i.membership_id, i.dues_year) for i in rows}) == 2 * count
    assert db.session.get(InvoiceSequence, 2026).last_number == 2 * count


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: see the test above")
def test_concurrent_first_use_of_a_new_years_sequence_on_postgres(app, organisation):
    organisation()
    memberships = [factories.create_member() for _ in range(6)]
    ids = [m.id for m in memberships]
    db.session.remove()
    barrier = threading.Barrier(len(ids))
    errors = []

    def run(membership_id):
        with app.app_context():
            try:
                barrier.wait()
                services.generate_dues(2026, ISSUE, membership_ids=[membership_id])
                db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert [i.number for i in invoices()] == [f"2026-{n:05d}" for n in range(1, 7)]
