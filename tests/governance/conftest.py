"""Shared pieces for the governance tests: a board member who reads English, a fixed
"today", and the standard bodies."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coop import timeutil
from coop.audit import AuditEvent
from coop.extensions import db
from coop.governance.models import Appointment
from coop.members.models import Person
from coop.permissions import Role
from tests import factories


@pytest.fixture
def board(make_user, login_as):
    return login_as(make_user("bestuur@example.org", roles=[Role.BOARD], name="Bea Bestuur",
                              locale="en"))


@pytest.fixture
def today(monkeypatch):
    """Set the day the app thinks it is (Europe/Amsterdam): `today(date(2026, 12, 31))`."""

    def set_today(day: date) -> date:
        monkeypatch.setattr(timeutil, "local_today", lambda: day)
        return day

    set_today(date(2026, 6, 1))
    return set_today


@pytest.fixture
def bodies(app):
    """The board (chair signs alone, treasurer jointly with one other, 3 member seats) and
    a kascommissie of two seats."""
    board_body = factories.create_body("board")
    audit_committee = factories.create_body("audit_committee")
    return {
        "board": board_body,
        "chair": factories.create_position(board_body, "voorzitter", authority="alone"),
        "treasurer": factories.create_position(board_body, "penningmeester",
                                               authority="jointly", joint_signers=1),
        "member": factories.create_position(board_body, "lid", seats=3),
        "audit_committee": audit_committee,
        "auditor": factories.create_position(audit_committee, "lid", seats=3),
    }


def member(**values) -> Person:
    """A person with a membership since 2015."""
    membership = factories.create_member(start_date=date(2015, 1, 1), **values)
    return db.session.get(Person, membership.person_id)


def member_number(person: Person) -> str:
    from coop.members.models import Membership

    return str(db.session.scalar(
        select(Membership.member_number).where(Membership.person_id == person.id)
    ))


def appointments() -> list[Appointment]:
    db.session.rollback()
    return db.session.scalars(select(Appointment).order_by(Appointment.id)).all()


def appointment_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def audit_events(tag: str):
    db.session.rollback()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == tag).order_by(AuditEvent.id)
    ).all()
