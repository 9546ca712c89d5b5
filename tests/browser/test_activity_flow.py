"""On a phone (375 px): a coordinator repeats last week's activities with one click,
confirms the ones held with their numbers, adds one, is refused a row with more new
participants than participants (nothing saved), corrects it and saves the week."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from coop.activities import services
from coop.activities.models import Activity, MeetingPlace
from coop.extensions import db
from coop.timeutil import local_today
from tests.browser.conftest import Account
from tests.browser.helpers import assert_accessible, goto, log_in
from tests.factories import DEFAULT_PASSWORD
from tests.volunteers.conftest import make_coordinator, make_initiative

PHONE_375 = {"width": 375, "height": 812}
LAST_WEEK = [(0, "Koffie-ochtend"), (1, "Taalcafé"), (2, "Tuinmiddag"), (3, "Boodschappen"),
             (4, "Vrijdagborrel")]


def _fits_the_width(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_375["width"]


def test_coordinator_enters_a_week_of_activities_on_a_phone(browser, live_server):
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    with live_server.app.app_context():
        initiative = make_initiative("Buurthuiskamer")
        place = MeetingPlace(name="Buurthuis De Lichtenberg", kind="community_centre",
                             opening_days_per_week=5)
        db.session.add(place)
        db.session.flush()
        coordinator = make_coordinator(initiative)
        services.create_activities([services.ActivityValues(
            initiative_id=initiative.id, title=title, place_id=place.id,
            activity_date=monday - timedelta(days=7 - day), participants=10, volunteers=2)
            for day, title in LAST_WEEK], coordinator)
        db.session.commit()
        account = Account(coordinator.id, coordinator.email, DEFAULT_PASSWORD, None)
        initiative_id = initiative.id
        db.session.remove()

    context = browser.new_context(viewport=PHONE_375, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(5_000)
    page = context.new_page()
    log_in(page, live_server, account)
    goto(page, live_server(f"/activities/week?initiative={initiative_id}"))
    _fits_the_width(page)

    page.get_by_role("link", name="Vorige week herhalen").click()
    page.wait_for_load_state()
    for number, (day, title) in enumerate(LAST_WEEK):
        expect(page.locator(f"#rows-{number}-title")).to_have_value(title)
        expect(page.locator(f"#rows-{number}-activity_date")).to_have_value(
            (monday + timedelta(days=day)).isoformat())
        expect(page.locator(f"#rows-{number}-planned")).to_be_checked()
    assert_accessible(page)
    _fits_the_width(page)

    # The days up to today were held: untick "planned" and fill in the numbers.
    held = [n for n, (day, _title) in enumerate(LAST_WEEK) if monday + timedelta(days=day) <= today]
    for number in held:
        page.locator(f"#rows-{number}-planned").uncheck()
        page.locator(f"#rows-{number}-participants").fill("12")
        page.locator(f"#rows-{number}-new_participants").fill("2")
    # One more, typed by hand in the first empty row, with a slip: 14 new of 4.
    extra = len(LAST_WEEK)
    page.locator(f"#rows-{extra}-activity_date").fill(today.isoformat())
    page.locator(f"#rows-{extra}-title").fill("Spelletjesmiddag")
    page.locator(f"#rows-{extra}-participants").fill("4")
    page.locator(f"#rows-{extra}-new_participants").fill("14")
    with page.expect_navigation():
        page.get_by_role("button", name="Activiteiten opslaan").click()

    expect(page.locator(".error-summary")).to_contain_text("Er is niets opgeslagen.")
    expect(page.locator(f"#rows-{extra}-new_participants-error")).to_have_text(
        "Er kunnen niet meer nieuwe deelnemers zijn dan deelnemers.")
    assert_accessible(page)
    _fits_the_width(page)
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(Activity.id))) == len(LAST_WEEK)
        db.session.remove()

    page.locator(f"#rows-{extra}-new_participants").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Activiteiten opslaan").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"{len(LAST_WEEK) + 1} activiteiten opgeslagen.")
    expect(page.locator("#initiative option:checked")).to_have_text("Buurthuiskamer")
    expect(page.get_by_role("link", name="Spelletjesmiddag")).to_be_visible()
    assert_accessible(page)
    _fits_the_width(page)
    context.close()

    with live_server.app.app_context():
        this_week = services.activities_between(None, monday, monday + timedelta(days=6))
        assert len(this_week) == len(LAST_WEEK) + 1
        assert sorted(a.participants for a in this_week if not a.planned) == sorted(
            [12] * len(held) + [4])
        assert all(a.place_id is not None for a in this_week if a.title != "Spelletjesmiddag")
        db.session.remove()
