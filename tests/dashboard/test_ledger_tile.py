"""The ledger tile on the dashboard: bank balance, this year's result so far and the
open dues receivables, each linking to its report."""

from datetime import timedelta

from coop import timeutil
from coop.dues import services as dues
from coop.extensions import db
from coop.fiscal import fiscal_year_bounds, fiscal_year_of
from coop.ledger import services as ledger
from coop.ledger.services import Line
from coop.money import format_money
from coop.permissions import Role
from coop.settings.services import get_organisation
from tests import factories
from tests.pages import Page


def _money(cents: int) -> str:
    """As the page reads (Page.text folds the non-breaking space)."""
    return " ".join(format_money(cents).split())


def _books_of_this_and_last_year():
    today = timeutil.local_today()
    start_month = get_organisation().fiscal_year_start_month
    year = fiscal_year_of(today, start_month)
    ledger.seed_default_chart()
    ledger.open_fiscal_year(year - 1)
    ledger.open_fiscal_year(year)
    return today, year, fiscal_year_bounds(year, start_month)[0]


def test_ledger_tile_shows_bank_result_and_receivables(client, login_as):
    today, year, year_start = _books_of_this_and_last_year()
    # Last year: in the bank balance, not in this year's result.
    ledger.post_entry(year_start - timedelta(days=1), "Zaalhuur december", [
        Line("1100", debit_cents=100_000), Line("8300", credit_cents=100_000)])
    ledger.post_entry(today, "Baromzet", [
        Line("1100", debit_cents=50_000), Line("8400", credit_cents=50_000)])
    ledger.post_entry(today, "Activiteit", [
        Line("4300", debit_cents=12_000), Line("1100", credit_cents=12_000)])
    invoice = factories.create_invoice(dues_year=year, issue_date=today)
    dues.record_payment(invoice, 1_000, today, "bank_transfer")
    db.session.commit()
    login_as(factories.create_user(roles=[Role.BOARD]))

    page = Page(client.get("/dashboard/").text)

    bank = page.by_id("ledger-bank")
    assert bank.text == _money(100_000 + 50_000 - 12_000 + 1_000)
    assert "/finance/reports/general-ledger/" in bank.children[0].attrs["href"]
    result = page.by_id("ledger-result")
    assert result.text == _money(50_000 - 12_000 + invoice.total_cents)
    assert result.children[0].attrs["href"] == (
        f"/finance/reports/income-statement?year={year}")
    receivables = page.by_id("ledger-receivables")
    assert receivables.text == _money(invoice.total_cents - 1_000)
    assert receivables.children[0].attrs["href"] == "/dues/?status=open"


def test_ledger_tile_without_a_bank_account_says_so(client, login_as):
    _books_of_this_and_last_year()
    bank = db.session.scalar(db.select(ledger.LedgerAccount).where(
        ledger.LedgerAccount.code == "1100"))
    ledger.update_account(bank, {"code": "1100", "name": "Bank", "kind": "asset",
                                 "category": "liquid_assets", "purpose": None})
    db.session.commit()
    login_as(factories.create_user(roles=[Role.AUDITOR]))

    page = Page(client.get("/dashboard/").text)

    assert "Er is geen rekening als bankrekening ingesteld." in page.by_id("ledger-bank").text
    assert page.by_id("ledger-result").text == _money(0)


def test_ledger_tile_is_for_finance_readers_only(client, login_as):
    login_as(factories.create_user(roles=[Role.ADMIN]))

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert Page(response.text).by_id("ledger-card") is None
