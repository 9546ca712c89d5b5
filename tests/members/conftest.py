"""Shared pieces for the register tests: a board member who reads English, and helpers."""

import pytest
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.extensions import db
from coop.permissions import Role


@pytest.fixture
def board(make_user, login_as):
    return login_as(make_user("bestuur@example.org", roles=[Role.BOARD], name="Bea Bestuur",
                              locale="en"))


def audit_events(tag: str):
    db.session.rollback()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == tag).order_by(AuditEvent.id)
    ).all()
