"""An appointment names the ALV decision that made it (decisions register, coop/meetings)."""

from datetime import date

import pytest

from coop.extensions import db
from coop.meetings.models import Decision
from tests import factories
from tests.governance.conftest import appointments, member, member_number
from tests.pages import Page


def _decision(number: str, outcome: str = "adopted", text: str = "Benoeming voorzitter"):
    meeting, _proposals = factories.create_meeting(status="closed", proposals=())
    year, sequence = number.split("-")
    decision = Decision(
        number=number, year=int(year), sequence_number=int(sequence), date=date(2026, 5, 20),
        meeting_id=meeting.id, kind="appointment", text=text, outcome=outcome,
        votes_for=40, votes_against=3, votes_abstain=1, votes_blank=0, votes_invalid=0,
    )
    db.session.add(decision)
    db.session.commit()
    return decision


def _appoint(client, person, position, **values):
    return client.post("/governance/appointments/new", data={
        "person": member_number(person), "position_id": str(position.id),
        "start_date": "2026-06-15", "term_years": "", **values,
    })


def test_an_appointment_links_to_the_adopted_decision_and_shows_it(client, board, bodies,
                                                                    today):
    decision = _decision("2026-003")

    response = _appoint(client, member(given_name="Fatima", family_name="Amrani"),
                        bodies["chair"], decision="2026-003")

    assert response.status_code == 302
    [appointment] = appointments()
    assert appointment.decision_id == decision.id
    page = Page(client.get(response.location).text).root.text
    assert "2026-003" in page and "Benoeming voorzitter" in page


@pytest.mark.parametrize(
    ("number", "outcome", "message"),
    [
        ("2026-009", None, "There is no decision 2026-009 in the decisions register."),
        ("2026-004", "rejected",
         "Decision 2026-004 was not adopted; an appointment needs an adopted one."),
    ],
)
def test_an_unknown_or_rejected_decision_is_refused_at_the_field(client, board, bodies, today,
                                                                  number, outcome, message):
    if outcome:
        _decision(number, outcome=outcome)

    response = _appoint(client, member(), bodies["chair"], decision=number)

    assert response.status_code == 422
    assert Page(response.text).field_error("decision") == message
    assert appointments() == []


def test_a_reappointment_names_its_own_decision(client, board, bodies, today):
    first = factories.appoint(bodies["chair"], start_date=date(2023, 6, 15))
    decision = _decision("2026-007", text="Herbenoeming voorzitter")

    response = client.post(f"/governance/appointments/{first.id}/reappoint",
                           data={"term_years": "", "decision": "2026-007"})

    assert response.status_code == 302
    second = next(a for a in appointments() if a.id != first.id)
    assert (second.decision_id, first.decision_id) == (decision.id, None)
