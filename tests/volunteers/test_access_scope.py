"""A coordinator sees and approves only the volunteers of their own initiatives; a
volunteer sees only their own hours."""

from datetime import date

import pytest
from flask import url_for

from coop.extensions import db
from coop.volunteers import services
from coop.volunteers.models import Allowance, HourEntry
from tests import factories
from tests.volunteers.conftest import make_coordinator, make_volunteer, seed_caps

# Every coordinator route, with what a coordinator of the *other* initiative gets.
SCOPED = ["volunteers.initiative", "volunteers.volunteer_add", "volunteers.volunteer",
          "volunteers.hours_new", "volunteers.hours_approve", "volunteers.hours_return",
          "volunteers.allowance_new", "volunteers.arrangement_set", "volunteers.bank_details",
          "volunteers.statement_pdf", "volunteers.coaching_add"]


@pytest.fixture
def two_initiatives(app):
    seed_caps()
    volunteer_a, garden = make_volunteer(date_of_birth=date(1980, 1, 1))
    volunteer_b, cafe = make_volunteer()
    entry_b = services.declare_hours(volunteer_b, cafe.id, date(2026, 3, 2), 8, None,
                                     today=date(2026, 3, 2))
    entry_a = services.declare_hours(volunteer_a, garden.id, date(2026, 3, 2), 8, None,
                                     today=date(2026, 3, 2))
    db.session.commit()
    return {"a": (garden, volunteer_a, entry_a), "b": (cafe, volunteer_b, entry_b)}


def _url(app, endpoint, initiative, volunteer, entry):
    arguments = {"initiative_id": initiative.id, "volunteer_id": volunteer.id,
                 "hour_id": entry.id, "year": 2026}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: arguments[k] for k in rule.arguments}), (
            "GET" if "GET" in rule.methods else "POST")


@pytest.mark.parametrize("endpoint", SCOPED)
def test_a_coordinator_cannot_reach_another_initiatives_volunteers(
        app, client, login_as, two_initiatives, endpoint):
    garden, _volunteer_a, _entry_a = two_initiatives["a"]
    login_as(make_coordinator(garden))

    url, method = _url(app, endpoint, *two_initiatives["b"])
    response = client.open(url, method=method, data={"reason": "x", "amount": "10"})

    assert response.status_code == 403
    assert db.session.get(HourEntry, two_initiatives["b"][2].id).status == "submitted"
    assert db.session.scalar(db.select(db.func.count(Allowance.id))) == 0


@pytest.mark.parametrize("endpoint", SCOPED)
def test_a_coordinator_reaches_their_own_initiatives_volunteers(
        app, client, login_as, two_initiatives, endpoint):
    garden, _volunteer_a, _entry_a = two_initiatives["a"]
    login_as(make_coordinator(garden))

    url, method = _url(app, endpoint, *two_initiatives["a"])
    response = client.open(url, method=method, data={})

    assert response.status_code in (200, 302, 422)


def test_the_overview_lists_only_the_coordinators_own_initiatives(
        client, login_as, two_initiatives):
    garden, _volunteer_a, _entry = two_initiatives["a"]
    cafe, volunteer_b, _entry_b = two_initiatives["b"]
    login_as(make_coordinator(garden))

    page = client.get("/volunteers/").text

    assert garden.name in page
    assert cafe.name not in page
    person_b = db.session.get(services.Person, volunteer_b.person_id)
    assert person_b.family_name not in page


def test_a_coordinator_approves_hours_of_their_initiative(client, login_as, two_initiatives):
    garden, _volunteer, entry = two_initiatives["a"]
    login_as(make_coordinator(garden))

    response = client.post(f"/volunteers/hours/{entry.id}/approve")

    assert response.status_code == 302
    assert db.session.get(HourEntry, entry.id).status == "approved"


def test_returning_hours_needs_a_reason_at_the_field(client, login_as, two_initiatives):
    garden, _volunteer, entry = two_initiatives["a"]
    login_as(make_coordinator(garden))

    refused = client.post(f"/volunteers/hours/{entry.id}/return", data={"reason": " "})
    returned = client.post(f"/volunteers/hours/{entry.id}/return",
                           data={"reason": "Dubbel ingevuld"})

    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text
    assert returned.status_code == 302
    assert db.session.get(HourEntry, entry.id).return_reason == "Dubbel ingevuld"


def test_a_volunteer_sees_only_their_own_hours(client, login_as, two_initiatives):
    user = factories.create_user(roles=["volunteer"])
    _garden, volunteer_a, _entry = two_initiatives["a"]
    _cafe, volunteer_b, _entry_b = two_initiatives["b"]
    db.session.get(services.Person, volunteer_a.person_id).user_id = user.id
    db.session.commit()
    login_as(user)

    page = client.get("/volunteers/me").text
    denied = client.get(f"/volunteers/{volunteer_b.id}")

    assert two_initiatives["a"][0].name in page
    assert two_initiatives["b"][0].name not in page
    assert denied.status_code == 403
