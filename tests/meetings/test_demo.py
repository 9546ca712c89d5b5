"""The demo holds a past ALV with its decisions and an upcoming, convened one."""

import pytest
from sqlalchemy import select

from coop.extensions import db
from coop.meetings.models import Decision, GeneralMeeting


@pytest.fixture
def statutes_allow_electronic_voting():
    """The demo brings its own statutes (and needs an empty database)."""


def test_demo_has_a_past_meeting_with_decisions_and_an_upcoming_one(app):
    assert app.test_cli_runner().invoke(args=["coop", "load-demo"]).exit_code == 0

    statuses = db.session.scalars(
        select(GeneralMeeting.status).order_by(GeneralMeeting.starts_at)
    ).all()
    decisions = db.session.scalars(select(Decision).order_by(Decision.id)).all()

    assert statuses == ["closed", "convened"]
    assert [d.kind for d in decisions] == ["annual_accounts", "discharge", "election", "matter"]
    assert all(d.outcome == "adopted" for d in decisions)
    assert "gekozen Ingrid Bakker" in decisions[2].text
