"""The member portal in Chromium: a member sees their data and corrects their address.
Every page visited passes the accessibility check."""

from datetime import date

import pytest

from coop.extensions import db
from coop.members.models import Person
from tests import factories
from tests.browser.helpers import assert_accessible, goto, log_in
from tests.portal.helpers import create_invoice

pytestmark = pytest.mark.browser


def _member_with_account(live_server):
    with live_server.app.app_context():
        membership = factories.create_member(
            given_name="Anna", family_name="Jansen", email="anna@example.org",
            street="Oudestraat 1", postcode="3581 AB", city="Utrecht",
            start_date=date(2025, 1, 1),
        )
        person = db.session.get(Person, membership.person_id)
        create_invoice(person, total_cents=2500, issue_date=date(2026, 1, 15))
        number = membership.member_number
        db.session.remove()
    account = live_server.create_user("anna@example.org", roles=["member"])
    with live_server.app.app_context():
        person = db.session.scalar(db.select(Person).where(Person.email == "anna@example.org"))
        person.user_id = account.id
        db.session.commit()
        db.session.remove()
    return account, number


def test_member_sees_the_portal_and_corrects_the_address(page, live_server):
    account, number = _member_with_account(live_server)

    log_in(page, live_server, account)

    assert page.url == live_server("/portal/")
    main = page.locator("main")
    assert "Anna Jansen" in main.inner_text()
    assert str(number) in main.inner_text()
    assert "25,00" in main.inner_text()

    page.locator("main a[href='/portal/details']").first.click()
    assert page.url == live_server("/portal/details")
    assert_accessible(page)
    page.locator("#street").fill("Nieuwestraat 2")
    page.locator("#postcode").fill("12345")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("#postcode-error").is_visible()
    assert_accessible(page)

    page.locator("#postcode").fill("3572aa")
    page.locator("#consent_newsletter").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == live_server("/portal/")
    assert_accessible(page)
    assert page.locator(".flash-success").is_visible()
    assert "Nieuwestraat 2" in page.locator("main").inner_text()
    assert "3572 AA" in page.locator("main").inner_text()


def test_board_invites_a_person_from_the_register(page, live_server):
    with live_server.app.app_context():
        person_id = factories.create_person(email="nieuw@example.org").id
        db.session.remove()
    board = live_server.create_user("bestuur@example.org", roles=["board"])
    log_in(page, live_server, board)

    goto(page, live_server(f"/members/{person_id}"))
    with page.expect_navigation():
        page.locator(f"form[action='/portal/invite/{person_id}'] button").click()

    assert page.url == live_server(f"/members/{person_id}")
    assert_accessible(page)
    assert page.locator(".flash-success").is_visible()
    assert page.locator(f"form[action='/portal/invite/{person_id}']").count() == 0
