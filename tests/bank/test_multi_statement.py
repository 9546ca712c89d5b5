"""A real bank export holds many statements: one per account per booking day, for every
account the user may see. The coop's accounts (settings) are imported in one go, the
others skipped with a line in the summary; each entry is imported once."""

import io
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from coop.audit import AuditEvent
from coop.bank import camt
from coop.bank import services as bank
from coop.bank.models import BankStatement, BankTransaction
from coop.bank.services import AccountValues, BankError
from coop.extensions import db
from coop.ledger.models import JournalLine, LedgerAccount
from coop.settings.models import BankAccount, BankAccountKind
from coop.settings.services import payment_iban
from tests import factories
from tests.bank.conftest import SAMPLES
from tests.pages import Page

CURRENT, SAVINGS, PRIVATE = "NL90RABO0310654321", "NL67RABO3102345678", "NL18RABO0355667788"


@pytest.fixture
def rabobank():
    return (SAMPLES / "rabobank_camt053_2026-01.xml").read_bytes()


@pytest.fixture
def two_accounts(books):
    factories.set_bank_account(CURRENT)
    factories.set_bank_account(SAVINGS, kind="savings")
    return books


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _account(code):
    return db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))


def test_a_rabobank_export_imports_every_statement_of_the_coops_accounts(
        two_accounts, rabobank):
    result = bank.import_statement(rabobank, "CAMT053_07-01-2026.xml")
    db.session.commit()

    assert (result.added, result.already_known) == (6, 0)
    statements = db.session.scalars(select(BankStatement).order_by(BankStatement.id)).all()
    assert [(s.account_iban, s.from_date, s.transaction_count) for s in statements] == [
        (CURRENT, date(2026, 1, 5), 2), (SAVINGS, date(2026, 1, 5), 1),
        (CURRENT, date(2026, 1, 6), 2), (SAVINGS, date(2026, 1, 6), 1)]
    assert [(s.iban, s.statements, s.entries) for s in result.skipped] == [(PRIVATE, 2, 2)]
    assert db.session.scalar(select(func.count(BankTransaction.id)).where(
        BankTransaction.account_iban == PRIVATE)) == 0
    dues_line = db.session.scalar(select(BankTransaction).where(
        BankTransaction.bank_reference == "0123456789012345"))
    # Booked at 2026-01-04T23:00:00.000Z: midnight in Amsterdam, so 5 January.
    assert dues_line.booking_date == date(2026, 1, 5)
    assert dues_line.remittance == "Contributie 2026 factuur 2026-00001 lid 17"
    assert dues_line.counterparty_iban == "NL02ABNA0123456789"


def test_importing_the_export_again_books_nothing_twice(two_accounts, rabobank):
    bank.import_statement(rabobank)
    db.session.commit()

    again = bank.import_statement(rabobank, "the same file")
    db.session.commit()

    assert (again.added, again.already_known, again.statements) == (0, 6, [])
    assert (_count(BankStatement), _count(BankTransaction)) == (4, 6)


def test_a_savings_account_set_later_imports_its_lines_from_the_same_file(books, rabobank):
    factories.set_bank_account(CURRENT)
    first = bank.import_statement(rabobank)
    db.session.commit()
    assert first.added == 4
    assert {s.iban for s in first.skipped} == {SAVINGS, PRIVATE}

    factories.set_bank_account(SAVINGS, kind="savings")
    second = bank.import_statement(rabobank)
    db.session.commit()

    assert (second.added, second.already_known) == (2, 4)
    assert _count(BankTransaction) == 6


def test_a_line_of_the_savings_account_is_booked_on_its_ledger_account(two_accounts, rabobank):
    bank.import_statement(rabobank)
    db.session.commit()
    interest = db.session.scalar(select(BankTransaction).where(
        BankTransaction.bank_reference == "0123456789012350"))

    entry = bank.book_transaction(interest, _account("8900"), "Rente spaarrekening Q4 2025")
    db.session.commit()

    lines = db.session.execute(
        select(LedgerAccount.code, JournalLine.debit_cents, JournalLine.credit_cents)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.entry_id == entry.id).order_by(LedgerAccount.code)).all()
    assert [tuple(row) for row in lines] == [("1110", 312, 0), ("8900", 0, 312)]


def test_a_file_of_only_other_accounts_is_refused_naming_them(two_accounts):
    data = camt.build_statement(
        iban=PRIVATE, statement_id="S-1", message_id="M-1", created="2026-01-07T06:00:00",
        opening_cents=0, entries=[{"amount_cents": 500, "booking_date": date(2026, 1, 5)}])

    with pytest.raises(BankError) as raised:
        bank.import_statement(data)

    with force_locale("nl"):
        message = str(raised.value.message)
    assert PRIVATE in message and CURRENT in message
    assert raised.value.field == "file"


