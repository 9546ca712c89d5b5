"""The board in Chromium: add a member to the register, then generate the year's dues and
open the invoice. Every page visited passes the accessibility check."""

import pytest

from coop.extensions import db
from tests import factories
from tests.browser.helpers import assert_accessible, goto, log_in

pytestmark = pytest.mark.browser


def test_treasurer_adds_a_member_and_generates_the_dues(page, live_server):
    with live_server.app.app_context():
        factories.create_membership_type("bewoner", name="Bewoner", dues_cents=2500)
        db.session.remove()
    treasurer = live_server.create_user(roles=["treasurer"], two_factor=True)
    log_in(page, live_server, treasurer)

    # The register: from the menu to the new-member form.
    page.locator("nav a[href='/members/']").click()
    assert page.url == live_server("/members/")
    assert_accessible(page)
    page.locator("main a[href='/members/new']").click()
    assert_accessible(page)
    page.locator("#given_name").fill("Fenna")
    page.locator("#family_name").fill("Visser")
    page.locator("#email").fill("fenna@example.org")
    page.locator("#street").fill("Vlierhof 3")
    page.locator("#postcode").fill("3582kx")
    page.locator("#city").fill("Utrecht")
    page.locator("#type_id").select_option(label="Bewoner")
    page.locator("#start_date").fill("2025-01-01")
    with page.expect_navigation():
        page.locator("main button[type='submit']").click()
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert "Fenna Visser" in main
    assert "3582 KX" in main

    # The dues of 2026 for everyone in the register.
    goto(page, live_server("/dues/generate"))
    page.locator("#fiscal_year").fill("2026")
    page.locator("#issue_date").fill("2026-02-01")
    with page.expect_navigation():
        page.locator("main button[type='submit']").click()
    assert_accessible(page)
    listing = page.locator("main").inner_text()
    assert "2026-00001" in listing
    assert "Fenna Visser" in listing
    assert "25,00" in listing

    page.locator("main a", has_text="2026-00001").first.click()
    assert_accessible(page)
    pdf_url = page.locator("main a", has_text="PDF").first.get_attribute("href")
    response = page.request.get(live_server(pdf_url))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
