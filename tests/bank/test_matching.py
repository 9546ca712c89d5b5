"""Matching received money to dues invoices (suggested by reference, IBAN, name; the
treasurer confirms) and booking the other lines through the ledger."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coop.bank import camt
from coop.bank import services as bank
from coop.bank.models import BankTransaction
from coop.bank.services import BankError
from coop.dues.models import Invoice, Payment
from coop.extensions import db
from coop.funders import services as funders
from coop.ledger.models import JournalEntry, JournalLine, LedgerAccount
from coop.ledger.reports import income_statement
from tests import factories
from tests.bank.conftest import COOP_IBAN
from tests.pages import Page

DAY = date(2026, 3, 2)


def _import(*entries, statement_id="S-1"):
    data = camt.build_statement(iban=COOP_IBAN, statement_id=statement_id,
                                message_id=statement_id, created="2026-03-03T07:00:00",
                                opening_cents=0, entries=list(entries))
    result = bank.import_statement(data)
    db.session.commit()
    return db.session.scalars(select(BankTransaction).where(
        BankTransaction.statement_id == result.statement.id).order_by(BankTransaction.id)).all()


def _line(cents=2500, **values):
    return {"amount_cents": cents, "booking_date": DAY, **values}


def _account(code):
    return db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))


def test_structured_reference_suggests_the_invoice(bank_books):
    invoice = factories.create_invoice()
    other = factories.create_invoice()
    [line] = _import(_line(reference=invoice.payment_reference, bank_reference="R1"))

    suggestions = bank.suggestions(line)

    assert [(s.invoice.id, s.reason) for s in suggestions] == [(invoice.id, "reference")]
    assert other.id not in {s.invoice.id for s in suggestions}


def test_invoice_number_in_the_description_suggests_the_invoice(bank_books):
    invoice = factories.create_invoice()
    [line] = _import(_line(text=f"contributie {invoice.number} bewoner", bank_reference="R1"))
    assert [s.invoice.id for s in bank.suggestions(line)] == [invoice.id]


def test_a_reference_with_more_than_remains_is_not_suggested(bank_books):
    invoice = factories.create_invoice()  # € 25,00
    [line] = _import(_line(3000, reference=invoice.payment_reference, bank_reference="R1"))
    assert bank.suggestions(line) == []


def test_iban_of_an_earlier_payment_suggests_that_persons_next_invoice(bank_books):
    membership = factories.create_member()
    first = factories.create_invoice(membership, dues_year=2025, issue_date=date(2026, 1, 2))
    second = factories.create_invoice(membership, dues_year=2026)
    earlier, = _import(_line(reference=first.payment_reference, iban="NL20INGB0001234567",
                             bank_reference="R1"))
    bank.match_to_invoice(earlier, first)
    db.session.commit()

    [later] = _import(_line(iban="NL20INGB0001234567", text="contributie",
                            bank_reference="R2"), statement_id="S-2")

    assert [(s.invoice.id, s.reason) for s in bank.suggestions(later)] == [(second.id, "iban")]


def test_confirming_a_match_records_the_payment_and_posts_it(bank_books):
    invoice = factories.create_invoice()
    [line] = _import(_line(reference=invoice.payment_reference, bank_reference="R1"))

    payment = bank.match_to_invoice(line, invoice)
    db.session.commit()

    assert line.status == "matched"
    assert (payment.amount_cents, payment.paid_on, payment.method) == (2500, DAY,
                                                                       "bank_transfer")
    assert db.session.get(Invoice, invoice.id).status == "paid"
    entry = db.session.scalar(select(JournalEntry).where(
        JournalEntry.source == "dues_payment", JournalEntry.source_id == payment.id))
    assert entry.entry_date == DAY
    with pytest.raises(BankError, match="al gekoppeld"):
        bank.match_to_invoice(line, invoice)


def test_matching_more_than_remains_is_refused_and_saves_nothing(bank_books):
    invoice = factories.create_invoice()
    [line] = _import(_line(9999, bank_reference="R1"))
    with pytest.raises(BankError) as raised:
        bank.match_to_invoice(line, invoice)
    assert raised.value.field == "invoice"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert db.session.get(BankTransaction, line.id).status == "open"


def test_money_paid_out_cannot_pay_an_invoice(bank_books):
    invoice = factories.create_invoice()
    [line] = _import(_line(-2500, bank_reference="R1"))
    with pytest.raises(BankError, match="ontvangen geld"):
        bank.match_to_invoice(line, invoice)


def test_booking_a_grant_links_it_to_the_agreement(bank_books):
    funder = funders.create_funder({"name": "Gemeente Utrecht", "kind": "municipality"})
    agreement = funders.create_agreement({
        "funder": funder, "kind": "grant_decision", "reference": "Beschikking 2026-0102",
        "title": "Huiskamer", "amount_cents": 2_400_000, "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31)})
    [grant, rent] = _import(
        _line(1_500_000, iban="NL40BNGH0285177306", text="Subsidie 2026", bank_reference="R1"),
        _line(-145_000, iban="NL91ABNA0417164300", text="Huur maart", bank_reference="R2"))

    entry = bank.book_transaction(grant, _account("8100"), "Subsidie 2026, eerste termijn",
                                  agreement=agreement)
    bank.book_transaction(rent, _account("4200"), "Huur maart", agreement=agreement)
    db.session.commit()

    lines = db.session.scalars(select(JournalLine).where(JournalLine.entry_id == entry.id)
                               .order_by(JournalLine.id)).all()
    assert [(line.debit_cents, line.credit_cents) for line in lines] == [
        (1_500_000, 0), (0, 1_500_000)]
    row = funders.earmark_of(agreement)
    assert (row.received_cents, row.spent_cents, row.remaining_cents) == (
        1_500_000, 145_000, 2_255_000)
    statement = income_statement(date(2026, 1, 1), date(2026, 12, 31))
    assert statement.result_cents == 1_355_000


def test_earlier_bookings_of_a_counterparty_are_suggested(bank_books):
    [first] = _import(_line(-145_000, iban="NL91ABNA0417164300", bank_reference="R1"))
    bank.book_transaction(first, _account("4200"), "Huur februari")
    db.session.commit()
    [second] = _import(_line(-145_000, iban="NL91ABNA0417164300", bank_reference="R2"),
                       statement_id="S-2")

    suggestion, = bank.account_suggestions(second)

    assert (suggestion.code, suggestion.times) == ("4200", 1)


def test_booking_to_the_bank_account_itself_is_refused(bank_books):
    [line] = _import(_line(bank_reference="R1"))
    with pytest.raises(BankError) as raised:
        bank.book_transaction(line, _account("1100"), "Rente")
    assert raised.value.field == "account"


def test_booking_in_a_closed_year_is_refused_and_the_line_stays_open(bank_books):
    from coop.ledger import services as ledger

    ledger.open_fiscal_year(2025)
    db.session.commit()
    data = camt.build_statement(iban=COOP_IBAN, statement_id="S-9", message_id="S-9",
                                created="2026-01-03T07:00:00", opening_cents=0,
                                entries=[_line(bank_reference="R9") | {
                                    "booking_date": date(2025, 12, 30)}])
    bank.import_statement(data)
    ledger.close_fiscal_year(db.session.get(ledger.FiscalYear, 2025))
    db.session.commit()
    line = db.session.scalar(select(BankTransaction))
    with pytest.raises(BankError, match="2025"):
        bank.book_transaction(line, _account("8200"), "Gift")
    db.session.rollback()
    assert db.session.get(BankTransaction, line.id).status == "open"


def test_treasurer_matches_and_books_through_the_pages(client, login_as, treasurer,
                                                       bank_books):
    invoice = factories.create_invoice()
    [payment_line, cost_line] = _import(
        _line(reference=invoice.payment_reference, bank_reference="R1"),
        _line(-1250, text="Kosten betalingsverkeer", bank_reference="R2"))
    login_as(treasurer)

    page = Page(client.get(f"/finance/bank/transactions/{payment_line.id}").text)
    assert invoice.number in page.by_id("suggestions").text
    response = client.post(f"/finance/bank/transactions/{payment_line.id}/match",
                           data={"invoice": invoice.number})
    assert response.status_code == 302
    assert db.session.get(Invoice, invoice.id).status == "paid"

    bad = client.post(f"/finance/bank/transactions/{cost_line.id}/book",
                      data={"account": "", "description": "Bankkosten"})
    assert bad.status_code == 422
    assert Page(bad.text).field_error("account")
    response = client.post(f"/finance/bank/transactions/{cost_line.id}/book",
                           data={"account": str(_account("4900").id),
                                 "description": "Bankkosten maart"})
    assert response.status_code == 302
    assert db.session.get(BankTransaction, cost_line.id).status == "booked"
    page = Page(client.get("/finance/bank/").text)
    assert page.by_id("open-count").text.endswith(": 0.")


def test_auditor_reads_the_bank_lines_but_cannot_match(client, login_as, make_user,
                                                       bank_books):
    invoice = factories.create_invoice()
    [line] = _import(_line(reference=invoice.payment_reference, bank_reference="R1"))
    login_as(make_user(roles=["auditor"]))
    assert client.get(f"/finance/bank/transactions/{line.id}").status_code == 200
    assert client.post(f"/finance/bank/transactions/{line.id}/match",
                       data={"invoice": invoice.number}).status_code == 403
    assert db.session.get(Invoice, invoice.id).status == "open"


# An invoice paid twice --------------------------------------------------------------


def test_a_line_naming_an_invoice_paid_already_says_so_and_books_an_overpayment_to_refund(
        client, login_as, treasurer, bank_books):
    invoice = factories.create_invoice(given_name="Anouk", family_name="Verbeek")
    first, = _import(_line(reference=invoice.payment_reference, bank_reference="R1"))
    bank.match_to_invoice(first, invoice)
    db.session.commit()
    again, = _import(_line(text=f"Contributie {invoice.number}", bank_reference="R2"),
                     statement_id="S-2")
    login_as(treasurer)

    page = Page(client.get(f"/finance/bank/transactions/{again.id}").text)
    notice = page.by_id("paid-already").text
    assert f"Factuur {invoice.number} is al betaald op 2 mrt 2026; dubbel betaald?" in notice
    assert "Geen openstaande contributiefactuur" not in page.root.text

    # Matching it again is refused with the same words, at the field.
    refused = client.post(f"/finance/bank/transactions/{again.id}/match",
                          data={"invoice": invoice.number})
    assert refused.status_code == 422
    assert "al betaald op 2 mrt 2026" in Page(refused.text).field_error("invoice")

    response = client.post(f"/finance/bank/transactions/{again.id}/overpayment",
                           data={"invoice": invoice.number})
    assert response.status_code == 302

    db.session.expire_all()
    line = db.session.get(BankTransaction, again.id)
    assert line.status == "booked"
    rows = db.session.execute(
        select(LedgerAccount.code, JournalLine.debit_cents, JournalLine.credit_cents,
               JournalLine.invoice_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.entry_id == line.journal_entry_id).order_by(LedgerAccount.code)
    ).all()
    assert [tuple(r) for r in rows] == [("1100", 2500, 0, invoice.id),
                                        ("1600", 0, 2500, invoice.id)]
    entry = db.session.get(JournalEntry, line.journal_entry_id)
    assert invoice.number in entry.description and "Verbeek" not in entry.description
    # The invoice received one payment only.
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    overview = Page(client.get("/finance/bank/").text).by_id("overpayments").text
    assert invoice.number in overview and "Anouk Verbeek" in overview and "25,00" in overview


def test_an_overpayment_on_an_open_invoice_is_refused(bank_books):
    invoice = factories.create_invoice()
    line, = _import(_line(reference=invoice.payment_reference, bank_reference="R1"))

    with pytest.raises(BankError) as raised:
        bank.book_overpayment(line, invoice)

    assert raised.value.field == "invoice"
    assert db.session.get(BankTransaction, line.id).status == "open"
