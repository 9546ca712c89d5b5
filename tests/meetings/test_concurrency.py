"""Meetings under load: members giving a proxy to one holder at the same moment never
push the holder over the statutes' cap, and a double click on "attend online" registers
once, on SQLite and PostgreSQL."""

from sqlalchemy import func, select

from coop.extensions import db
from coop.meetings import services as meetings
from coop.meetings.models import Attendance, Proxy
from tests import factories
from tests.concurrency import at_once
from tests.portal.helpers import create_member_with_account


def test_four_proxies_at_once_to_one_holder_stay_within_a_cap_of_two(app):
    factories.save_organisation(proxy_cap_per_holder=2)
    meeting, _ = factories.create_meeting()
    holder = factories.create_voter(given_name="Henk", family_name="Houder")
    number = meetings.voting_membership(holder).member_number
    grantors = [create_member_with_account()[0] for _ in range(4)]
    for user in grantors:
        user.locale = "en"
    form = {"member_number": number, "family_name": "Houder"}
    url = f"/portal/meetings/{meeting.id}/proxy"

    responses = at_once(app, [lambda client: client.post(url, data=form)] * 4,
                        as_user=grantors)

    assert sorted(r.status_code for r in responses) == [302, 302, 422, 422]
    for refused in (r for r in responses if r.status_code == 422):
        assert "already holds 2 proxies" in refused.text
    assert db.session.scalar(select(func.count(Proxy.id))) == 2


def test_joining_online_with_a_double_click_registers_once(app):
    meeting, _ = factories.create_meeting(status="open")
    user, _person = create_member_with_account()
    user.locale = "en"
    url = f"/portal/meetings/{meeting.id}/attend"

    responses = at_once(app, [lambda client: client.post(url)] * 4, as_user=user)

    assert sorted(r.status_code for r in responses) == [302, 422, 422, 422]
    for refused in (r for r in responses if r.status_code == 422):
        assert "is already registered as present" in refused.text
    assert db.session.scalar(select(func.count(Attendance.id))) == 1
