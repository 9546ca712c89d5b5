"""Who is a member for the dues and the register: admission, rejection, rejoining,
and replacing a credited invoice."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coop.dues import services
from coop.dues.models import Invoice
from coop.extensions import db
from coop.members import services as members
from coop.members.models import Membership, MembershipStatus, Person
from tests import factories


def _dues_invoices(membership):
    return db.session.scalars(
        select(Invoice).where(Invoice.membership_id == membership.id, Invoice.kind == "invoice")
        .order_by(Invoice.id)
    ).all()


def test_an_aspirant_turned_down_pays_no_dues_and_never_was_a_member(organisation):
    organisation()
    aspirant = factories.create_member(start_date=date(2026, 1, 10), status="aspirant")
    members.change_status(aspirant, MembershipStatus.ENDED, date(2026, 3, 1), "Afgewezen")
    db.session.commit()

    result = services.generate_dues(2026, date(2026, 4, 1))

    assert result.created == 0
    on_day = db.session.execute(members.members_on(date(2026, 2, 1))).all()
    assert on_day == []


def test_an_aspirant_admitted_later_pays_from_the_month_of_admission(organisation):
    organisation()  # monthly proration, calendar year
    membership_type = factories.create_membership_type(dues_cents=2400)
    aspirant = factories.create_member(
        membership_type=membership_type, start_date=date(2026, 1, 10), status="aspirant"
    )
    members.change_status(aspirant, MembershipStatus.ACTIVE, date(2026, 7, 1), None)
    db.session.commit()

    services.generate_dues(2026, date(2026, 7, 15))

    [invoice] = _dues_invoices(aspirant)
    assert invoice.total_cents == 1200  # July to December: 6/12 of € 24,00
    assert db.session.execute(members.members_on(date(2026, 6, 30))).all() == []
    assert len(db.session.execute(members.members_on(date(2026, 7, 1))).all()) == 1


def test_a_rejoin_must_start_after_the_previous_membership_ended(app):
    membership = factories.create_member(start_date=date(2020, 1, 1))
    person = db.session.get(Person, membership.person_id)
    members.change_status(membership, MembershipStatus.ENDED, date(2026, 6, 30), "Verhuisd")
    db.session.commit()

    with pytest.raises(members.RegisterError) as refused:
        members.add_membership(person, membership_type_of(membership), date(2026, 1, 1))

    assert refused.value.field == "start_date"
    db.session.rollback()
    rejoined = members.add_membership(person, membership_type_of(membership), date(2026, 7, 1))
    assert rejoined.member_number != membership.member_number


def membership_type_of(membership):
    from coop.members.models import MembershipType

    return db.session.get(MembershipType, membership.type_id)


def test_the_database_refuses_two_current_memberships_for_one_person(app):
    membership = factories.create_member()
    db.session.add(Membership(
        person_id=membership.person_id, type_id=membership.type_id, member_number=999,
        start_date=date(2026, 1, 1), status="active",
    ))

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Membership.id))) == 1


def test_a_credited_dues_invoice_is_replaced_by_the_next_run(organisation):
    organisation()
    membership_type = factories.create_membership_type(dues_cents=2500)
    membership = factories.create_member(
        membership_type=membership_type, start_date=date(2025, 1, 1)
    )
    services.generate_dues(2026, date(2026, 1, 15))
    db.session.commit()
    [first] = _dues_invoices(membership)
    services.credit_invoice(first, date(2026, 1, 20))
    membership_type.yearly_dues_cents = 2000  # the ALV lowered the dues
    db.session.commit()

    again = services.generate_dues(2026, date(2026, 1, 21))

    assert again.created == 1
    credited, corrected = _dues_invoices(membership)
    assert credited.status == "credited"
    assert corrected.total_cents == 2000
    assert services.generate_dues(2026, date(2026, 1, 22)).created == 0


def test_searching_a_long_number_finds_nothing_instead_of_failing(client, login_as):
    factories.create_member()
    login_as(factories.create_user(roles=["board"]))

    response = client.get("/members/", query_string={"q": "31612345678901"})

    assert response.status_code == 200


def test_an_invoice_date_far_in_the_future_is_refused_at_the_field(client, login_as):
    login_as(factories.create_user(roles=["treasurer"], two_factor=True, locale="en"))

    response = client.post("/dues/generate", data={"fiscal_year": "2026",
                                                   "issue_date": "9999-12-31"})

    assert response.status_code == 422
    assert "Enter an invoice date between 2000 and 2100." in response.text
    assert db.session.scalar(select(func.count(Invoice.id))) == 0


def test_yearly_dues_beyond_any_coop_are_refused_at_the_field(client, login_as):
    from coop.members.models import MembershipType

    login_as(factories.create_user(roles=["board"], locale="en"))

    response = client.post("/members/types/new", data={
        "code": "rijk", "name": "Rijk", "yearly_dues": "30.000.000,00", "has_vote": "y",
        "is_active": "y",
    })

    assert response.status_code == 422
    assert "Yearly dues are between" in response.text
    assert db.session.scalar(select(func.count(MembershipType.id))) == 0


@pytest.mark.parametrize("path", [
    "/members/?page=99999999999999999999",
    "/members/?type=99999999999999999999",
    "/dues/?year=99999999999999999999&page=99999999999999999999",
    "/members/99999999999999999999",
    "/dues/99999999999999999999",
])
def test_absurd_numbers_in_the_address_give_no_error_page(client, login_as, path):
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))

    response = client.get(path)

    assert response.status_code in (200, 404)
