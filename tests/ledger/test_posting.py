"""Posting and reversing journal entries: the service refuses what does not balance,
and the database refuses it again, and refuses any change to what was posted."""

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from coop.audit import AuditEvent
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import EntrySource, JournalEntry, JournalLine, LedgerAccount
from coop.ledger.services import LedgerError, Line


def _rent(amount=45000, day=date(2026, 3, 1), **options):
    return ledger.post_entry(
        day, "Zaalhuur buurthuis maart",
        [Line("1100", debit_cents=amount), Line("8300", credit_cents=amount)],
        reference="F-2026-17", **options,
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_balanced_entry_is_posted_numbered_and_audited(books):
    entry = _rent()
    db.session.commit()

    assert entry.status == "posted"
    assert entry.display_number == "2026-000001"
    lines = ledger.entry_lines(entry)
    assert [(line.debit_cents, line.credit_cents) for line in lines] == [(45000, 0), (0, 45000)]
    tags = db.session.scalars(select(AuditEvent.tag)).all()
    assert "finance:entry:post" in tags
    assert _rent(day=date(2026, 3, 2)).display_number == "2026-000002"


def test_unbalanced_entry_is_refused_with_the_difference_and_nothing_is_saved(books):
    with pytest.raises(LedgerError) as refused:
        ledger.post_entry(
            date(2026, 3, 1), "Baromzet",
            [Line("1000", debit_cents=10000), Line("8400", credit_cents=9999)],
        )
    db.session.rollback()

    assert refused.value.field == "lines"
    assert "0,01" in str(refused.value.message)
    assert _count(JournalEntry) == 0
    assert _count(JournalLine) == 0


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([Line("1000", debit_cents=100)], "lines"),
        ([Line("9999", debit_cents=100), Line("8400", credit_cents=100)], "lines-0-account"),
        ([Line("1000", debit_cents=100, credit_cents=100), Line("8400", credit_cents=0)],
         "lines-0-debit"),
        ([Line("1000"), Line("8400")], "lines-0-debit"),
        ([Line("1000", debit_cents=10.5), Line("8400", credit_cents=10.5)], "lines-0-debit"),
        ([Line("1000", debit_cents=-100), Line("8400", credit_cents=-100)], "lines-0-debit"),
        ([Line("1000", debit_cents=100), Line("8400", credit_cents=100, cost_centre_id=999)],
         "lines-1-cost_centre"),
    ],
    ids=["one-line", "unknown-account", "both-sides", "no-amount", "fraction-of-a-cent",
         "negative", "unknown-cost-centre"],
)
def test_bad_lines_are_refused_at_their_field(books, lines, field):
    with pytest.raises(LedgerError) as refused:
        ledger.post_entry(date(2026, 3, 1), "Fout", lines)
    db.session.rollback()

    assert refused.value.field == field
    assert _count(JournalEntry) == 0


def test_inactive_account_is_refused(books):
    db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "8300")).is_active = False
    db.session.commit()

    with pytest.raises(LedgerError, match="niet meer in gebruik") as refused:
        _rent()
    assert refused.value.field == "lines-1-account"


def test_date_outside_any_fiscal_year_is_refused(books):
    with pytest.raises(LedgerError, match="open eerst dat boekjaar") as refused:
        _rent(day=date(2027, 1, 2))
    db.session.rollback()

    assert refused.value.field == "entry_date"
    assert _count(JournalEntry) == 0


def test_empty_description_is_refused(books):
    with pytest.raises(LedgerError) as refused:
        ledger.post_entry(date(2026, 3, 1), "  ",
                          [Line("1000", debit_cents=1), Line("8400", credit_cents=1)])
    assert refused.value.field == "description"


