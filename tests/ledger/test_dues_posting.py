"""Dues post to the ledger by themselves: invoice, payment, credit note, write-off, each
once, in the same transaction as the dues action."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coop.dues import services as dues
from coop.extensions import db
from coop.ledger import reports
from coop.ledger import services as ledger
from coop.ledger.models import EntrySource, FiscalYear, JournalEntry
from tests import factories


def _balance(code: str, as_of=date(2026, 12, 31)) -> int:
    rows = {r.code: r for r in reports.trial_balance(date(2026, 1, 1), as_of).rows}
    return rows[code].closing_cents if code in rows else 0


def _entries(source) -> int:
    return db.session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.source == source)
    )


def test_issued_invoice_posts_receivable_against_dues_income_opening_chart_and_year(app):
    invoice = factories.create_invoice()  # € 25,00 on 15 January 2026, no chart yet

    assert _balance("1300") == 2500
    assert _balance("8000") == -2500
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.source_id == invoice.id))
    assert entry.reference == invoice.number
    assert entry.entry_date == date(2026, 1, 15)
    assert db.session.get(FiscalYear, 2026).status == "open"


def test_payment_moves_the_receivable_to_the_bank_or_the_cash(app):
    invoice = factories.create_invoice()
    dues.record_payment(invoice, 1000, date(2026, 1, 20), "bank_transfer",
                        today=date(2026, 2, 1))
    dues.record_payment(invoice, 1500, date(2026, 1, 21), "cash", today=date(2026, 2, 1))
    db.session.commit()

    assert _balance("1100") == 1000
    assert _balance("1000") == 1500
    assert _balance("1300") == 0
    assert _entries(EntrySource.DUES_PAYMENT) == 2


def test_credit_note_reverses_the_invoice_posting(app):
    invoice = factories.create_invoice()
    dues.credit_invoice(invoice, date(2026, 2, 1), "Dubbel")
    db.session.commit()

    assert _balance("1300") == 0
    assert _balance("8000") == 0
    assert _entries(EntrySource.DUES_INVOICE) == 2


def test_write_off_posts_the_remainder_to_bad_debts(app):
    invoice = factories.create_invoice()
    dues.record_payment(invoice, 500, date(2026, 1, 20), "cash", today=date(2026, 2, 1))
    dues.write_off(invoice, "Vertrokken zonder adres", today=date(2026, 6, 1))
    db.session.commit()

    assert _balance("4850") == 2000
    assert _balance("1300") == 0


def test_generating_dues_twice_posts_each_invoice_once(app):
    factories.create_member()
    factories.create_member()
    dues.generate_dues(2026, date(2026, 1, 15))
    dues.generate_dues(2026, date(2026, 1, 15))
    db.session.commit()

    assert _entries(EntrySource.DUES_INVOICE) == 2
    assert _balance("8000") == -5000


def test_payment_dated_in_a_closed_year_is_refused_and_nothing_saved(app):
    invoice = factories.create_invoice(issue_date=date(2025, 12, 15))
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2025))
    db.session.commit()

    with pytest.raises(dues.DuesError, match="2025 is afgesloten") as refused:
        dues.record_payment(invoice, 2500, date(2025, 12, 30), "bank_transfer",
                            today=date(2026, 1, 5))
    db.session.rollback()

    assert refused.value.field == "paid_on"
    assert dues.paid_cents(invoice) == 0
    assert _entries(EntrySource.DUES_PAYMENT) == 0


def test_dues_entries_name_the_invoice_not_the_member_and_pages_show_the_name_by_link(
        app, client, login_as, make_user):
    from coop.members.models import Person
    from coop.privacy import services as privacy
    from tests.pages import Page

    membership = factories.create_member(given_name="Wilhelmina", family_name="Brandsma")
    invoice = factories.create_invoice(membership)
    dues.record_payment(invoice, 2500, date(2026, 1, 20), "bank_transfer",
                        today=date(2026, 2, 1))
    dues.credit_invoice(factories.create_invoice(membership, dues_year=2025),
                        date(2026, 2, 1), "Dubbel")
    db.session.commit()

    descriptions = db.session.scalars(select(JournalEntry.description)).all()
    assert len(descriptions) == 4
    assert not [d for d in descriptions if "Brandsma" in d or "Wilhelmina" in d]
    assert f"Contributiefactuur {invoice.number}" in descriptions
    assert f"Betaling contributiefactuur {invoice.number}" in descriptions

    login_as(make_user(roles=["board"]))
    journal = Page(client.get("/finance/entries?year=2026").text)
    person = db.session.scalar(select(Person).where(Person.family_name == "Brandsma"))
    links = _entry_person_links(journal)
    assert {a.text for a in links} == {"Wilhelmina Brandsma"}
    assert {a.attrs.get("href") for a in links} == {f"/members/{person.id}"}
    entry = db.session.scalar(select(JournalEntry).where(
        JournalEntry.description == f"Contributiefactuur {invoice.number}"))
    assert "Wilhelmina Brandsma" in Page(client.get(f"/finance/entries/{entry.id}").text).root.text

    privacy.anonymise(person)
    db.session.commit()
    journal = Page(client.get("/finance/entries?year=2026").text)
    assert "Brandsma" not in journal.root.text
    assert {a.text for a in _entry_person_links(journal)} == {
        privacy.ANONYMISED_NAME}


def _entry_person_links(page):
    return [e for e in page.root.iter()
            if e.tag == "a" and "entry-person" in (e.attrs.get("class") or "")]
