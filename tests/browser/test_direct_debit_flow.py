"""A member signs a direct debit mandate in the portal on a phone; every page visited
passes the accessibility check."""

from datetime import date

import pytest

from coop.directdebit.models import Mandate
from coop.extensions import db
from coop.members.models import Person
from coop.settings.services import get_organisation
from tests import factories
from tests.browser.helpers import assert_accessible, goto, log_in

pytestmark = pytest.mark.browser


def test_member_signs_a_mandate_on_a_phone(phone_page, live_server):
    page = phone_page
    with live_server.app.app_context():
        organisation = get_organisation()
        organisation.name = "Wijkcoöperatie Oost"
        organisation.creditor_id = "NL79ZZZ999999990000"
        db.session.add(organisation)
        factories.create_member(given_name="Anna", family_name="Jansen",
                                email="anna@example.org", start_date=date(2025, 1, 1))
        db.session.remove()
    account = live_server.create_user("anna@example.org", roles=["member"])
    with live_server.app.app_context():
        person = db.session.scalar(db.select(Person).where(Person.email == "anna@example.org"))
        person.user_id = account.id
        db.session.commit()
        db.session.remove()
    log_in(page, live_server, account)

    goto(page, live_server("/portal/direct-debit"))
    assert "NL79ZZZ999999990000" in page.locator("#consent-text").inner_text()
    assert_accessible(page)
    page.locator("#account_holder").fill("A. Jansen")
    page.locator("#iban").fill("NL45 RABO 0123 4567 89")
    page.locator("#consent").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("#iban-error").is_visible()
    assert_accessible(page)

    page.locator("#iban").fill("NL44 RABO 0123 4567 89")
    page.locator("#consent").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".flash-success").is_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        reference = db.session.scalar(db.select(Mandate.reference))
        db.session.remove()
    assert reference in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