def test_same_source_event_posts_only_once(books):
    lines = [Line("1300", debit_cents=2500), Line("8000", credit_cents=2500)]
    ledger.post_entry(date(2026, 1, 15), "Contributie", lines,
                      source=EntrySource.DUES_PAYMENT, source_id=7)
    db.session.commit()

    with pytest.raises(IntegrityError):
        ledger.post_entry(date(2026, 1, 15), "Contributie", lines,
                          source=EntrySource.DUES_PAYMENT, source_id=7)
    db.session.rollback()
    assert _count(JournalEntry) == 1


# The database itself -------------------------------------------------------------------


def _draft_with_lines(debit: int, credit: int) -> int:
    """An entry written past the service: a draft with two lines."""
    db.session.execute(text(
        "INSERT INTO journal_entry (fiscal_year, number, entry_date, description, status, "
        "source, created_at) VALUES (2026, 99, '2026-05-01', 'Handwerk', 'draft', 'manual', "
        "CURRENT_TIMESTAMP)"
    ))
    entry_id = db.session.scalar(text("SELECT id FROM journal_entry WHERE number = 99"))
    accounts = dict(db.session.execute(text("SELECT code, id FROM ledger_account")).all())
    for account, d, c in ((accounts["1000"], debit, 0), (accounts["8400"], 0, credit)):
        db.session.execute(text(
            "INSERT INTO journal_line (entry_id, account_id, debit_cents, credit_cents) "
            "VALUES (:e, :a, :d, :c)"), {"e": entry_id, "a": account, "d": d, "c": c})
    return entry_id


def test_database_refuses_to_post_an_unbalanced_entry(books):
    entry_id = _draft_with_lines(1000, 999)

    with pytest.raises(DBAPIError, match="does not balance"):
        db.session.execute(
            text("UPDATE journal_entry SET status = 'posted' WHERE id = :id"), {"id": entry_id}
        )
        db.session.commit()
    db.session.rollback()
    assert _count(JournalEntry) == 0


def test_database_posts_a_balanced_entry_written_by_hand(books):
    entry_id = _draft_with_lines(1000, 1000)
    db.session.execute(
        text("UPDATE journal_entry SET status = 'posted' WHERE id = :id"), {"id": entry_id}
    )
    db.session.commit()

    assert db.session.get(JournalEntry, entry_id).status == "posted"


def test_database_refuses_an_entry_inserted_as_posted(books):
    with pytest.raises(DBAPIError, match="does not balance"):
        db.session.execute(text(
            "INSERT INTO journal_entry (fiscal_year, number, entry_date, description, status, "
            "source, created_at) VALUES (2026, 98, '2026-05-01', 'Zonder regels', 'posted', "
            "'manual', CURRENT_TIMESTAMP)"
        ))
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_line SET debit_cents = debit_cents + 100 WHERE debit_cents > 0",
        "UPDATE journal_line SET account_id = (SELECT id FROM ledger_account WHERE code = '1000')",
        "DELETE FROM journal_line",
        "UPDATE journal_entry SET description = 'Herschreven'",
        "UPDATE journal_entry SET entry_date = '2026-04-01'",
        "UPDATE journal_entry SET status = 'draft'",
        "DELETE FROM journal_entry",
    ],
)
def test_database_refuses_changes_to_a_posted_entry(books, statement):
    _rent()
    db.session.commit()

    with pytest.raises(DBAPIError, match="immutable"):
        db.session.execute(text(statement))
    db.session.rollback()

    entry = db.session.scalar(select(JournalEntry))
    assert entry.description == "Zaalhuur buurthuis maart"
    assert [line.debit_cents for line in ledger.entry_lines(entry)] == [45000, 0]


def test_database_refuses_a_line_added_to_a_posted_entry(books):
    entry = _rent()
    db.session.commit()
    account_id = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.code == "1000"))

    with pytest.raises(DBAPIError, match="immutable"):
        db.session.execute(text(
            "INSERT INTO journal_line (entry_id, account_id, debit_cents, credit_cents) "
            "VALUES (:e, :a, 5, 0)"), {"e": entry.id, "a": account_id})
    db.session.rollback()
    assert len(ledger.entry_lines(entry)) == 2


