"""Rules of the statutes on both ways of voting: a conflict of interest excludes from the
room count as from online voting, online voting during the meeting follows the
statutes (and counts as presence), a meeting opened before its date asks first and its
decisions carry the day they were taken, and a quorum of one third."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import select

from coop.extensions import db
from coop.meetings import services as meetings
from coop.meetings.models import Attendance, GeneralMeeting, ProxyStatus
from coop.permissions import Role
from coop.timeutil import to_local, utcnow
from tests import factories
from tests.portal.helpers import create_member_with_account


def local_today() -> date:
    return to_local(utcnow()).date()


def _voter(given, family):
    return factories.create_voter(given_name=given, family_name=family)


# Conflicts of interest in the room ---------------------------------------------------


def test_the_room_count_leaves_out_conflicted_members_and_the_proxies_they_hold(
        app, refused):
    meeting, (proposal,) = factories.create_meeting(status="open")
    owner = _voter("Piet", "Pand")  # rents the building to the coop
    neighbour = _voter("Nina", "Buur")
    gives_to_owner = _voter("Gert", "Geeft")
    tenant = _voter("Tom", "Huurder")  # also conflicted, gives his proxy to Nina
    for person in (owner, neighbour):
        meetings.check_in(meeting, person)
    meetings.grant_proxy(meeting, gives_to_owner, owner)
    meetings.grant_proxy(meeting, tenant, neighbour)
    for person in (owner, tenant):
        meetings.register_conflict(person, "Verhuurt of huurt het buurthuis",
                                   date(2026, 1, 1), proposal)
    meetings.open_voting(proposal)
    db.session.commit()

    # Only Nina's own vote: not Piet, not the proxy Piet holds, not Tom's through Nina.
    assert meetings.room_votes_available(proposal) == 1
    with refused("2 votes counted, but only 1 votes present in the room"):
        meetings.record_room_tally(proposal, "hands", {"for": 2})
    # The same people are refused online, by the same rule.
    with refused("Piet Pand has a registered conflict of interest"):
        meetings.cast_vote(proposal, gives_to_owner, "for", cast_by=owner)
    with refused("Tom Huurder has a registered conflict of interest"):
        meetings.cast_vote(proposal, tenant, "for", cast_by=neighbour)
    meetings.record_room_tally(proposal, "hands", {"for": 1})
    db.session.commit()


# Online voting during the meeting ----------------------------------------------------


def test_online_voting_during_the_meeting_needs_the_statutes(app, refused):
    factories.save_organisation(electronic_voting_allowed=False)
    meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.open_voting(proposal)  # the room can vote
    db.session.commit()
    voter = _voter("Olga", "Online")

    with refused("Online voting is not possible at this moment"):
        meetings.cast_vote(proposal, voter, "for")

    assert meetings.current_totals(proposal).votes_for == 0
    assert meetings.presence(meeting).members_present == 0


def test_the_portal_says_the_statutes_want_the_vote_in_the_meeting(app, client, login_as):
    factories.save_organisation(electronic_voting_allowed=False)
    meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.open_voting(proposal)
    db.session.commit()
    user, _person = create_member_with_account()
    login_as(user)

    page = client.get(f"/portal/meetings/{meeting.id}")
    vote = client.post(f"/portal/meetings/proposals/{proposal.id}/vote", data={"choice": "for"})

    assert "De statuten staan online stemmen niet toe" in page.text
    assert 'name="choice"' not in page.text
    assert vote.status_code == 422
    assert meetings.current_totals(proposal).votes_for == 0


def test_an_online_vote_during_the_meeting_registers_the_voter_as_present(app):
    factories.save_organisation(electronic_voting_allowed=True)
    meeting, (proposal,) = factories.create_meeting(status="open")
    olga, helga = _voter("Olga", "Online"), _voter("Helga", "Helpt")
    henk, greet = _voter("Henk", "Houder"), _voter("Greet", "Geeft")
    meetings.grant_proxy(meeting, olga, helga)  # Olga gave a proxy, then votes herself
    meetings.grant_proxy(meeting, greet, henk)
    meetings.open_voting(proposal)
    db.session.commit()

    meetings.cast_vote(proposal, olga, "for")
    meetings.cast_vote(proposal, greet, "for", cast_by=henk)  # Henk, with Greet's proxy
    db.session.commit()

    modes = dict(db.session.execute(select(Attendance.person_id, Attendance.mode)
                                    .where(Attendance.meeting_id == meeting.id)).all())
    assert modes == {olga.id: "online", henk.id: "online"}
    current = meetings.presence(meeting)
    assert (current.members_present, current.online, current.votes_present) == (2, 2, 3)
    assert meetings.active_proxy_of(meeting, olga) is None  # her own proxy lapsed
    assert meetings.active_proxy_of(meeting, greet).status == ProxyStatus.ACTIVE


def test_an_online_vote_before_the_meeting_is_no_presence(app):
    factories.save_organisation(electronic_voting_allowed=True)
    meeting, (proposal,) = factories.create_meeting(status="convened",
                                                    starts_at=utcnow() + timedelta(days=5))
    meetings.open_voting(proposal)
    meetings.cast_vote(proposal, _voter("Vera", "Vooraf"), "for")
    db.session.commit()

    assert meetings.presence(meeting).members_present == 0
    assert meetings.current_totals(proposal).votes_for == 1


# Opening before the planned date -----------------------------------------------------


def test_opening_weeks_before_the_planned_date_asks_for_a_confirmation(
        app, client, login_as):
    meeting, _ = factories.create_meeting(status="convened",
                                          starts_at=utcnow() + timedelta(days=21))
    login_as(factories.create_user(roles=[Role.BOARD]))

    first = client.post(f"/meetings/{meeting.id}/open")
    db.session.expire_all()
    still = db.session.get(GeneralMeeting, meeting.id).status

    assert first.status_code == 422
    assert "over 21 dagen. Toch vandaag openen?" in first.text
    assert "Ja, de vergadering vandaag openen" in first.text
    assert still == "convened"

    confirmed = client.post(f"/meetings/{meeting.id}/open", data={"confirm_early": "y"})
    db.session.expire_all()

    assert confirmed.status_code == 302
    assert db.session.get(GeneralMeeting, meeting.id).status == "open"


def test_opening_on_the_planned_day_needs_no_confirmation(app, client, login_as):
    meeting, _ = factories.create_meeting(status="convened",
                                          starts_at=utcnow() + timedelta(minutes=30))
    login_as(factories.create_user(roles=[Role.BOARD]))

    response = client.post(f"/meetings/{meeting.id}/open")

    assert response.status_code == 302


def test_decisions_carry_the_day_they_were_taken_not_the_planned_date(app):
    planned = utcnow() + timedelta(days=21)
    meeting, (proposal,) = factories.create_meeting(status="convened", starts_at=planned)
    meetings.open_meeting(meeting, confirmed_early=True)
    meetings.open_voting(proposal)
    meetings.cast_vote(proposal, _voter("Anna", "Stemt"), "for")
    decision = meetings.close_voting(proposal)
    db.session.commit()

    assert decision.date == local_today()
    assert decision.number == f"{local_today().year}-001"


# A quorum of one third ---------------------------------------------------------------


def _add_proposal(client, item, **fields):
    return client.post(f"/meetings/items/{item.id}/proposals", data={
        "proposal-kind": "matter", "proposal-title": "Buurtbudget",
        "proposal-text": "De ALV stemt in.", "proposal-quorum": "custom",
        "proposal-secrecy": "default", "proposal-seats": "1", **fields,
    })


def test_a_proposal_takes_a_quorum_of_one_third_and_needs_34_of_100(app, client, login_as):
    meeting, _ = factories.create_meeting(status="draft", proposals=())
    item = meetings.add_agenda_item(meeting, "Begroting", None)
    db.session.commit()
    login_as(factories.create_user(roles=[Role.BOARD]))

    response = _add_proposal(client, item, **{"proposal-quorum_share": "1/3"})

    assert response.status_code == 302
    [proposal] = meetings.proposals_of(meeting)
    assert proposal.quorum == Fraction(1, 3)
    page = client.get(f"/meetings/proposals/{proposal.id}").text
    assert "1/3 van de stemgerechtigde leden" in page
    assert meetings.quorum_needed(100, proposal.quorum) == 34  # 33% would need 33
    assert not meetings.quorum_reached(33, 100, proposal.quorum)


@pytest.mark.parametrize(("typed", "message"), [
    ("1/0", "Het getal onder de streep (de noemer) kan niet 0 zijn."),
    ("3/2", "Een aandeel kan niet groter zijn dan het geheel: ten hoogste 1/1 of 100%."),
    ("-1/3", "Een aandeel kan niet negatief zijn."),
    ("", "Vul een breuk in zoals 1/3, of een percentage zoals 40%."),
    ("een derde", "Vul een breuk in zoals 1/3, of een percentage zoals 40%."),
])
def test_a_bad_quorum_is_refused_at_the_field_and_nothing_saved(app, client, login_as,
                                                                typed, message):
    meeting, _ = factories.create_meeting(status="draft", proposals=())
    item = meetings.add_agenda_item(meeting, "Begroting", None)
    db.session.commit()
    login_as(factories.create_user(roles=[Role.BOARD]))

    response = _add_proposal(client, item, **{"proposal-quorum_share": typed})

    assert response.status_code == 422
    error = response.text.split('id="proposal-quorum_share-error"', 1)[1].split("</", 1)[0]
    assert message in error
    assert meetings.proposals_of(meeting) == []


def test_a_bad_majority_is_refused_at_the_field(app, client, login_as):
    meeting, _ = factories.create_meeting(status="draft", proposals=())
    item = meetings.add_agenda_item(meeting, "Begroting", None)
    db.session.commit()
    login_as(factories.create_user(roles=[Role.BOARD]))

    response = _add_proposal(client, item, **{"proposal-quorum": "statutes",
                                               "proposal-majority": "0/2"})

    assert response.status_code == 422
    error = response.text.split('id="proposal-majority-error"', 1)[1].split("</", 1)[0]
    assert "Een aandeel moet groter zijn dan 0." in error
    assert meetings.proposals_of(meeting) == []
