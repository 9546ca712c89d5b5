"""Proxies: who may give and hold one, the cap, withdrawal, lapsing."""

from sqlalchemy import func, select

from coop.extensions import db
from coop.meetings import services as meetings
from coop.meetings.models import Proxy, ProxyStatus
from tests import factories


def _proxies() -> int:
    return db.session.scalar(select(func.count(Proxy.id)))


def test_member_gives_a_proxy_to_another_voting_member(app):
    meeting, _ = factories.create_meeting()
    anna, bram = factories.create_voter(given_name="Anna"), factories.create_voter()

    proxy = meetings.grant_proxy(meeting, anna, bram)
    db.session.commit()

    assert proxy.status == ProxyStatus.ACTIVE
    assert meetings.presence(meeting).proxies == 0  # the holder is not present yet


def test_proxy_over_the_cap_is_refused(app, refused):
    factories.save_organisation(proxy_cap_per_holder=2)
    meeting, _ = factories.create_meeting()
    holder = factories.create_voter(given_name="Henk", family_name="Houder")
    for _ in range(2):
        meetings.grant_proxy(meeting, factories.create_voter(), holder)
    db.session.commit()
    third = factories.create_voter()

    with refused("Henk Houder already holds 2 proxies; the statutes allow at most 2"):
        meetings.grant_proxy(meeting, third, holder)

    assert _proxies() == 2


def test_proxy_to_a_non_member_is_refused(app, refused):
    meeting, _ = factories.create_meeting()
    grantor = factories.create_voter()
    outsider = factories.create_person(given_name="Olga", family_name="Buiten")

    with refused("A proxy can only go to a member with a vote. Olga Buiten is not a member"):
        meetings.grant_proxy(meeting, grantor, outsider)
    assert _proxies() == 0


def test_proxy_to_an_ended_member_is_refused(app, refused):
    from datetime import date

    from coop.members import services as register
    from coop.members.services import current_membership

    meeting, _ = factories.create_meeting()
    grantor = factories.create_voter()
    former = factories.create_voter(given_name="Eva", family_name="Oud")
    register.change_status(current_membership(former), "ended", date(2026, 1, 1), "verhuisd")
    db.session.commit()

    with refused("The membership of Eva Oud has ended"):
        meetings.grant_proxy(meeting, grantor, former)
    assert _proxies() == 0


def test_a_member_without_a_vote_cannot_give_a_proxy(app, refused):
    meeting, _ = factories.create_meeting()
    supporter_type = factories.create_membership_type(has_vote=False)
    supporter = factories.create_voter(membership_type=supporter_type, given_name="Sam",
                                       family_name="Steun")

    with refused("The membership type of Sam Steun carries no vote"):
        meetings.grant_proxy(meeting, supporter, factories.create_voter())


def test_a_holder_cannot_pass_a_proxy_on(app, refused):
    factories.save_organisation(proxy_cap_per_holder=2)
    meeting, _ = factories.create_meeting()
    anna = factories.create_voter()
    bram = factories.create_voter(given_name="Bram", family_name="Boer")
    cas = factories.create_voter(given_name="Cas", family_name="Claes")
    meetings.grant_proxy(meeting, anna, bram)
    db.session.commit()

    with refused("Bram Boer holds proxies of other members"):
        meetings.grant_proxy(meeting, bram, cas)
    meetings.grant_proxy(meeting, cas, factories.create_voter())
    db.session.commit()
    with refused("Cas Claes has given their own vote to someone else"):
        meetings.grant_proxy(meeting, factories.create_voter(), cas)


def test_proxy_can_be_withdrawn_until_voting_starts(app, refused):
    meeting, (proposal,) = factories.create_meeting(status="open")
    first = meetings.grant_proxy(meeting, factories.create_voter(), factories.create_voter())
    meetings.withdraw_proxy(first)
    second = meetings.grant_proxy(meeting, factories.create_voter(), factories.create_voter())
    db.session.commit()
    assert first.status == ProxyStatus.WITHDRAWN

    meetings.open_voting(proposal)
    db.session.commit()
    with refused("Voting has started: the proxy can no longer be withdrawn"):
        meetings.withdraw_proxy(second)
    assert db.session.get(Proxy, second.id).status == ProxyStatus.ACTIVE


def test_proxy_lapses_when_the_grantor_attends(app):
    meeting, _ = factories.create_meeting(status="open")
    anna, bram = factories.create_voter(), factories.create_voter()
    proxy = meetings.grant_proxy(meeting, anna, bram)
    meetings.check_in(meeting, bram)
    db.session.commit()
    assert meetings.presence(meeting).votes_present == 2

    meetings.check_in(meeting, anna)
    db.session.commit()

    assert db.session.get(Proxy, proxy.id).status == ProxyStatus.LAPSED
    counts = meetings.presence(meeting)
    assert (counts.members_present, counts.proxies, counts.votes_present) == (2, 0, 2)


def test_a_present_member_cannot_give_a_proxy(app, refused):
    meeting, _ = factories.create_meeting(status="open")
    anna = factories.create_voter(given_name="Anna", family_name="Aanwezig")
    meetings.check_in(meeting, anna)
    db.session.commit()

    with refused("Anna Aanwezig attends the meeting"):
        meetings.grant_proxy(meeting, anna, factories.create_voter())


def test_statutes_without_proxies_refuse_every_proxy(app, refused):
    factories.save_organisation(proxy_cap_per_holder=0)
    meeting, _ = factories.create_meeting()

    with refused("The statutes do not allow voting by proxy"):
        meetings.grant_proxy(meeting, factories.create_voter(), factories.create_voter())


def test_the_database_allows_one_active_proxy_per_member_and_meeting(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    meeting, _ = factories.create_meeting()
    anna = factories.create_voter()
    meetings.grant_proxy(meeting, anna, factories.create_voter())
    db.session.commit()
    db.session.add(Proxy(meeting_id=meeting.id, grantor_id=anna.id,
                         holder_id=factories.create_voter().id, source="paper"))
    with pytest.raises(IntegrityError):
        db.session.commit()
