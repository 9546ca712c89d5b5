"""The ledger through its pages: the treasurer posts and corrects, bad input is refused
at its field with nothing saved, reports show their figures and export them, the
kascommissie records findings and signs off."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AuditFinding, FiscalYear, JournalEntry, LedgerAccount
from coop.ledger.services import Line
from tests.pages import Page


@pytest.fixture
def as_treasurer(books, login_as, treasurer):
    return login_as(treasurer)


def _entry_form(day="2026-03-08", description="Baromzet week 10", lines=(), **extra):
    data = {"entry_date": day, "description": description, "reference": "Kasblad 10"}
    for n, (account, debit, credit) in enumerate(lines):
        data[f"lines-{n}-account"] = account
        data[f"lines-{n}-debit"] = debit
        data[f"lines-{n}-credit"] = credit
    return {**data, **extra}


def _entries() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def test_treasurer_posts_an_entry_through_the_form(client, as_treasurer):
    response = client.post("/finance/entries/new", data=_entry_form(
        lines=[("1000", "187,50", ""), ("8400", "", "187,50")]))

    assert response.status_code == 302
    entry = db.session.scalar(select(JournalEntry))
    page = Page(client.get(response.location).text)
    assert entry.description == "Baromzet week 10"
    assert "8400 Baromzet" in page.root.text
    assert "€ 187,50" in page.root.text


@pytest.mark.parametrize(
    ("lines", "day", "field_id", "message"),
    [
        ([("1000", "100,00", ""), ("8400", "", "99,99")], "2026-03-08", "lines",
         "sluit niet"),
        ([("1000", "12,505", ""), ("8400", "", "12,505")], "2026-03-08", "lines-0-debit",
         "twee cijfers achter de komma"),
        ([("9999", "10,00", ""), ("8400", "", "10,00")], "2026-03-08", "lines-0-account",
         "Onbekende rekening"),
        ([("1000", "10,00", ""), ("8400", "", "10,00")], "2027-02-01", "entry_date",
         "boekjaar"),
    ],
    ids=["unbalanced", "three-decimals", "unknown-account", "no-open-year"],
)
def test_bad_entry_is_refused_at_its_field_and_nothing_is_saved(
    client, as_treasurer, lines, day, field_id, message,
):
    response = client.post("/finance/entries/new", data=_entry_form(day=day, lines=lines))

    assert response.status_code == 422
    page = Page(response.text)
    assert message in (page.field_error(field_id) or ""), page.field_error(field_id)
    assert _entries() == 0


def test_posting_in_a_closed_year_is_refused_at_the_date(client, as_treasurer):
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    db.session.commit()

    response = client.post("/finance/entries/new", data=_entry_form(
        lines=[("1000", "10,00", ""), ("8400", "", "10,00")]))

    assert response.status_code == 422
    assert "2026 is afgesloten" in Page(response.text).field_error("entry_date")
    assert _entries() == 0


def test_treasurer_reverses_an_entry_with_a_reason(client, as_treasurer):
    entry = ledger.post_entry(date(2026, 3, 1), "Zaalhuur", [
        Line("1100", debit_cents=4500), Line("8300", credit_cents=4500)])
    db.session.commit()

    refused = client.post(f"/finance/entries/{entry.id}/reverse",
                          data={"entry_date": "2026-03-05", "reason": ""})
    assert refused.status_code == 422
    assert Page(refused.text).field_error("reason")
    response = client.post(f"/finance/entries/{entry.id}/reverse",
                           data={"entry_date": "2026-03-05", "reason": "Verkeerde huurder"})

    assert response.status_code == 302
    assert "Correctie van 2026-000001: Verkeerde huurder" in client.get(response.location).text
    assert _entries() == 2


def test_reports_show_balanced_totals(client, books, login_as, make_user):
    login_as(make_user(roles=["board"]))
    ledger.post_entry(date(2026, 2, 1), "Subsidie gemeente", [
        Line("1100", debit_cents=2400000), Line("8100", credit_cents=2400000)])
    ledger.post_entry(date(2026, 4, 1), "Huur", [
        Line("4200", debit_cents=900000), Line("1100", credit_cents=900000)])
    db.session.commit()

    trial = client.get("/finance/reports/trial-balance?year=2026")
    statement = client.get("/finance/reports/income-statement?year=2026")
    sheet = client.get("/finance/reports/balance-sheet?year=2026")

    assert trial.status_code == statement.status_code == sheet.status_code == 200
    assert "Totaal € 0,00 € 33.000,00 € 33.000,00 € 0,00" in Page(trial.text).root.text
    text = Page(statement.text).root.text
    assert "Baten van subsidies van overheden" in text
    assert "Besteed aan doelstellingen" in text
    assert "€ 15.000,00" in text  # the result
    assert "Totaal activa € 15.000,00" in Page(sheet.text).root.text


def test_reports_export_as_csv_and_xlsx(client, books, login_as, make_user):
    login_as(make_user(roles=["auditor"]))
    ledger.post_entry(date(2026, 3, 8), "Bar", [
        Line("1000", debit_cents=18750), Line("8400", credit_cents=18750)])
    db.session.commit()

    csv = client.get("/finance/reports/income-statement?year=2026&format=csv")
    xlsx = client.get("/finance/reports/trial-balance?year=2026&format=xlsx")

    assert csv.status_code == 200
    assert "8400;Baromzet;187,50" in csv.data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Code"
    assert ["8400", "Baromzet", 0, 0, 187.5, -187.5] in rows


def test_general_ledger_lists_the_lines_with_a_running_balance(client, books, login_as,
                                                                make_user):
    login_as(make_user(roles=["board"]))
    for day, cents in ((date(2026, 3, 1), 1000), (date(2026, 3, 2), 2500)):
        ledger.post_entry(day, "Bar", [Line("1000", debit_cents=cents),
                                       Line("8400", credit_cents=cents)])
    db.session.commit()
    cash = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "1000"))

    response = client.get(f"/finance/reports/general-ledger/{cash.id}?year=2026")

    assert response.status_code == 200
    assert "€ 35,00" in Page(response.text).root.text


def test_account_category_must_fit_its_kind(client, as_treasurer):
    response = client.post("/finance/accounts/new", data={
        "code": "8600", "name": "Verkoop kaarten", "kind": "income", "category": "objectives",
        "purpose": "", "is_active": "y"})

    assert response.status_code == 422
    assert "categorie" in Page(response.text).field_error("category")
    assert db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "8600")) is None


def test_treasurer_adds_an_account(client, as_treasurer):
    response = client.post("/finance/accounts/new", data={
        "code": "8600", "name": "Verkoop kaarten", "kind": "income",
        "category": "goods_and_services", "purpose": "", "is_active": "y"})

    assert response.status_code == 302
    assert db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "8600"))


def test_kascommissie_records_a_finding_and_signs_off_a_closed_year(
    client, books, login_as, make_user,
):
    login_as(make_user(roles=["auditor"]))
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    db.session.commit()

    empty = client.post("/finance/years/2026/findings", data={"finding-text": " "})
    assert empty.status_code == 422
    client.post("/finance/years/2026/findings",
                data={"finding-text": "Kasverschil van € 2,10 verklaard."})
    response = client.post("/finance/years/2026/sign-off")

    assert response.status_code == 302
    page = client.get("/finance/years/2026").text
    assert "Kasverschil van € 2,10 verklaard." in page
    assert db.session.scalar(select(func.count()).select_from(AuditFinding)) == 1
    db.session.expire_all()
    assert db.session.get(FiscalYear, 2026).signed_off_at is not None


def test_reopening_needs_a_reason(client, as_treasurer):
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    db.session.commit()

    refused = client.post("/finance/years/2026/reopen", data={"reopen-reason": ""})
    assert refused.status_code == 422
    response = client.post("/finance/years/2026/reopen",
                           data={"reopen-reason": "Energiefactuur vergeten"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FiscalYear, 2026).status == "open"


def test_budget_page_shows_budget_actual_and_difference(client, as_treasurer):
    account = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "4200"))
    ledger.post_entry(date(2026, 4, 1), "Huur", [
        Line("4200", debit_cents=90000), Line("1100", credit_cents=90000)])
    db.session.commit()

    bad = client.post("/finance/budgets", data={
        "fiscal_year": "2026", "account": str(account.id), "amount": "850,001"})
    assert bad.status_code == 422
    assert "twee cijfers achter de komma" in Page(bad.text).field_error("amount")
    client.post("/finance/budgets", data={
        "fiscal_year": "2026", "account": str(account.id), "amount": "850,00"})
    page = Page(client.get("/finance/budgets?year=2026").text).root.text

    assert "€ 850,00 € 900,00 € 50,00" in page