@pytest.mark.parametrize(("written", "day"), [
    ("<DtTm>2014-01-04T23:00:00.000Z</DtTm>", date(2014, 1, 5)),  # midnight in winter
    ("<DtTm>2014-07-04T22:30:00Z</DtTm>", date(2014, 7, 5)),  # half past midnight, summer
    ("<DtTm>2014-01-04T21:00:00.000Z</DtTm>", date(2014, 1, 4)),
    ("<DtTm>2014-01-05T00:30:00+01:00</DtTm>", date(2014, 1, 5)),
    ("<Dt>2014-01-04</Dt>", date(2014, 1, 4)),  # a plain date stays that date
])
def test_booking_date_times_with_a_zone_are_the_day_in_amsterdam(two_accounts, written, day):
    data = camt.build_statement(
        iban=CURRENT, statement_id="S-1", message_id="M-1", created="2014-01-06T06:00:00",
        opening_cents=0, entries=[{"amount_cents": 500, "booking_date": date(2014, 1, 4),
                                   "bank_reference": "R1"}])
    data = data.replace(b"<BookgDt>\n          <Dt>2014-01-04</Dt>",
                        b"<BookgDt>\n          " + written.encode(), 1)
    assert written.encode() in data

    bank.import_statement(data)

    assert db.session.scalar(select(BankTransaction.booking_date)) == day


# The accounts as settings --------------------------------------------------------------


def test_treasurer_sets_the_current_and_savings_account_audited(
        client, login_as, treasurer, books):
    login_as(treasurer)
    response = client.post("/finance/bank/accounts", data={
        "current_iban": "nl90 rabo 0310 6543 21", "current_name": "Betaalrekening",
        "current_ledger_account": str(_account("1100").id),
        "savings_iban": SAVINGS, "savings_name": "BedrijfsSpaarrekening",
        "savings_ledger_account": str(_account("1110").id)})

    assert response.status_code == 302
    rows = {a.kind: (a.iban, a.name, a.ledger_account_id)
            for a in db.session.scalars(select(BankAccount))}
    assert rows == {"current": (CURRENT, "Betaalrekening", _account("1100").id),
                    "savings": (SAVINGS, "BedrijfsSpaarrekening", _account("1110").id)}
    assert payment_iban() == CURRENT
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "finance:bank:accounts"))
    assert event.details["changes"]["current"] == [
        None, {"iban": CURRENT, "name": "Betaalrekening", "ledger_account": "1100"}]
    page = Page(client.get("/finance/bank/accounts").text)
    assert page.by_id("savings_name").attrs.get("value") == "BedrijfsSpaarrekening"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"current_iban": "NL91RABO0310654321"}, "current_iban", "geen geldig iban"),
    ({"current_iban": "", "current_name": "", "current_ledger_account": ""}, "current_iban",
     "betaalrekening"),
    ({"savings_iban": CURRENT}, "savings_iban", "hetzelfde iban"),
    ({"savings_ledger_account": "1100"}, "savings_ledger_account", "eigen grootboekrekening"),
    ({"current_ledger_account": "8000"}, "current_ledger_account", "liquide middelen"),
    ({"savings_name": ""}, "savings_name", "naam"),
])
def test_bad_bank_accounts_are_refused_at_the_field_and_nothing_is_saved(
        client, login_as, treasurer, books, changes, field, message):
    form = {"current_iban": CURRENT, "current_name": "Betaalrekening",
            "current_ledger_account": "1100", "savings_iban": SAVINGS,
            "savings_name": "Spaarrekening", "savings_ledger_account": "1110"}
    form.update(changes)
    for key in ("current_ledger_account", "savings_ledger_account"):
        if form[key]:
            form[key] = str(_account(form[key]).id)
    login_as(treasurer)

    response = client.post("/finance/bank/accounts", data=form)

    assert response.status_code == 422
    assert message in Page(response.text).field_error(field).lower()
    assert _count(BankAccount) == 0


def test_the_import_page_names_the_skipped_account(client, login_as, treasurer, two_accounts,
                                                   rabobank):
    login_as(treasurer)
    response = client.post("/finance/bank/import", data={
        "file": (io.BytesIO(rabobank), "CAMT053_07-01-2026.xml")},
        content_type="multipart/form-data", follow_redirects=True)

    flashes = " ".join(Page(response.text).flashes())
    assert "6 banklijnen" in flashes or "6 bankregels" in flashes
    assert PRIVATE in flashes
    assert "2 afschriften" in flashes


def test_saving_unchanged_accounts_changes_nothing(books):
    factories.set_bank_account(CURRENT)
    values = {BankAccountKind.CURRENT: AccountValues(CURRENT, "Betaalrekening",
                                                     _account("1100"))}
    assert bank.save_bank_accounts(values) == {}


def test_moving_the_iban_from_savings_to_current_is_one_audited_change(books):
    factories.set_bank_account(CURRENT)
    factories.set_bank_account(SAVINGS, kind="savings")

    changes = bank.save_bank_accounts({
        BankAccountKind.CURRENT: AccountValues(SAVINGS, "Nieuwe betaalrekening",
                                               _account("1100")),
        BankAccountKind.SAVINGS: AccountValues(None, None, None),
    })
    db.session.commit()

    assert payment_iban() == SAVINGS
    assert _count(BankAccount) == 1
    assert changes["savings"] == [
        {"iban": SAVINGS, "name": "Spaarrekening", "ledger_account": "1110"}, None]
    assert changes["current"][1]["iban"] == SAVINGS
