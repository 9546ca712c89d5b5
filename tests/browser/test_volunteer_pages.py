"""The volunteer pages as pictures, on a phone (375 px) and a desktop (1280 px): the
volunteer's hours page, the caps refusal, the jobs page, sponsoring and the yearly
statements. Each must fit the width and pass axe-core. With COOP_SCREENSHOTS=<dir> the
screenshots are kept there to look at."""

import os
from datetime import date
from pathlib import Path

import pytest

from coop.extensions import db
from coop.timeutil import local_today
from coop.volunteers import jobs, services
from tests.browser.helpers import goto, log_in
from tests.volunteers.conftest import make_volunteer, seed_caps

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


def _shoot(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    folder = os.environ.get("COOP_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_the_volunteer_pages_fit_the_phone_and_the_desktop(browser, live_server, size):
    board = live_server.create_user(roles=["treasurer"], two_factor=True)
    volunteer_account = live_server.create_user(roles=["volunteer"])
    with live_server.app.app_context():
        seed_caps()
        for valid_from, adult in [(date(2026, 1, 1), 1471), (date(2026, 7, 1), 1499)]:
            jobs.set_minimum_wage(valid_from, adult)
        volunteer, initiative = make_volunteer(given_name="Anouk", family_name="Verbeek",
                                               date_of_birth=date(1980, 2, 1))
        db.session.get(services.Person, volunteer.person_id).user_id = volunteer_account.id
        today = local_today()
        services.declare_hours(volunteer, initiative.id, today, 10, "Moestuin gewied",
                               today=today)
        services.approve_allowance(volunteer, initiative_id=initiative.id, kind="allowance",
                                   work_date=today.replace(day=1), amount_cents=18500,
                                   today=today)
        services.sponsor_event(initiative.id, "Burendag Oost", "Bewonerscommissie Oost",
                               today, 15000, today=today)
        jobs.save_job(None, {
            "title": "Buurtconciërge", "person": db.session.get(services.Person,
                                                               volunteer.person_id),
            "initiative": initiative, "employer_kind": "coop",
            "contract_type": "employment", "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31), "quarter_hours_per_week": 128,
            "hourly_wage_cents": 1600})
        volunteer_id = volunteer.id
        db.session.commit()
        db.session.remove()
    context = browser.new_context(viewport=WIDTHS[size], locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(5_000)
    page = context.new_page()
    log_in(page, live_server, volunteer_account)
    goto(page, live_server("/volunteers/me"))
    _shoot(page, f"hours-{size}")
    context.close()

    context = browser.new_context(viewport=WIDTHS[size], locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(5_000)
    page = context.new_page()
    log_in(page, live_server, board)
    goto(page, live_server(f"/volunteers/{volunteer_id}"))
    page.locator("#amount").fill("50,00")
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren en goedkeuren").click()
    assert "nog € 35,00 ruimte in" in page.locator("#over-cap").inner_text().replace(
        "\xa0", " ")
    _shoot(page, f"caps-refusal-{size}")
    for path, name in (("/jobs/", "jobs"), ("/volunteers/sponsoring", "sponsoring"),
                       (f"/volunteers/statements/{local_today().year}", "statements")):
        goto(page, live_server(path))
        _shoot(page, f"{name}-{size}")
    context.close()
