"""The pages: a volunteer declares hours on the phone page; a coordinator approves an
allowance, sees the refusal over a cap with the room left and approves the highest
amount that fits."""

import re
from datetime import date, timedelta

import pytest

from coop import timeutil
from coop.extensions import db
from coop.timeutil import local_today
from coop.volunteers import services
from coop.volunteers.models import Allowance, HourEntry
from tests import factories
from tests.charts import page_charts
from tests.volunteers.conftest import approve, make_coordinator, make_volunteer, seed_caps


@pytest.fixture
def volunteer_user(app, login_as):
    user = factories.create_user(roles=["volunteer"])
    volunteer, initiative = make_volunteer(user=user)
    login_as(user)
    return volunteer, initiative


def _entries():
    return db.session.scalars(db.select(HourEntry).order_by(HourEntry.id)).all()


def test_the_phone_page_has_today_and_the_initiative_filled_in(client, volunteer_user):
    _volunteer, initiative = volunteer_user

    page = client.get("/volunteers/me").text

    assert f'value="{local_today().isoformat()}"' in page
    assert re.search(rf'<option selected value="{initiative.id}">', page)


def test_a_volunteer_declares_hours(client, volunteer_user):
    _volunteer, initiative = volunteer_user

    response = client.post("/volunteers/me", data={
        "work_date": local_today().isoformat(), "initiative": str(initiative.id),
        "hours": "2,5", "note": "Koffie geschonken"})

    assert response.status_code == 302
    (entry,) = _entries()
    assert (entry.quarter_hours, entry.status, entry.note) == (10, "submitted",
                                                              "Koffie geschonken")


def test_last_weeks_entries_can_be_repeated_today(client, volunteer_user):
    volunteer, initiative = volunteer_user
    services.declare_hours(volunteer, initiative.id, local_today() - timedelta(days=3), 6,
                           "Tuin", today=local_today())
    db.session.commit()

    page = client.get("/volunteers/me").text

    assert "Tuin" in page
    assert 'name="hours" value="1,5"' in page
    response = client.post("/volunteers/me", data={
        "work_date": local_today().isoformat(), "initiative": str(initiative.id),
        "hours": "1,5", "note": "Tuin"})
    assert response.status_code == 302
    assert [e.work_date for e in _entries()][-1] == local_today()


@pytest.mark.parametrize(("hours", "day", "field"), [
    ("-1", 0, "hours"),
    ("0", 0, "hours"),
    ("25", 0, "hours"),
    ("1,1", 0, "hours"),
    ("twee", 0, "hours"),
    ("2", 1, "work_date"),  # tomorrow
])
def test_bad_hours_are_refused_at_the_field(client, volunteer_user, hours, day, field):
    _volunteer, initiative = volunteer_user

    response = client.post("/volunteers/me", data={
        "work_date": (local_today() + timedelta(days=day)).isoformat(),
        "initiative": str(initiative.id), "hours": hours})

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert _entries() == []


def test_more_than_24_hours_on_one_day_is_refused(client, volunteer_user):
    volunteer, initiative = volunteer_user
    services.declare_hours(volunteer, initiative.id, local_today(), 80, None,
                           today=local_today())  # 20 h
    db.session.commit()

    response = client.post("/volunteers/me", data={
        "work_date": local_today().isoformat(), "initiative": str(initiative.id),
        "hours": "4,25"})

    assert response.status_code == 422
    assert 'id="hours-error"' in response.text
    assert len(_entries()) == 1


def test_hours_in_an_initiative_the_volunteer_is_not_in_are_refused(client, volunteer_user):
    _volunteer, _initiative = volunteer_user
    _other_volunteer, other = make_volunteer()

    response = client.post("/volunteers/me", data={
        "work_date": local_today().isoformat(), "initiative": str(other.id), "hours": "2"})

    assert response.status_code == 422
    assert 'id="initiative-error"' in response.text
    assert _entries() == []


def test_a_coordinator_enters_approved_hours_for_a_volunteer_without_account(
        client, login_as, app):
    volunteer, initiative = make_volunteer()
    login_as(make_coordinator(initiative))

    response = client.post(f"/volunteers/{volunteer.id}/hours", data={
        "work_date": local_today().isoformat(), "initiative": str(initiative.id),
        "hours": "3"})

    assert response.status_code == 302
    (entry,) = _entries()
    assert (entry.quarter_hours, entry.status) == (12, "approved")


