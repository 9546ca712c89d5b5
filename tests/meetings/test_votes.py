"""Votes: who may vote when, one vote per member, proxies, the room tally, results,
conflicts of interest, secret ballots and immutability after closing."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from coop.extensions import db
from coop.meetings import services as meetings
from coop.meetings.models import (
    BallotTally,
    Decision,
    Proposal,
    VoteParticipation,
)
from coop.timeutil import to_local, utcnow
from tests import factories
from tests.conftest import ON_POSTGRES
from tests.meetings.conftest import audit_events


def _participations() -> int:
    return db.session.scalar(select(func.count(VoteParticipation.id)))


def _open_vote(kind="matter", **meeting_args):
    meeting, (proposal,) = factories.create_meeting(status="open", proposals=((kind, "Voorstel"),),
                                                    **meeting_args)
    meetings.open_voting(proposal)
    db.session.commit()
    return meeting, proposal


def _close(proposal, **kwargs):
    decision = meetings.close_voting(proposal, **kwargs)
    db.session.commit()
    return decision


def test_members_vote_online_and_the_result_is_computed_with_numbers(app):
    _meeting, proposal = _open_vote()
    voters = [factories.create_voter() for _ in range(6)]
    for voter, choice in zip(voters, ["for", "for", "for", "against", "against", "abstain"],
                             strict=True):
        meetings.cast_vote(proposal, voter, choice)
    db.session.commit()

    decision = _close(proposal)

    assert (proposal.votes_for, proposal.votes_against, proposal.votes_abstain) == (3, 2, 1)
    assert proposal.outcome == "adopted"
    # Numbered in the year the decision was taken (today), not the planned date's.
    assert decision.number == f"{to_local(utcnow()).year}-001"
    assert (decision.votes_for, decision.votes_against) == (3, 2)
    assert audit_events("meetings:vote:close")[0].details["outcome"] == "adopted"


def test_abstentions_blank_and_invalid_do_not_count_as_cast(app):
    factories.save_organisation()
    meeting, proposal = _open_vote()
    present = [factories.create_voter() for _ in range(10)]
    for person in present:
        meetings.check_in(meeting, person)
    meetings.cast_vote(proposal, factories.create_voter(), "for")
    meetings.record_room_tally(
        proposal, "paper", {"for": 2, "against": 3, "abstain": 1, "blank": 3, "invalid": 1}
    )
    db.session.commit()

    _close(proposal)

    # 3 for against 3 against: a tie, rejected, however many blank and invalid ballots.
    assert (proposal.votes_for, proposal.votes_against) == (3, 3)
    assert (proposal.votes_blank, proposal.votes_invalid, proposal.votes_abstain) == (3, 1, 1)
    assert proposal.outcome == "rejected"


def test_statute_amendment_at_exactly_two_thirds_is_adopted_and_below_it_rejected(app):
    meeting, (adopted, rejected) = factories.create_meeting(
        status="open", proposals=(("statute_amendment", "Statuten A"),
                                  ("statute_amendment", "Statuten B")))
    assert adopted.majority == Fraction(2, 3)
    for person in [factories.create_voter() for _ in range(30)]:
        meetings.check_in(meeting, person)
    for proposal, votes_for, votes_against in ((adopted, 20, 10), (rejected, 19, 11)):
        meetings.open_voting(proposal)
        meetings.record_room_tally(proposal, "hands", {"for": votes_for, "against": votes_against})
    db.session.commit()

    _close(adopted)
    _close(rejected)

    assert adopted.outcome == "adopted"
    assert rejected.outcome == "rejected"


def test_quorum_not_reached_gives_no_quorum(app):
    factories.save_organisation(quorum=Fraction(1, 2))
    members = [factories.create_voter() for _ in range(10)]
    meeting, proposal = _open_vote()
    for person in members[:4]:
        meetings.check_in(meeting, person)
    meetings.record_room_tally(proposal, "hands", {"for": 4})
    db.session.commit()
    assert not meetings.presence(meeting).quorum_reached

    _close(proposal)

    assert (proposal.represented_count, proposal.eligible_count) == (4, 10)
    assert proposal.outcome == "no_quorum"


def test_quorum_counts_proxies_and_members_present(app):
    factories.save_organisation(quorum=Fraction(1, 2))
    members = [factories.create_voter() for _ in range(10)]
    meeting, proposal = _open_vote()
    for person in members[:4]:
        meetings.check_in(meeting, person)
    meetings.grant_proxy(meeting, members[5], members[0])
    db.session.commit()
    assert meetings.presence(meeting).votes_present == 5
    assert meetings.presence(meeting).quorum_reached
    meetings.record_room_tally(proposal, "hands", {"for": 5})

    _close(proposal)

    assert proposal.represented_count == 5
    assert proposal.outcome == "adopted"


def test_vote_before_opening_is_refused(app, refused):
    _meeting, (proposal,) = factories.create_meeting(status="open")
    voter = factories.create_voter()

    with refused("Voting on this proposal has not opened yet"):
        meetings.cast_vote(proposal, voter, "for")
    assert _participations() == 0


def test_vote_after_closing_is_refused(app, refused):
    _meeting, proposal = _open_vote()
    _close(proposal)

    with refused("Voting on this proposal has closed"):
        meetings.cast_vote(proposal, factories.create_voter(), "for")
    assert _participations() == 0


def test_vote_by_a_non_member_is_refused(app, refused):
    _meeting, proposal = _open_vote()
    outsider = factories.create_person(given_name="Olga", family_name="Buiten")

    with refused("Olga Buiten is not a member and has no vote"):
        meetings.cast_vote(proposal, outsider, "for")
    assert _participations() == 0


def test_vote_by_an_ended_member_is_refused(app, refused):
    from coop.members import services as register

    _meeting, proposal = _open_vote()
    former = factories.create_voter(given_name="Eva", family_name="Oud")
    register.change_status(register.current_membership(former), "ended", date(2026, 1, 1),
                           "opgezegd")
    db.session.commit()

    with refused("The membership of Eva Oud has ended"):
        meetings.cast_vote(proposal, former, "for")
    assert _participations() == 0


def test_vote_by_an_aspirant_is_refused(app, refused):
    _meeting, proposal = _open_vote()
    aspirant = factories.create_voter(status="aspirant")

    with refused("is an aspirant member and has no vote yet"):
        meetings.cast_vote(proposal, aspirant, "for")


def test_second_vote_is_refused_and_the_first_stands(app, refused):
    _meeting, proposal = _open_vote()
    voter = factories.create_voter()
    meetings.cast_vote(proposal, voter, "for")
    db.session.commit()

    with refused("You have already voted on this proposal"):
        meetings.cast_vote(proposal, voter, "against")

    assert meetings.current_totals(proposal).votes_for == 1
    assert meetings.current_totals(proposal).votes_against == 0


def test_the_database_refuses_a_second_participation(app):
    _meeting, proposal = _open_vote()
    voter = factories.create_voter()
    meetings.cast_vote(proposal, voter, "for")
    db.session.commit()

    db.session.add(VoteParticipation(proposal_id=proposal.id, voter_id=voter.id,
                                     cast_by_id=voter.id, channel="online"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_changed_open_vote_replaces_the_first_when_the_statutes_allow(app):
    factories.save_organisation(vote_change_allowed=True)
    _meeting, proposal = _open_vote()
    voter = factories.create_voter()
    meetings.cast_vote(proposal, voter, "for")
    meetings.cast_vote(proposal, voter, "against")
    db.session.commit()

    totals = meetings.current_totals(proposal)
    assert (totals.votes_for, totals.votes_against) == (0, 1)
    assert _participations() == 1


def test_a_secret_ballot_cannot_be_changed_even_when_changes_are_allowed(app, refused):
    factories.save_organisation(vote_change_allowed=True)
    _meeting, proposal = _open_vote(kind="appointment")
    voter = factories.create_voter()
    meetings.cast_vote(proposal, voter, "for")
    db.session.commit()

    with refused("A secret ballot cannot be changed"):
        meetings.cast_vote(proposal, voter, "against")


def test_proxy_holder_votes_for_the_grantor_and_it_is_recorded(app, refused):
    meeting, (proposal,) = factories.create_meeting(status="open")
    anna = factories.create_voter(given_name="Anna", family_name="Geeft")
    bram = factories.create_voter(given_name="Bram", family_name="Houdt")
    meetings.grant_proxy(meeting, anna, bram)
    meetings.open_voting(proposal)
    db.session.commit()

    meetings.cast_vote(proposal, anna, "for", cast_by=bram)
    meetings.cast_vote(proposal, bram, "against")
    db.session.commit()

    [(voter, holder, _)] = meetings.proxy_votes(proposal)
    assert (voter.display_name, holder.display_name) == ("Anna Geeft", "Bram Houdt")
    with refused("Bram Houdt has already voted for you with your proxy"):
        meetings.cast_vote(proposal, anna, "against")


def test_vote_with_a_lapsed_proxy_is_refused(app, refused):
    meeting, (proposal,) = factories.create_meeting(status="open")
    anna = factories.create_voter(given_name="Anna", family_name="Komt")
    bram = factories.create_voter()
    meetings.grant_proxy(meeting, anna, bram)
    meetings.check_in(meeting, anna)  # the proxy lapses
    meetings.open_voting(proposal)
    db.session.commit()

    with refused("You hold no valid proxy for this vote"):
        meetings.cast_vote(proposal, anna, "for", cast_by=bram)
    assert _participations() == 0


def test_member_with_a_conflict_of_interest_is_excluded_from_that_vote(app, refused):
    _meeting, (proposal, other) = factories.create_meeting(
        status="open", proposals=(("matter", "Huur buurthuis"), ("matter", "Begroting")))
    owner = factories.create_voter(given_name="Piet", family_name="Pand")
    meetings.register_conflict(owner, "Verhuurt het buurthuis aan de coöperatie",
                               date(2026, 1, 1), proposal)
    meetings.open_voting(proposal)
    meetings.open_voting(other)
    db.session.commit()

    with refused("Piet Pand has a registered conflict of interest"):
        meetings.cast_vote(proposal, owner, "for")
    meetings.cast_vote(other, owner, "for")  # another proposal: no conflict
    db.session.commit()
    assert _participations() == 1


def test_proxy_holder_with_a_conflict_cannot_vote_for_the_grantor(app, refused):
    meeting, (proposal,) = factories.create_meeting(status="open")
    anna = factories.create_voter()
    holder = factories.create_voter(given_name="Piet", family_name="Pand")
    meetings.grant_proxy(meeting, anna, holder)
    meetings.register_conflict(holder, "Eigenaar", date(2026, 1, 1), proposal)
    meetings.open_voting(proposal)
    db.session.commit()

    with refused("Piet Pand has a registered conflict of interest"):
        meetings.cast_vote(proposal, anna, "for", cast_by=holder)


def test_online_voting_before_the_meeting_needs_the_statutes(app, refused):
    factories.save_organisation(electronic_voting_allowed=False)  # the law's default
    _meeting, (proposal,) = factories.create_meeting(status="convened")

    with refused("The statutes do not allow voting before the meeting"):
        meetings.open_voting(proposal)


def test_online_voting_opens_at_most_30_days_before_the_meeting(app, refused):
    factories.save_organisation(electronic_voting_allowed=True)
    _far, (early,) = factories.create_meeting(starts_at=utcnow() + timedelta(days=31))
    _near, (timely,) = factories.create_meeting(starts_at=utcnow() + timedelta(days=29))

    with refused("at most 30 days before the meeting"):
        meetings.open_voting(early)
    meetings.open_voting(timely)
    meetings.cast_vote(timely, factories.create_voter(), "for")
    db.session.commit()
    assert meetings.current_totals(timely).votes_for == 1


def test_room_tally_cannot_exceed_the_votes_present(app, refused):
    meeting, proposal = _open_vote()
    present = [factories.create_voter() for _ in range(3)]
    for person in present:
        meetings.check_in(meeting, person)
    meetings.grant_proxy(meeting, factories.create_voter(), present[0])
    meetings.cast_vote(proposal, present[1], "for")  # voted online, not again in the room
    db.session.commit()
    assert meetings.room_votes_available(proposal) == 3

    with refused("4 votes counted, but only 3 votes present in the room"):
        meetings.record_room_tally(proposal, "hands", {"for": 2, "against": 2})
    meetings.record_room_tally(proposal, "hands", {"for": 2, "against": 1})
    db.session.commit()


def test_election_with_two_seats_and_paper_ballots(app):
    factories.save_organisation(tie_on_persons="re_vote")
    meeting, (election,) = factories.create_meeting(
        status="draft", proposals=(("election", "Verkiezing bestuur"),))
    election.seats = 2
    a, b, c = (meetings.add_candidate(election, n) for n in ("Anna", "Bram", "Cas"))
    meeting.status = "open"
    db.session.commit()
    meetings.open_voting(election)
    voters = [factories.create_voter() for _ in range(5)]
    meetings.cast_vote(election, voters[0], candidate_ids=[a.id, b.id])
    meetings.cast_vote(election, voters[1], candidate_ids=[a.id])
    meetings.cast_vote(election, voters[2], candidate_ids=[])  # blank
    for person in voters[3:]:
        meetings.check_in(meeting, person)
    meetings.record_room_tally(election, "paper", {}, {a.id: 1, c.id: 2})
    db.session.commit()

    _close(election)

    assert (a.votes, b.votes, c.votes) == (3, 1, 2)
    assert (a.elected, b.elected, c.elected) == (True, False, True)
    assert election.votes_blank == 1
    decision = db.session.scalar(select(Decision).where(Decision.proposal_id == election.id))
    assert decision.text == "Verkiezing bestuur: gekozen Anna, Cas."


def test_election_tie_leads_to_a_re_vote_between_the_tied(app):
    factories.save_organisation(tie_on_persons="re_vote")
    meeting, (election,) = factories.create_meeting(
        status="draft", proposals=(("election", "Kascommissie"),))
    a, b = meetings.add_candidate(election, "Anna"), meetings.add_candidate(election, "Bram")
    meeting.status = "open"
    db.session.commit()
    meetings.open_voting(election)
    meetings.cast_vote(election, factories.create_voter(), candidate_ids=[a.id])
    meetings.cast_vote(election, factories.create_voter(), candidate_ids=[b.id])
    db.session.commit()

    _close(election)
    again = meetings.re_vote(election)
    db.session.commit()

    assert election.outcome == "re_vote"
    assert "Staken der stemmen (1) tussen Anna, Bram" in election.tie_resolution
    assert [c.name for c in meetings.candidates_of(again)] == ["Anna", "Bram"]
    assert again.seats == 1


def test_closed_vote_cannot_be_changed_in_the_database(app):
    _meeting, proposal = _open_vote()
    meetings.cast_vote(proposal, factories.create_voter(), "for")
    db.session.commit()
    decision = _close(proposal)

    statements = [
        ("UPDATE proposal SET votes_for = 99 WHERE id = :p", proposal.id),
        ("UPDATE ballot_tally SET count = 99 WHERE proposal_id = :p", proposal.id),
        ("DELETE FROM vote_participation WHERE proposal_id = :p", proposal.id),
        ("UPDATE decision SET outcome = 'rejected' WHERE id = :p", decision.id),
        ("DELETE FROM decision WHERE id = :p", decision.id),
    ]
    for statement, key in statements:
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement), {"p": key})
        db.session.rollback()
    assert db.session.get(Proposal, proposal.id).votes_for == 1


def test_closing_twice_is_refused(app, refused):
    _meeting, proposal = _open_vote()
    _close(proposal)

    with refused("Voting on this proposal has closed"):
        meetings.close_voting(proposal)
    assert db.session.scalar(select(func.count(Decision.id))) == 1


# Secret ballots ------------------------------------------------------------------------


def _secret_vote_tables_state(proposal_id: int):
    """Everything the database holds on what was voted: the tally rows, whole."""
    return db.session.execute(
        select(BallotTally.__table__).where(BallotTally.proposal_id == proposal_id)
        .order_by(BallotTally.option)
    ).all()


def test_secret_ballot_state_does_not_depend_on_who_voted_what(app):
    """Two elections with the same voters: in one Anna votes for and Bram against, in
    the other the reverse. What is stored about the choices is identical, so nothing
    links a choice to a voter; the participation rows only say that both voted."""
    _meeting, (first, second) = factories.create_meeting(
        status="open", proposals=(("appointment", "Benoeming A"), ("appointment", "Benoeming B")))
    assert first.secret and second.secret
    anna, bram = factories.create_voter(), factories.create_voter()
    meetings.open_voting(first)
    meetings.open_voting(second)
    db.session.commit()

    meetings.cast_vote(first, anna, "for")
    db.session.commit()
    meetings.cast_vote(first, bram, "against")
    db.session.commit()
    meetings.cast_vote(second, anna, "against")
    db.session.commit()
    meetings.cast_vote(second, bram, "for")
    db.session.commit()

    def strip_proposal(rows):
        return [tuple(v for k, v in row._mapping.items() if k != "proposal_id") for row in rows]

    assert strip_proposal(_secret_vote_tables_state(first.id)) == strip_proposal(
        _secret_vote_tables_state(second.id))
    participation = db.session.scalars(select(VoteParticipation)).all()
    assert {p.choice for p in participation} == {None}


def test_secret_ballot_tables_hold_no_voter_time_or_order(app):
    columns = {c.name for c in BallotTally.__table__.columns}
    assert columns == {"proposal_id", "option", "candidate_id", "count"}
    # No autoincrement id: the primary key is the proposal and the option.
    assert [c.name for c in BallotTally.__table__.primary_key] == ["proposal_id", "option"]


@pytest.mark.skipif(not ON_POSTGRES, reason="xmin is a PostgreSQL system column")
def test_secret_ballot_counters_share_one_transaction_id_after_each_vote(app):
    """Every vote rewrites all counters of its proposal, so no counter's xmin points at
    the transaction (and so the participation row) of the last voter who chose it."""
    _meeting, proposal = _open_vote(kind="appointment")
    meetings.cast_vote(proposal, factories.create_voter(), "for")
    db.session.commit()
    meetings.cast_vote(proposal, factories.create_voter(), "against")
    db.session.commit()

    xmins = db.session.execute(
        text("SELECT DISTINCT xmin::text FROM ballot_tally WHERE proposal_id = :p"),
        {"p": proposal.id},
    ).scalars().all()
    assert len(xmins) == 1
