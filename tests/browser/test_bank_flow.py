"""The treasurer in Chromium: import a CAMT.053 statement, match a payment to a dues
invoice, and read the statement of income and expenditure. Every page visited passes
the accessibility check."""

from datetime import date

import pytest

from coop.bank import camt
from coop.extensions import db
from coop.ledger import services as ledger
from coop.settings.services import get_organisation
from tests import factories
from tests.browser.helpers import assert_accessible, goto, log_in

pytestmark = pytest.mark.browser
IBAN = "NL12TRIO0198765432"


def test_treasurer_imports_a_statement_matches_a_payment_and_reads_the_results(
        page, live_server, tmp_path):
    with live_server.app.app_context():
        get_organisation()
        ledger.seed_default_chart()
        factories.set_bank_account(IBAN)
        ledger.open_fiscal_year(2026)
        invoice = factories.create_invoice()
        number, reference, name = (invoice.number, invoice.payment_reference,
                                   invoice.addressee_name)
        db.session.commit()
        db.session.remove()
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(camt.build_statement(
        iban=IBAN, statement_id="B-1", message_id="B-1", created="2026-03-03T07:00:00",
        opening_cents=0, entries=[
            {"amount_cents": 2500, "booking_date": date(2026, 3, 2), "name": name.upper(),
             "iban": "NL20INGB0001234567", "reference": reference, "bank_reference": "R1"},
            {"amount_cents": 5000, "booking_date": date(2026, 3, 2), "name": "A DE BOER",
             "text": "Gift", "bank_reference": "R2"},
        ]))
    treasurer = live_server.create_user(roles=["treasurer"], two_factor=True)
    log_in(page, live_server, treasurer)

    page.locator("nav a[href='/finance/bank/']").click()
    assert_accessible(page)
    page.locator("main a[href='/finance/bank/import']").click()
    assert_accessible(page)
    page.locator("#file").set_input_files(str(statement))
    with page.expect_navigation():
        page.locator("main button[type='submit']").click()
    assert_accessible(page)
    assert "2 bankregels geïmporteerd" in page.locator("body").inner_text()

    page.locator("main a", has_text=reference).first.click()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#suggestions button", has_text=number).click()
    assert_accessible(page)
    assert f"Betaling geboekt op factuur {number}" in page.locator("body").inner_text()
    assert "Bankregels nog te koppelen of te boeken: 1." in page.locator("main").inner_text()

    goto(page, live_server("/finance/reports/income-statement?year=2026"))
    assert "Staat van baten en lasten" in page.locator("main h1").inner_text()
    main = page.locator("main").inner_text()
    assert "Contributies" in main
    assert "25,00" in main


def test_funder_pages_pass_the_accessibility_check(page, live_server):
    from coop.funders import services as funders
    from coop.ledger.services import Line

    with live_server.app.app_context():
        ledger.seed_default_chart()
        ledger.open_fiscal_year(2026)
        funder = funders.create_funder({"name": "Gemeente Utrecht", "kind": "municipality"})
        agreement = funders.create_agreement({
            "funder": funder, "kind": "grant_decision", "reference": "Beschikking 2026-0102",
            "title": "Huiskamer", "amount_cents": 2_400_000, "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31)})
        funders.add_deadline(agreement, date(2026, 12, 1), "Tussenrapportage")
        ledger.post_entry(date(2026, 2, 13), "Subsidie", [
            Line("1100", debit_cents=2_400_000),
            Line("8100", credit_cents=2_400_000, links={"agreement_id": agreement.id})])
        agreement_id = agreement.id
        db.session.commit()
        db.session.remove()
    treasurer = live_server.create_user(roles=["treasurer"], two_factor=True)
    log_in(page, live_server, treasurer)

    page.locator("nav a[href='/finance/funders/']").click()
    assert_accessible(page)
    goto(page, live_server("/finance/funders/revenue?year=2026"))
    assert page.locator("#concentration-warning").is_visible()
    goto(page, live_server("/finance/funders/earmarks?year=2026"))
    goto(page, live_server(f"/finance/funders/agreements/{agreement_id}"))
    assert "24.000,00" in page.locator("#agreement-money").inner_text()
    goto(page, live_server("/finance/funders/agreements/new"))
    goto(page, live_server("/settings/organisation"))
