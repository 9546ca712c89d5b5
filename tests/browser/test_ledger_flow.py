"""The treasurer in Chromium: post an entry through the entry form, then read the
statement of income and expenditure and the balance sheet. Every page visited passes the
accessibility check."""

import pytest

from coop.extensions import db
from coop.ledger import services as ledger
from coop.settings.services import get_organisation
from tests.browser.helpers import assert_accessible, goto, log_in

pytestmark = pytest.mark.browser


def test_treasurer_posts_an_entry_and_reads_the_income_statement(page, live_server):
    with live_server.app.app_context():
        get_organisation()
        ledger.seed_default_chart()
        ledger.open_fiscal_year(2026)
        db.session.commit()
        db.session.remove()
    treasurer = live_server.create_user(roles=["treasurer"], two_factor=True)
    log_in(page, live_server, treasurer)

    page.locator("nav a[href='/finance/']").click()
    assert_accessible(page)
    page.locator("main a[href='/finance/entries/new']").first.click()
    assert_accessible(page)
    page.locator("#entry_date").fill("2026-03-08")
    page.locator("#description").fill("Baromzet week 10")
    page.locator("#lines-0-account").select_option("1000")
    page.locator("#lines-0-debit").fill("187,50")
    page.locator("#lines-1-account").select_option("8400")
    page.locator("#lines-1-credit").fill("187,50")
    with page.expect_navigation():
        page.locator("main button[type='submit']").click()
    assert_accessible(page)
    assert "2026-000001" in page.locator("main h1").inner_text()

    goto(page, live_server("/finance/reports/income-statement?year=2026"))
    statement = page.locator("main").inner_text()
    assert "Baten als tegenprestatie voor de levering van producten en/of diensten" in statement
    assert "187,50" in statement
    goto(page, live_server("/finance/reports/balance-sheet?year=2026"))
    assert "187,50" in page.locator("main").inner_text()
