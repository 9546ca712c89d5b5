"""The statute rules that turn counts into an outcome, with exact numbers."""

import random

import pytest

from coop.meetings.models import Outcome
from coop.meetings.services import (
    election_result,
    majority_reached,
    matter_outcome,
    quorum_needed,
    quorum_reached,
)


@pytest.mark.parametrize(
    ("votes_for", "votes_against", "adopted"),
    [(51, 49, True), (50, 50, False), (1, 0, True), (0, 0, False), (10, 11, False)],
)
def test_simple_majority_needs_more_than_half_of_the_votes_cast(votes_for, votes_against, adopted):
    assert majority_reached(votes_for, votes_against, "more_than_half") is adopted


@pytest.mark.parametrize(
    ("votes_for", "votes_against", "adopted"),
    [
        (20, 10, True),  # exactly 2/3
        (19, 10, False),  # 19/29 = 65.5 %
        (2, 1, True),
        (66, 34, False),  # 66 % is less than 2/3
        (67, 33, True),
        (0, 0, False),
    ],
)
def test_statute_amendment_needs_at_least_two_thirds(votes_for, votes_against, adopted):
    assert majority_reached(votes_for, votes_against, "two_thirds") is adopted


def test_three_quarters_is_at_least_three_quarters():
    assert majority_reached(75, 25, "three_quarters")
    assert not majority_reached(74, 25, "three_quarters")


def test_a_tie_on_a_matter_is_rejected():
    assert matter_outcome(30, 30, "more_than_half", 60, 100, None) == Outcome.REJECTED


@pytest.mark.parametrize(
    ("represented", "eligible", "percent", "reached"),
    [(50, 100, 50, True), (49, 100, 50, False), (34, 101, 33, True), (33, 101, 33, False),
     (0, 10, None, True)],
)
def test_quorum_is_a_share_of_the_voting_members(represented, eligible, percent, reached):
    assert quorum_reached(represented, eligible, percent) is reached


def test_quorum_needed_rounds_up():
    assert quorum_needed(101, 33) == 34
    assert quorum_needed(100, 50) == 50


def test_without_quorum_the_outcome_is_no_quorum_whatever_the_votes():
    assert matter_outcome(40, 0, "more_than_half", 49, 100, 50) == Outcome.NO_QUORUM
    assert matter_outcome(40, 0, "more_than_half", 50, 100, 50) == Outcome.ADOPTED


def test_election_gives_the_seats_to_the_most_votes():
    names = {1: "A", 2: "B", 3: "C", 4: "D"}
    result = election_result({1: 10, 2: 7, 3: 12, 4: 0}, 2, "re_vote", names)

    assert result.outcome == Outcome.ADOPTED
    assert sorted(result.elected) == [1, 3]


def test_election_tie_for_the_last_seat_needs_a_new_vote_when_the_statutes_say_so():
    result = election_result({1: 10, 2: 7, 3: 7}, 2, "re_vote", {1: "Anna", 2: "Bram", 3: "Cas"})

    assert result.outcome == Outcome.RE_VOTE
    assert result.elected == [1]
    assert result.tied == [2, 3]
    assert "Bram, Cas" in result.tie_resolution


def test_election_tie_is_drawn_by_lot_and_recorded_when_the_statutes_say_so():
    result = election_result(
        {1: 10, 2: 7, 3: 7}, 2, "lot", {1: "Anna", 2: "Bram", 3: "Cas"}, rng=random.Random(4)
    )

    assert result.outcome == Outcome.ADOPTED
    assert len(result.elected) == 2 and 1 in result.elected
    drawn = "Bram" if 2 in result.elected else "Cas"
    assert f"door loting gekozen: {drawn}" in result.tie_resolution


def test_election_tie_that_fits_the_seats_elects_all_tied():
    result = election_result({1: 5, 2: 5}, 2, "re_vote", {1: "A", 2: "B"})

    assert result.outcome == Outcome.ADOPTED
    assert sorted(result.elected) == [1, 2]
