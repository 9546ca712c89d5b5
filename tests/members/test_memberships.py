"""Status changes with their history, refused transitions, and rejoining."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.members.models import Membership, MembershipStatusChange
from tests import factories
from tests.members.conftest import audit_events
from tests.pages import Page


def _history(membership_id: int):
    db.session.rollback()
    return db.session.scalars(
        select(MembershipStatusChange)
        .where(MembershipStatusChange.membership_id == membership_id)
        .order_by(MembershipStatusChange.id)
    ).all()


def _end(client, membership, day="2026-03-31", reason="Verhuisd"):
    return client.post(f"/members/memberships/{membership.id}/status", data={
        "status": "ended", "effective_date": day, "reason": reason,
    })


def test_status_change_is_recorded_with_reason_date_and_actor(client, board):
    membership = factories.create_member(start_date=date(2025, 1, 1), family_name="Smit")

    response = client.post(f"/members/memberships/{membership.id}/status", data={
        "status": "suspended", "effective_date": "2026-02-01", "reason": "Contributie onbetaald",
    })

    assert response.status_code == 302
    first, second = _history(membership.id)
    assert (first.from_status, first.to_status) == (None, "active")
    assert (second.from_status, second.to_status) == ("active", "suspended")
    assert second.effective_date == date(2026, 2, 1)
    assert second.reason == "Contributie onbetaald"
    assert second.actor_id == board.id
    [event] = audit_events("members:membership:status")
    assert event.details["reason"] == "Contributie onbetaald"

    page = Page(client.get(response.location).text).root.text
    assert f"Membership {membership.member_number} is now suspended." in page
    assert "Contributie onbetaald" in page
    assert "Bea Bestuur" in page


def test_ending_sets_the_end_date(client, board):
    membership = factories.create_member(start_date=date(2025, 1, 1))

    assert _end(client, membership).status_code == 302

    membership = db.session.get(Membership, membership.id)
    assert membership.status == "ended"
    assert membership.end_date == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("start_status", "data", "field", "message"),
    [
        ("active", {"status": "aspirant"}, "status",
         "A membership that is active cannot become aspirant."),
        ("aspirant", {"status": "suspended", "reason": "x"}, "status",
         "A membership that is aspirant cannot become suspended."),
        ("active", {"status": "ended", "reason": ""}, "reason", "Give a reason."),
        ("active", {"status": "suspended", "reason": "x", "effective_date": "2024-12-31"},
         "effective_date", "The date cannot be before the membership started."),
        ("active", {"status": "suspended", "reason": "x", "effective_date": "morgen"},
         "effective_date", "Enter a date like 2026-01-31."),
    ],
    ids=["active_to_aspirant", "aspirant_to_suspended", "end_without_reason",
         "date_before_start", "unreadable_date"],
)
def test_refused_status_change_is_shown_at_the_field_and_nothing_changes(
    client, board, start_status, data, field, message
):
    membership = factories.create_member(start_date=date(2025, 1, 1), status=start_status)

    response = client.post(f"/members/memberships/{membership.id}/status",
                           data={"effective_date": "2026-01-01", **data})

    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_error(field) == message
    assert len(_history(membership.id)) == 1
    assert db.session.get(Membership, membership.id).status == start_status
    assert audit_events("members:membership:status") == []


def test_an_ended_membership_cannot_change_any_more(client, board):
    membership = factories.create_member(start_date=date(2025, 1, 1))
    _end(client, membership)

    response = client.post(f"/members/memberships/{membership.id}/status", data={
        "status": "active", "effective_date": "2026-04-01", "reason": "",
    })

    assert response.status_code == 422
    assert Page(response.text).field_error("status") == (
        "A membership that is ended cannot become active."
    )


def test_rejoining_gives_a_new_number_for_the_same_person(client, board):
    bewoner = factories.create_membership_type("bewoner")
    first = factories.create_member(membership_type=bewoner, start_date=date(2024, 1, 1))
    other = factories.create_member(membership_type=bewoner, start_date=date(2024, 2, 1))
    _end(client, first)
    _end(client, other)

    form = client.get(f"/members/{first.person_id}/memberships/new")
    assert form.status_code == 200
    response = client.post(f"/members/{first.person_id}/memberships/new", data={
        "type_id": str(bewoner.id), "start_date": "2026-06-01", "status": "active",
    })

    assert response.status_code == 302
    numbers = db.session.execute(
        select(Membership.person_id, Membership.member_number, Membership.status)
        .order_by(Membership.id)
    ).all()
    assert numbers == [
        (first.person_id, 1, "ended"),
        (other.person_id, 2, "ended"),
        (first.person_id, 3, "active"),  # new, never one of the ended numbers
    ]
    page = Page(client.get(response.location).text)
    assert page.by_id("membership-1") is not None
    assert page.by_id("membership-3") is not None
    assert "is a member again, with member number 3." in " ".join(page.flashes())


def test_rejoining_while_still_a_member_is_refused(client, board):
    membership = factories.create_member(family_name="Smit", given_name="Els")

    response = client.post(f"/members/{membership.person_id}/memberships/new", data={
        "type_id": str(membership.type_id), "start_date": "2026-06-01", "status": "active",
    })

    assert response.status_code == 422
    assert f"Els Smit is already a member (number {membership.member_number})." in (
        Page(response.text).flashes()
    )
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_numbers_stay_unique_when_members_leave_and_join(client, board):
    bewoner = factories.create_membership_type()
    members = [factories.create_member(membership_type=bewoner) for _ in range(3)]
    _end(client, members[2])  # the highest number leaves; its number is not handed out again

    factories.create_member(membership_type=bewoner)

    numbers = db.session.scalars(select(Membership.member_number).order_by(Membership.id)).all()
    assert numbers == [1, 2, 3, 4]
