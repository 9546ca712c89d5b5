"""The demo coop has two years of books that hold together."""

from datetime import date

from coop.extensions import db
from coop.ledger import reports
from coop.ledger.models import FiscalYear


def test_demo_has_two_years_of_balanced_books_with_2025_closed_and_signed_off(app, client,
                                                                              login_as):
    from tests import factories

    assert app.test_cli_runner().invoke(args=["coop", "load-demo"]).exit_code == 0

    year_2025 = db.session.get(FiscalYear, 2025)
    assert year_2025.status == "closed" and year_2025.signed_off_at is not None
    for day in (date(2025, 12, 31), date(2026, 10, 31)):
        assert reports.balance_sheet(day).balances
    statement = reports.income_statement(date(2026, 1, 1), date(2026, 12, 31))
    categories = {group.category for group in statement.income}
    assert {"government_grants", "private_individuals", "goods_and_services",
            "other_nonprofits", "companies"} <= categories
    change = (reports.equity_including_result(date(2025, 12, 31))
              - reports.equity_including_result(date(2024, 12, 31)))
    opening = 1116240  # the opening balance of 1 January 2025
    assert change == opening + reports.income_statement(
        date(2025, 1, 1), date(2025, 12, 31)).result_cents

    login_as(factories.create_user(roles=["board"]))
    page = client.get("/finance/reports/income-statement?year=2026")
    assert page.status_code == 200
    assert "Subsidies gemeente" in page.text and "Right to Challenge" in page.text


def test_commands_seed_the_chart_and_open_a_year(app):
    from coop.ledger.models import LedgerAccount

    runner = app.test_cli_runner()
    first = runner.invoke(args=["coop", "seed-chart"])
    again = runner.invoke(args=["coop", "seed-chart"])
    opened = runner.invoke(args=["coop", "open-year", "2027"])
    twice = runner.invoke(args=["coop", "open-year", "2027"])

    assert first.exit_code == 0 and "accounts added" in first.output
    assert again.output.startswith("0 accounts")
    assert db.session.scalar(db.select(db.func.count()).select_from(LedgerAccount)) > 30
    assert opened.exit_code == 0 and "2027-01-01 to 2027-12-31" in opened.output
    assert twice.exit_code != 0 and "2027" in twice.output