def test_over_the_monthly_cap_shows_the_room_left_and_approves_the_highest_that_fits(
        client, login_as, app):
    seed_caps()
    volunteer, initiative = make_volunteer()
    approve(volunteer, initiative, date(2026, 3, 2), 18500)
    login_as(make_coordinator(initiative))
    form = {"kind": "allowance", "initiative": str(initiative.id), "work_date": "2026-03-20",
            "amount": "50,00", "description": "Maart"}

    refused = client.post(f"/volunteers/{volunteer.id}/allowances", data=form)

    assert refused.status_code == 422
    text = refused.text.replace("\xa0", " ").replace("&nbsp;", " ")
    assert "nog € 35,00 ruimte in maart 2026, € 2.015,00 in 2026" in text
    assert 'name="amount" value="35.00"' in text
    assert db.session.scalar(db.select(db.func.count(Allowance.id))) == 1

    fitted = client.post(f"/volunteers/{volunteer.id}/allowances",
                         data={**form, "amount": "35.00"})

    assert fitted.status_code == 302
    assert services.received(volunteer, date(2026, 3, 20)).month_cents == 22000


def test_the_treasurer_enters_caps_for_a_new_year(client, login_as, app):
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))

    response = client.post("/volunteers/caps", data={
        "year": "2027", "hourly_adult": "5,90", "hourly_young": "3,50", "month": "230",
        "year_cap": "2.300"})

    assert response.status_code == 302
    cap = db.session.get(services.AllowanceCap, 2027)
    assert (cap.hourly_adult_cents, cap.hourly_young_cents, cap.month_cents,
            cap.year_cents) == (590, 350, 23000, 230000)


def test_the_seventh_coaching_conversation_warns_that_the_direction_should_be_clear(
        client, login_as, app):
    volunteer, initiative = make_volunteer()
    login_as(make_coordinator(initiative))
    person = db.session.get(services.Person, volunteer.person_id)
    for day in range(1, 7):
        services.add_coaching_conversation(person, "Coach Oost", date(2026, 3, day), 4500,
                                           today=date(2026, 3, 31))
    db.session.commit()

    sixth_page = client.get(f"/volunteers/{volunteer.id}").text
    seventh = client.post(f"/volunteers/{volunteer.id}/coaching", data={
        "coach": "Coach Oost", "held_on": "2026-03-20", "cost": "45,00"},
        follow_redirects=True)

    assert "Gesprekken tot nu toe: 6." in sixth_page
    assert "flash-warning" in seventh.text
    assert "na zes gesprekken" in seventh.text
    assert services.coaching_count(person.id) == 7


def test_a_volunteer_lands_on_their_own_page_after_login(client, volunteer_user):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/volunteers/me")


def test_a_member_who_volunteers_finds_their_page_in_the_portal(app, client, login_as):
    user = factories.create_user(roles=["member", "volunteer"])
    make_volunteer(user=user)
    login_as(user)

    assert client.get("/").headers["Location"].endswith("/portal/")
    page = client.get("/portal/").get_data(as_text=True)

    assert "Vrijwilligerswerk" in page
    assert 'href="/volunteers/me">Mijn uren en vergoedingen</a>' in page


def test_a_member_without_volunteer_role_sees_no_volunteer_section(app, client, login_as):
    user = factories.create_user(roles=["member"])
    person = factories.create_person()
    person.user_id = user.id
    db.session.commit()
    login_as(user)

    assert "Vrijwilligerswerk" not in client.get("/portal/").get_data(as_text=True)


def test_the_phone_page_charts_the_allowances_against_the_caps(client, volunteer_user, caps,
                                                               monkeypatch):
    volunteer, initiative = volunteer_user
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 3, 20))
    approve(volunteer, initiative, date(2026, 1, 10), 5000)
    approve(volunteer, initiative, date(2026, 3, 5), 10000, today=date(2026, 3, 20))

    charts = page_charts(client.get("/volunteers/me").text)

    chart = charts["Vergoedingen en het belastingvrije maximum"]
    assert chart.description == (
        "Wat je kreeg in maart 2026 (€\u00a0100,00 van €\u00a0220,00) en in 2026 "
        "(€\u00a0150,00 van €\u00a02.200,00), naast de belastingvrije maxima van de "
        "vrijwilligersregeling.")
    assert chart.head == ["Periode", "Ontvangen", "Belastingvrij maximum"]
    assert chart.rows == [["maart 2026", "€\u00a0100,00", "€\u00a0220,00"],
                          ["2026", "€\u00a0150,00", "€\u00a02.200,00"]]


def test_the_phone_page_has_no_cap_chart_without_caps(client, volunteer_user):
    assert page_charts(client.get("/volunteers/me").text) == {}
