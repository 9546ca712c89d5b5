"""The statute rules that turn counts into an outcome, with exact numbers."""

import random
from fractions import Fraction

import pytest

from coop.meetings.models import Outcome
from coop.meetings.services import (
    election_result,
    majority_reached,
    matter_outcome,
    quorum_needed,
    quorum_reached,
)

HALF, TWO_THIRDS, THREE_QUARTERS = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)


@pytest.mark.parametrize(
    ("votes_for", "votes_against", "adopted"),
    [(51, 49, True), (50, 50, False), (1, 0, True), (0, 0, False), (10, 11, False)],
)
def test_simple_majority_needs_more_than_half_of_the_votes_cast(votes_for, votes_against, adopted):
    assert majority_reached(votes_for, votes_against, HALF) is adopted


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
    assert majority_reached(votes_for, votes_against, TWO_THIRDS) is adopted


def test_three_quarters_is_at_least_three_quarters():
    assert majority_reached(75, 25, THREE_QUARTERS)
    assert not majority_reached(74, 25, THREE_QUARTERS)


def test_a_tie_on_a_matter_is_rejected():
    assert matter_outcome(30, 30, HALF, 60, 100, None) == Outcome.REJECTED


@pytest.mark.parametrize(
    ("represented", "eligible", "quorum", "reached"),
    [(50, 100, HALF, True), (49, 100, HALF, False), (34, 101, Fraction(33, 100), True),
     (33, 101, Fraction(33, 100), False), (0, 10, None, True)],
)
def test_quorum_is_a_share_of_the_voting_members(represented, eligible, quorum, reached):
    assert quorum_reached(represented, eligible, quorum) is reached


def test_quorum_needed_rounds_up():
    assert quorum_needed(101, Fraction(33, 100)) == 34
    assert quorum_needed(100, HALF) == 50


def test_a_quorum_of_one_third_of_100_needs_34():
    # 33% of 100 needs 33; one third needs 34, which whole percentages could not say.
    assert quorum_needed(100, Fraction(1, 3)) == 34
    assert quorum_needed(99, Fraction(1, 3)) == 33
    assert not quorum_reached(33, 100, Fraction(1, 3))
    assert quorum_reached(34, 100, Fraction(1, 3))


def test_a_majority_of_half_or_less_is_more_than_that_share_above_half_at_least():
    assert not majority_reached(40, 60, Fraction(2, 5))  # exactly 2/5: not more than
    assert majority_reached(41, 59, Fraction(2, 5))
    assert majority_reached(60, 40, Fraction(3, 5))  # exactly 3/5: at least


def test_without_quorum_the_outcome_is_no_quorum_whatever_the_votes():
    assert matter_outcome(40, 0, HALF, 49, 100, HALF) == Outcome.NO_QUORUM
    assert matter_outcome(40, 0, HALF, 50, 100, HALF) == Outcome.ADOPTED


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
