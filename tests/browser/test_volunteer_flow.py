"""On a phone (375 px): a volunteer declares hours; the coordinator tries an allowance
over the monthly cap, sees the refusal with the room left and approves the highest
amount that fits."""

from playwright.sync_api import expect

from coop.extensions import db
from coop.volunteers import services
from coop.volunteers.views import local_today
from tests.browser.helpers import assert_accessible, goto, log_in
from tests.volunteers.conftest import make_coordinator, make_volunteer, seed_caps

PHONE_375 = {"width": 375, "height": 812}


def _phone(browser):
    context = browser.new_context(viewport=PHONE_375, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(5_000)
    return context


def _fits_the_width(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_375["width"]


def test_volunteer_declares_hours_and_coordinator_approves_the_highest_amount_that_fits(
        browser, live_server):
    volunteer_account = live_server.create_user(roles=["volunteer"])
    with live_server.app.app_context():
        seed_caps()
        volunteer, initiative = make_volunteer()
        db.session.get(services.Person, volunteer.person_id).user_id = volunteer_account.id
        today = local_today()
        services.approve_allowance(volunteer, initiative_id=initiative.id, kind="allowance",
                                   work_date=today.replace(day=1), amount_cents=18500,
                                   today=today)
        coordinator = make_coordinator(initiative)
        coordinator_email, volunteer_id = coordinator.email, volunteer.id
        initiative_name = initiative.name
        db.session.commit()
        db.session.remove()
    from tests.browser.conftest import Account
    from tests.factories import DEFAULT_PASSWORD

    context = _phone(browser)
    page = context.new_page()
    log_in(page, live_server, volunteer_account)
    goto(page, live_server("/volunteers/me"))
    _fits_the_width(page)
    expect(page.locator("#work_date")).to_have_value(local_today().isoformat())
    expect(page.locator("#initiative option:checked")).to_have_text(initiative_name)
    page.locator("#hours").fill("2,5")
    page.locator("#note").fill("Koffie geschonken")
    with page.expect_navigation():
        page.get_by_role("button", name="Uren opgeven").click()
    expect(page.locator(".flash-success")).to_contain_text("Je uren zijn vastgelegd")
    expect(page.get_by_text("Koffie geschonken")).to_be_visible()
    assert_accessible(page)
    _fits_the_width(page)
    context.close()

    context = _phone(browser)
    page = context.new_page()
    log_in(page, live_server, Account(0, coordinator_email, DEFAULT_PASSWORD, None))
    goto(page, live_server(f"/volunteers/{volunteer_id}"))
    page.locator("#amount").fill("50,00")
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren en goedkeuren").click()
    alert = page.locator("#over-cap")
    expect(alert).to_contain_text("nog € 35,00 ruimte in")
    assert_accessible(page)
    _fits_the_width(page)
    with page.expect_navigation():
        page.get_by_role("button", name="€ 35,00 goedkeuren, het hoogste bedrag dat past").click()
    expect(page.locator(".flash-success")).to_contain_text("Goedgekeurd")
    expect(page.locator("dd").filter(has_text="220,00").first).to_be_visible()
    assert_accessible(page)
    context.close()