def test_database_refuses_a_posting_in_a_closed_year(books):
    db.session.execute(text(
        "UPDATE fiscal_year SET status = 'closed', closed_at = CURRENT_TIMESTAMP"
    ))
    db.session.commit()

    with pytest.raises(DBAPIError, match="fiscal year is closed"):
        _draft_with_lines(1000, 1000)
    db.session.rollback()


# Reversal ----------------------------------------------------------------------------


def test_reversal_mirrors_the_lines_and_is_audited(books):
    entry = _rent()
    db.session.commit()

    reversal = ledger.reverse_entry(entry, date(2026, 3, 5), "Dubbel geboekt")
    db.session.commit()

    assert reversal.reverses_entry_id == entry.id
    assert reversal.source == "reversal"
    assert "Dubbel geboekt" in reversal.description
    assert [(line.debit_cents, line.credit_cents) for line in ledger.entry_lines(reversal)] == [
        (0, 45000), (45000, 0)
    ]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "finance:entry:reverse")
    )
    assert event.details["reason"] == "Dubbel geboekt"
    assert event.details["number"] == entry.display_number


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [(date(2026, 3, 5), " ", "reason"), (date(2026, 2, 1), "Te vroeg", "entry_date"),
     (date(2027, 3, 1), "Geen boekjaar", "entry_date")],
)
def test_bad_reversal_is_refused_and_saves_nothing(books, day, reason, field):
    entry = _rent()
    db.session.commit()

    with pytest.raises(LedgerError) as refused:
        ledger.reverse_entry(entry, day, reason)
    db.session.rollback()

    assert refused.value.field == field
    assert _count(JournalEntry) == 1


def test_an_entry_is_reversed_once_and_a_reversal_not_at_all(books):
    entry = _rent()
    reversal = ledger.reverse_entry(entry, date(2026, 3, 5), "Fout")
    db.session.commit()

    with pytest.raises(LedgerError, match="al teruggedraaid"):
        ledger.reverse_entry(entry, date(2026, 3, 6), "Nog eens")
    with pytest.raises(LedgerError, match="kan niet worden teruggedraaid"):
        ledger.reverse_entry(reversal, date(2026, 3, 6), "Terug")


# The chart and the fiscal year ---------------------------------------------------------


def test_fiscal_year_follows_the_organisations_start_month(app):
    from coop.settings.services import get_organisation

    organisation = get_organisation()
    organisation.fiscal_year_start_month = 7
    db.session.add(organisation)
    ledger.seed_default_chart()
    year = ledger.open_fiscal_year(2026)
    entry = _rent(day=date(2027, 3, 1))

    assert (year.start_date, year.end_date) == (date(2026, 7, 1), date(2027, 6, 30))
    assert entry.fiscal_year == 2026
    with pytest.raises(LedgerError, match="open eerst dat boekjaar"):
        _rent(day=date(2026, 6, 30))


def test_an_account_with_postings_keeps_its_kind(books):
    _rent()
    account = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "8300"))

    with pytest.raises(LedgerError) as refused:
        ledger.update_account(account, {"code": "8300", "name": "Zaalverhuur",
                                        "kind": "expense", "category": "objectives"})
    assert refused.value.field == "kind"
    ledger.update_account(account, {"code": "8300", "name": "Verhuur zalen",
                                    "kind": "income", "category": "goods_and_services"})
    assert account.name == "Verhuur zalen"


def test_seeding_the_chart_twice_adds_nothing_and_every_result_account_has_a_category(app):
    assert ledger.seed_default_chart() > 30
    assert ledger.seed_default_chart() == 0
    accounts = db.session.scalars(select(LedgerAccount)).all()
    income = {a.category for a in accounts if a.kind == "income"}
    assert {"private_individuals", "government_grants", "goods_and_services"} <= income
    assert all(a.category for a in accounts)
