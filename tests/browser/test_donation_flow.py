"""A visitor gives € 25 on a campaign page, pays on the fake Mollie checkout, comes back
to the thank-you page; the board sees the gift booked and the campaign's progress.
Every page visited passes the accessibility check."""

import pytest

from coop.donations.models import Campaign
from coop.extensions import db
from coop.ledger import services as ledger
from coop.payments.fake_mollie import FakeMollieServer
from coop.settings.services import get_organisation
from tests.browser.helpers import assert_accessible, goto, log_in

pytestmark = pytest.mark.browser
NBSP = "\u00a0"


@pytest.fixture
def fake():
    server = FakeMollieServer(deliver_webhooks=True).start()
    yield server
    server.stop()


@pytest.fixture
def live_app(app_factory, fake):
    return app_factory(WTF_CSRF_ENABLED=True, MOLLIE_API_ENDPOINT=fake.url)


@pytest.fixture
def garden(live_server):
    # Mollie calls the webhook and sends the donor back on the server's own address.
    live_server.app.config["BASE_URL"] = live_server.url
    with live_server.app.app_context():
        get_organisation()
        ledger.seed_default_chart()
        ledger.open_fiscal_year(2026)
        db.session.add(Campaign(slug="buurttuin", title="Buurttuin", target_cents=200000,
                                description="Een moestuin voor de hele straat."))
        db.session.commit()
        db.session.remove()


def test_visitor_gives_25_on_a_campaign_page_and_the_board_sees_it_booked(
        page, live_server, fake, garden):
    goto(page, live_server("/donate/buurttuin"))
    assert f"Buurttuin: €{NBSP}0,00 van €{NBSP}2.000,00" in page.locator("main").inner_text()

    page.get_by_label(f"€{NBSP}25,00").check()
    page.locator("#donor_name").fill("Fatima")
    page.locator("#public_consent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Verder naar betalen").click()

    assert page.url.startswith(f"{fake.url}/checkout/tr_")
    assert_accessible(page)
    page.get_by_label("Betaald (paid)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Doorgaan").click()

    assert "/donate/thanks/" in page.url
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert "Bedankt voor je gift!" in main
    assert f"Buurttuin: €{NBSP}25,00 van €{NBSP}2.000,00" in main

    board = live_server.create_user("bestuur@example.org", roles=["board"])
    log_in(page, live_server, board)
    goto(page, live_server("/donations/"))
    main = page.locator("main").inner_text()
    assert "Fatima" in main and "betaald" in main
    assert f"€{NBSP}25,00" in main
    goto(page, live_server("/finance/entries"))
    entries = page.locator("main").inner_text()
    assert "Gift Buurttuin #" in entries
    assert "Fatima" not in entries  # posted entries cannot be changed: no donor names
    goto(page, live_server("/donate/buurttuin"))
    main = page.locator("main").inner_text()
    assert f"Buurttuin: €{NBSP}25,00 van €{NBSP}2.000,00" in main
    assert "Met dank aan Fatima." in main
