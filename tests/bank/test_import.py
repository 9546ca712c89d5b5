"""Importing CAMT statements: what is read, idempotence, and refused files that save
nothing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coop.bank import camt
from coop.bank import services as bank
from coop.bank.models import BankStatement, BankTransaction
from coop.bank.services import BankError
from coop.extensions import db
from tests.bank.conftest import COOP_IBAN


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _statement(entries, **changes) -> bytes:
    values = {"iban": COOP_IBAN, "statement_id": "S-1", "message_id": "M-1",
              "created": "2026-03-03T07:00:00", "opening_cents": 100_000,
              "entries": entries, **changes}
    return camt.build_statement(**values)


def test_sample_statement_is_read_line_by_line(bank_books, sample):
    result = bank.import_statement(sample, "camt053_2026-03.xml")
    db.session.commit()

    assert result.added == 5
    statement = db.session.scalar(select(BankStatement))
    assert (statement.opening_balance_cents, statement.closing_balance_cents) == (
        845_000, 2_206_250)
    rows = db.session.scalars(select(BankTransaction).order_by(BankTransaction.id)).all()
    assert [(t.direction, t.amount_cents) for t in rows] == [
        ("credit", 2500), ("credit", 5000), ("credit", 1_500_000), ("debit", 145_000),
        ("debit", 1250)]
    first, second, grant, rent, costs = rows
    assert first.structured_reference == "2026-00001"
    assert first.counterparty_iban == "NL20INGB0001234567"
    assert second.remittance == "Contributie 2026 factuur 2026-00002"
    assert grant.remittance == "Subsidie 2026 beschikking 2026-0102 eerste termijn"
    assert rent.counterparty_name == "STICHTING HUISVESTING LICHTENBERG"
    assert costs.remittance == "Kosten betalingsverkeer februari 2026"
    assert {t.status for t in rows} == {"open"}


def test_importing_the_same_file_twice_adds_nothing(bank_books, sample):
    bank.import_statement(sample)
    db.session.commit()

    again = bank.import_statement(sample)
    db.session.commit()

    assert (again.added, again.already_known) == (0, 5)
    assert (_count(BankStatement), _count(BankTransaction)) == (1, 5)


def test_an_overlapping_statement_adds_only_the_new_lines(bank_books):
    day = date(2026, 3, 2)
    first = [{"amount_cents": 2500, "booking_date": day, "bank_reference": "R1"},
             {"amount_cents": 5000, "booking_date": day, "bank_reference": "R2"}]
    bank.import_statement(_statement(first))
    db.session.commit()

    result = bank.import_statement(_statement(
        [*first, {"amount_cents": 700, "booking_date": day, "bank_reference": "R3"}],
        statement_id="S-2", message_id="M-2"))
    db.session.commit()

    assert (result.added, result.already_known) == (1, 2)
    assert _count(BankTransaction) == 3


def test_lines_without_a_bank_reference_are_recognised_by_their_content(bank_books):
    day = date(2026, 3, 2)
    same = {"amount_cents": 2500, "booking_date": day, "iban": "NL20INGB0001234567",
            "text": "Contributie"}
    bank.import_statement(_statement([same, dict(same)]))  # paid twice the same day
    db.session.commit()
    assert _count(BankTransaction) == 2

    result = bank.import_statement(_statement([same, dict(same)], message_id="M-9"))
    assert result.added == 0


@pytest.mark.parametrize(("data", "message"), [
    (b"", "leeg"),
    (b"this is not xml", "geen leesbaar XML"),
    (b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'>"
     b"</Document>", "geen CAMT.053"),
    (b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
     b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>&x;</Document>",
     "DOCTYPE"),
])
def test_unreadable_files_are_refused_and_nothing_is_saved(bank_books, data, message):
    with pytest.raises(BankError) as raised:
        bank.import_statement(data)
    assert raised.value.field == "file"
    assert message.lower() in str(raised.value.message).lower() or message in _dutch(raised)
    db.session.rollback()
    assert (_count(BankStatement), _count(BankTransaction)) == (0, 0)


def _dutch(raised) -> str:
    from flask_babel import force_locale

    with force_locale("nl"):
        return str(raised.value.message)


def test_a_foreign_currency_statement_is_refused(bank_books):
    data = _statement([{"amount_cents": 2500, "booking_date": date(2026, 3, 2),
                        "bank_reference": "R1"}], currency="USD")
    with pytest.raises(BankError) as raised:
        bank.import_statement(data)
    assert "USD" in _dutch(raised)
    assert "euro" in _dutch(raised)


def test_one_bad_line_refuses_the_whole_file(bank_books):
    good = {"amount_cents": 2500, "booking_date": date(2026, 3, 2), "bank_reference": "R1"}
    data = _statement([good, {**good, "bank_reference": "R2"}]).replace(
        b"<Amt Ccy=\"EUR\">25.00</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>BOOK",
        b"<Amt Ccy=\"EUR\">25.001</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>BOOK",
        1)
    assert b"25.001" in data
    with pytest.raises(BankError) as raised:
        bank.import_statement(data)
    assert "25.001" in _dutch(raised)
    db.session.rollback()
    assert _count(BankTransaction) == 0


def test_a_statement_of_another_account_is_refused(bank_books):
    data = _statement([{"amount_cents": 2500, "booking_date": date(2026, 3, 2)}],
                      iban="NL91ABNA0417164300")
    with pytest.raises(BankError) as raised:
        bank.import_statement(data)
    assert "NL91ABNA0417164300" in _dutch(raised)


def test_a_missing_booking_date_is_refused(bank_books, sample):
    data = sample.replace(b"<BookgDt>\n          <Dt>2026-03-02</Dt>",
                          b"<BookgDt>\n          <Dt>2026-02-30</Dt>", 1)
    with pytest.raises(BankError) as raised:
        bank.import_statement(data)
    assert "2026-02-30" in _dutch(raised)


def test_a_camt_052_report_imports_booked_lines_only(bank_books):
    data = _statement([
        {"amount_cents": 2500, "booking_date": date(2026, 3, 2), "bank_reference": "R1"},
        {"amount_cents": 900, "booking_date": date(2026, 3, 2), "bank_reference": "R2"},
    ]).replace(b"camt.053.001.02", b"camt.052.001.02").replace(
        b"BkToCstmrStmt", b"BkToCstmrAcctRpt").replace(b"<Stmt>", b"<Rpt>").replace(
        b"</Stmt>", b"</Rpt>").replace(b"<Sts>BOOK</Sts>", b"<Sts>PDNG</Sts>", 1)

    result = bank.import_statement(data)

    assert result.added == 1
    assert db.session.scalar(select(BankStatement.format)) == "camt.052"


def test_import_page_refuses_a_bad_file_at_the_field(client, login_as, treasurer, bank_books):
    import io

    from tests.pages import Page

    login_as(treasurer)
    response = client.post("/finance/bank/import", data={
        "file": (io.BytesIO(b"<html>not a statement</html>"), "afschrift.xml")},
        content_type="multipart/form-data")

    assert response.status_code == 422
    assert "CAMT.053" in Page(response.text).field_error("file")
    assert _count(BankTransaction) == 0


def test_import_page_imports_and_a_second_time_says_nothing_is_new(
        client, login_as, treasurer, bank_books, sample):
    import io

    from tests.pages import Page

    login_as(treasurer)
    first = client.post("/finance/bank/import", data={
        "file": (io.BytesIO(sample), "afschrift.xml")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "5 banklijnen" in Page(first.text).root.text or "5 bankregels" in Page(
        first.text).root.text
    second = client.post("/finance/bank/import", data={
        "file": (io.BytesIO(sample), "afschrift.xml")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "Niets nieuws" in Page(second.text).root.text
    assert _count(BankTransaction) == 5
