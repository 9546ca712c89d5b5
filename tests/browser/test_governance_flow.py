"""The board in Chromium: appoint a member to the board, then read the rotation schedule
and fetch its PDF. Every page visited passes the accessibility check."""

from datetime import date

import pytest

from coop.extensions import db
from tests import factories
from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_board_appoints_a_member_and_sees_the_rotation_schedule(page, live_server):
    with live_server.app.app_context():
        board_body = factories.create_body("board")
        factories.create_position(board_body, "voorzitter", authority="alone")
        factories.create_position(board_body, "secretaris", authority="jointly",
                                  joint_signers=1)
        membership = factories.create_member(start_date=date(2020, 1, 1), given_name="Fenna",
                                             family_name="Visser")
        number = str(membership.member_number)
        db.session.remove()
    board = live_server.create_user(roles=["board"])
    log_in(page, live_server, board)

    page.locator("nav a[href='/governance/']").click()
    assert page.url == live_server("/governance/")
    assert_accessible(page)
    page.locator("main a", has_text="Benoemen tot secretaris").click()
    assert_accessible(page)
    page.locator("#person").fill(number)
    assert page.locator("#position_id option:checked").inner_text() == "Bestuur · secretaris"
    page.locator("#start_date").fill("2026-06-15")
    with page.expect_navigation():
        page.locator("main button[type='submit']").click()
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert "Fenna Visser is benoemd van 15-06-2026 tot en met 14-06-2029." in main
    assert "gezamenlijk bevoegd: 2 handtekeningen nodig" in main

    page.locator("main a", has_text="Bestuur en organen").first.click()
    assert_accessible(page)
    page.locator("main a", has_text="Rooster van aftreden").first.click()
    assert_accessible(page)
    page.locator("#from").fill("2029")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    assert_accessible(page)
    row = page.locator("#rotation-2029 tbody tr").first.inner_text()
    assert "Fenna Visser" in row
    assert "Bestuur · secretaris" in row
    assert "ja (termijn 1 van hoogstens 3)" in row

    pdf_url = page.locator("main a", has_text="pdf").first.get_attribute("href")
    response = page.request.get(live_server(pdf_url))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_refused_appointment_shows_the_message_at_the_field(page, live_server):
    with live_server.app.app_context():
        factories.create_position(factories.create_body("audit_committee"), "lid", seats=3)
        db.session.remove()
    board = live_server.create_user(roles=["board"])
    log_in(page, live_server, board)

    page.goto(live_server("/governance/appointments/new"))
    page.locator("#person").fill("12345")
    page.locator("#start_date").fill("2026-06-15")
    with page.expect_navigation():
        page.locator("main button[type='submit']").click()

    assert_accessible(page)
    assert page.locator("#person-error").inner_text() == (
        "Niemand in het ledenregister heeft dit lidnummer of e-mailadres."
    )
    assert page.locator("#person").get_attribute("aria-invalid") == "true"
