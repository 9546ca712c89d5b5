"""Approved allowances are booked: expense against payable to the volunteer."""

from datetime import date

from coop.extensions import db
from coop.ledger.models import JournalEntry, JournalLine, LedgerAccount
from tests.volunteers.conftest import approve, make_volunteer, seed_caps


def _lines(entry_id):
    return sorted(
        (code, line.debit_cents, line.credit_cents, line.person_id)
        for line, code in db.session.execute(
            db.select(JournalLine, LedgerAccount.code)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalLine.entry_id == entry_id)))


def test_an_approved_allowance_with_costs_is_payable_to_the_volunteer(app):
    seed_caps()
    volunteer, initiative = make_volunteer()

    allowance = approve(volunteer, initiative, date(2026, 3, 10), 5000, expense_cents=1200,
                        today=date(2026, 4, 2))

    entry = db.session.get(JournalEntry, allowance.journal_entry_id)
    assert entry.entry_date == date(2026, 4, 2)
    assert entry.reference == f"VRIJW-{allowance.id}"
    assert _lines(entry.id) == [
        ("1600", 0, 6200, volunteer.person_id),
        ("4000", 1200, 0, None),
        ("4000", 5000, 0, None),
    ]


def test_a_gift_voucher_counts_for_the_caps_but_is_not_payable_to_the_volunteer(app):
    seed_caps()
    volunteer, initiative = make_volunteer()

    allowance = approve(volunteer, initiative, date(2026, 3, 10), 2500, kind="gift_voucher")

    assert allowance.journal_entry_id is None
    assert db.session.scalar(db.select(db.func.count(JournalEntry.id))) == 0
