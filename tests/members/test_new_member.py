"""Adding a person and their first membership through the form; editing a person."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coop.audit import AuditPersonalData
from coop.extensions import db
from coop.members.models import ConsentEvent, Membership, MembershipStatusChange, Person
from coop.permissions import Role
from tests import factories
from tests.members.conftest import audit_events
from tests.pages import Page


@pytest.fixture
def bewoner(app):
    return factories.create_membership_type("bewoner", name="Bewoner", dues_cents=2500)


def _form(membership_type, **changes):
    data = {
        "kind": "person",
        "given_name": "Jan",
        "name_prefix": "van der",
        "family_name": "Aa",
        "email": "Jan.vanderAa@Example.org ",
        "phone": "030 123 4567",
        "street": "Lindelaan 1",
        "postcode": "3581ab",
        "city": "Utrecht",
        "date_of_birth": "1980-05-17",
        "consent_newsletter": "y",
        "type_id": str(membership_type.id),
        "start_date": "2026-01-01",
        "status": "active",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def _counts():
    db.session.rollback()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Person, Membership, MembershipStatusChange, ConsentEvent)
    }


NOTHING = {"Person": 0, "Membership": 0, "MembershipStatusChange": 0, "ConsentEvent": 0}


def test_new_member_is_saved_with_number_history_and_consent(client, board, bewoner):
    response = client.post("/members/new", data=_form(bewoner))

    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert response.location == f"/members/{person.id}"
    assert person.display_name == "Jan van der Aa"
    assert person.sort_name == "aa jan"
    assert person.email == "jan.vanderaa@example.org"
    assert person.postcode == "3581 AB"
    assert person.date_of_birth == date(1980, 5, 17)
    assert person.consent_newsletter is True
    assert person.consent_electronic_convocation is False
    membership = db.session.scalar(select(Membership))
    assert membership.member_number == 1
    assert membership.status == "active"

    page = client.get(response.location)
    text = Page(page.text).root.text
    assert "Jan van der Aa is in the register with member number 1." in text
    assert "Member number 1 · Bewoner" in text
    assert "Bea Bestuur" in text  # who recorded the start of the membership
    assert [e.kind for e in db.session.scalars(select(ConsentEvent))] == ["newsletter"]
    assert len(audit_events("members:person:create")) == 1
    assert len(audit_events("members:membership:create")) == 1


def test_organisation_can_be_a_member(client, board, bewoner):
    response = client.post("/members/new", data=_form(
        bewoner, kind="organisation", given_name="", name_prefix="",
        family_name="Buurtmoestuin De Linde", email="tuin@example.org", date_of_birth=""))

    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert person.kind == "organisation"
    assert person.display_name == "Buurtmoestuin De Linde"


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("postcode", {"postcode": "12345"}, "A Dutch postcode looks like 3581 AB."),
        ("date_of_birth", {"date_of_birth": (date.today() + timedelta(days=1)).isoformat()},
         "A date of birth cannot be in the future."),
        ("date_of_birth", {"date_of_birth": "17-05-19800"}, "Enter a date like 2026-01-31."),
        ("family_name", {"family_name": "  "}, "This field is required."),
        ("email", {"email": "jan@"}, "This is not a valid email address."),
        ("start_date", {"start_date": ""}, "Enter a date."),
        ("type_id", {"type_id": "9999"}, "Choose a membership type."),
    ],
    ids=["bad_postcode", "future_birth_date", "unreadable_date", "no_family_name",
         "bad_email", "no_start_date", "unknown_type"],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    client, board, bewoner, field, changes, message
):
    response = client.post("/members/new", data=_form(bewoner, **changes))

    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_error(field) == message
    assert page.is_invalid(field)
    assert "Nothing was saved: correct the fields marked below." in page.flashes()
    assert _counts() == NOTHING


def test_duplicate_email_is_refused_at_the_field_and_nothing_is_saved(client, board, bewoner):
    factories.create_person(email="jan.vanderaa@example.org")
    before = _counts()

    response = client.post("/members/new", data=_form(bewoner))

    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_error("email") == "Another person in the register has this email address."
    assert _counts() == before
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_inactive_type_is_refused_and_nothing_is_saved(client, board):
    old = factories.create_membership_type("oud", is_active=False)

    response = client.post("/members/new", data=_form(old))

    assert response.status_code == 422
    assert Page(response.text).field_error("type_id") == "Choose a membership type."
    assert _counts() == NOTHING


def test_dutch_user_sees_the_message_in_dutch(client, make_user, login_as, bewoner):
    login_as(make_user(roles=[Role.BOARD], locale="nl"))

    response = client.post("/members/new", data=_form(bewoner, postcode="12345"))

    assert response.status_code == 422
    assert Page(response.text).field_error("postcode") != "A Dutch postcode looks like 3581 AB."
    assert Page(response.text).lang() == "nl"


def test_edit_is_audited_with_exactly_what_changed(client, board):
    person = factories.create_person(given_name="Piet", family_name="Jansen", city="Utrecht")

    page = client.get(f"/members/{person.id}/edit")
    assert page.status_code == 200
    assert Page(page.text).by_id("family_name").attrs["value"] == "Jansen"

    response = client.post(f"/members/{person.id}/edit", data={
        "kind": "person", "given_name": "Piet", "family_name": "Jansen-de Vries",
        "email": person.email, "street": person.street, "postcode": "3582 cd",
        "city": "Utrecht", "consent_electronic_convocation": "y",
    })

    assert response.status_code == 302
    [event] = audit_events("members:person:update")
    assert event.actor_id == board.id
    assert event.details == {"fields": ["family_name", "postcode"]}
    assert db.session.get(AuditPersonalData, event.id).data["changes"] == {
        "family_name": ["Jansen", "Jansen-de Vries"],
        "postcode": ["3581 AB", "3582 CD"],
    }
    [consent] = audit_events("members:person:consent")
    assert consent.details == {"kind": "electronic_convocation", "given": True}
    person = db.session.get(Person, person.id)
    assert person.sort_name == "jansen-de vries piet"
    assert person.consent_electronic_convocation is True


def test_consent_history_is_shown_on_the_person_page(client, board):
    person = factories.create_person(family_name="Smit", given_name="Els")
    base = {"kind": "person", "given_name": "Els", "family_name": "Smit",
            "email": person.email, "postcode": "3581 AB"}
    client.post(f"/members/{person.id}/edit", data={**base, "consent_newsletter": "y"})
    client.post(f"/members/{person.id}/edit", data=base)

    page = Page(client.get(f"/members/{person.id}").text)

    history = page.by_id("consent-history").text
    assert history.count("Wants to receive the newsletter") == 2
    assert "given" in history and "withdrawn" in history
    assert "Wants to receive the newsletter: no" in page.by_id("consent").text


def test_edit_with_a_taken_email_saves_nothing(client, board):
    factories.create_person(email="bezet@example.org")
    person = factories.create_person(family_name="Smit")

    response = client.post(f"/members/{person.id}/edit", data={
        "kind": "person", "family_name": "Smid", "email": "Bezet@example.org",
        "consent_newsletter": "y",
    })

    assert response.status_code == 422
    assert Page(response.text).field_error("email") == (
        "Another person in the register has this email address."
    )
    person = db.session.get(Person, person.id)
    assert person.family_name == "Smit"
    assert person.consent_newsletter is False
    assert audit_events("members:person:update") == []


@pytest.mark.parametrize("role", [Role.MEMBER, Role.AUDITOR, Role.ADMIN])
def test_only_the_board_may_open_or_change_the_register(client, make_user, login_as, role,
                                                         bewoner):
    person = factories.create_person()
    login_as(make_user(roles=[role], locale="en"))

    assert client.get("/members/").status_code == 403
    assert client.get(f"/members/{person.id}").status_code == 403
    assert client.post("/members/new", data=_form(bewoner)).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
