"""Shared pieces for the ALV tests."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.extensions import db
from coop.meetings.services import MeetingError


@pytest.fixture
def refused():
    """`with refused("text"):` expects a MeetingError whose message contains the text,
    then rolls back, as a view does, so the test can check that nothing was saved."""
    from contextlib import contextmanager

    @contextmanager
    def check(fragment: str):
        with pytest.raises(MeetingError) as caught:
            yield caught
        db.session.rollback()
        with force_locale("en"):
            message = str(caught.value.message)
        assert fragment in message, message

    return check


def audit_events(tag: str):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == tag).order_by(AuditEvent.id)
    ).all()


@pytest.fixture(autouse=True)
def statutes_allow_electronic_voting(request):
    """Most ALV tests vote online, so their statutes allow electronic voting (BW 2:38
    lid 6; online voting follows that setting). A test of the law's default (not
    allowed) saves it off itself."""
    if "app" not in request.fixturenames:
        return
    request.getfixturevalue("app")
    from tests import factories

    factories.save_organisation(electronic_voting_allowed=True)
