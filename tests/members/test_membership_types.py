"""Membership types: the board adds and edits them; dues are parsed as Dutch amounts."""

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.members.models import MembershipType
from coop.permissions import Role
from tests import factories
from tests.members.conftest import audit_events
from tests.pages import Page

VALID = {"code": " Bewoner ", "name": "Bewoner", "yearly_dues": "1.234,50", "has_vote": "y",
         "is_active": "y"}


def test_new_type_is_saved_in_cents_audited_and_listed(client, board):
    response = client.post("/members/types/new", data=VALID)

    assert response.status_code == 302
    membership_type = db.session.scalar(select(MembershipType))
    assert membership_type.code == "bewoner"
    assert membership_type.yearly_dues_cents == 123450
    assert membership_type.has_vote is True
    [event] = audit_events("members:type:create")
    assert event.actor_id == board.id
    assert event.details["yearly_dues_cents"] == 123450

    listed = Page(client.get("/members/types").text).by_id("types").text
    assert "bewoner Bewoner €1,234.50 yes yes" in listed


def test_edit_is_audited_with_what_changed(client, board):
    membership_type = factories.create_membership_type("steun", name="Steunlid",
                                                       dues_cents=1000)
    form = Page(client.get(f"/members/types/{membership_type.id}/edit").text)
    assert form.by_id("yearly_dues").attrs["value"] == "10.00"
    assert next(e for e in form.root.iter() if e.tag == "h1").text == (
        "Edit membership type Steunlid"
    )

    response = client.post(f"/members/types/{membership_type.id}/edit", data={
        "code": "steun", "name": "Steunlid", "yearly_dues": "12,50", "is_active": "y",
    })

    assert response.status_code == 302
    [event] = audit_events("members:type:update")
    assert event.details["changes"] == {"yearly_dues_cents": [1000, 1250],
                                        "has_vote": [True, False]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"yearly_dues": "12,345"}, "yearly_dues", "An amount has at most two decimals."),
        ({"yearly_dues": "-5"}, "yearly_dues", "The amount cannot be negative."),
        ({"yearly_dues": "veel"}, "yearly_dues", "Enter an amount like 12,50 or 1.234,56."),
        ({"code": ""}, "code", "This field is required."),
        ({"code": "BESTAAT"}, "code", "Another membership type has this code."),
    ],
)
def test_bad_type_input_is_refused_at_the_field(client, board, changes, field, message):
    factories.create_membership_type("bestaat")

    response = client.post("/members/types/new", data={**VALID, **changes})

    assert response.status_code == 422
    assert Page(response.text).field_error(field) == message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MembershipType)) == 1
    assert audit_events("members:type:create") == []


@pytest.mark.parametrize("role", [Role.MEMBER, Role.AUDITOR])
def test_types_are_closed_to_members_and_the_audit_committee(client, make_user, login_as,
                                                             role):
    login_as(make_user(roles=[role]))

    assert client.get("/members/types").status_code == 403
    assert client.post("/members/types/new", data=VALID).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MembershipType)) == 0
