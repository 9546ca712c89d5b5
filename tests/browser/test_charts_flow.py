"""The charts in Chromium: the budget, the revenue streams, dues collected and the members
over time, at desktop width and on a phone. Each page passes axe-core, shows no console
error (the SVG carries no style attribute or script the CSP would block), and each chart
fits the width of the screen."""

import os
import tempfile
from datetime import date

import pytest

from coop.extensions import db
from coop.funders import services as funders
from coop.ledger import services as ledger
from coop.ledger.models import LedgerAccount
from coop.ledger.services import Line
from coop.settings.services import get_organisation
from tests.browser.helpers import goto, log_in

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("COOP_CHART_SCREENSHOTS") == "1"

CHART_PAGES = ["/finance/budgets?year=2026", "/finance/funders/revenue?year=2026", "/dues/",
               "/members/transfer/as-of"]


def _books_with_a_funder(app):
    with app.app_context():
        get_organisation()
        ledger.seed_default_chart()
        ledger.open_fiscal_year(2026)
        funder = funders.create_funder({"name": "Gemeente Utrecht", "kind": "municipality"})
        agreement = funders.create_agreement({
            "funder": funder, "kind": "grant_decision", "reference": "G-1",
            "title": "Huiskamer", "amount_cents": 2_400_000,
            "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)})
        ledger.post_entry(date(2026, 3, 1), "Subsidie", [
            Line("1100", debit_cents=1_500_000),
            Line("8100", credit_cents=1_500_000, links={"agreement_id": agreement.id})])
        ledger.post_entry(date(2026, 3, 2), "Zaalverhuur", [
            Line("1100", debit_cents=250_000), Line("8300", credit_cents=250_000)])
        ledger.post_entry(date(2026, 4, 1), "Huur", [
            Line("4200", debit_cents=90_000), Line("1100", credit_cents=90_000)])
        for code, cents in (("4200", 85_000), ("8100", 2_400_000), ("8300", 200_000)):
            account = db.session.scalar(
                db.select(LedgerAccount).where(LedgerAccount.code == code))
            ledger.set_budget(2026, account, cents)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("width", [1280, 375])
def test_chart_pages_are_accessible_and_fit_the_screen(browser, live_server, width):
    _books_with_a_funder(live_server.app)
    user = live_server.create_user(roles=["treasurer", "board"], two_factor=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    problems = []
    # A CSP violation is a console error; the favicon's 404 is not ours to judge here.
    page.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource: the server responded with a status of 404")
        and problems.append(m.text))
    try:
        log_in(page, live_server, user)
        for path in CHART_PAGES:
            goto(page, live_server(path))
            charts = page.locator("figure.chart svg[role='img']")
            assert charts.count() >= 1, path
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert 0 < box["width"] <= width, (path, box)
                assert box["height"] > 50, (path, box)  # styled and drawn, not collapsed
            page.locator("figure.chart summary").first.click()
            assert page.locator("figure.chart table").first.is_visible()
            if SCREENSHOTS:  # to look at them: COOP_CHART_SCREENSHOTS=1, in the tmp dir
                page.screenshot(full_page=True, path=os.path.join(
                    tempfile.gettempdir(), f"charts-{width}{path.replace('/', '_')}.png"))
    finally:
        context.close()
    assert not problems, problems
