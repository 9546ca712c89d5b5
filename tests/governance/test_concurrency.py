"""Seats under load: four people appointed to a one-seat position at the same moment
give one appointment and three refusals at the field, on SQLite and PostgreSQL."""

from coop.permissions import Role
from tests import factories
from tests.concurrency import at_once
from tests.governance.conftest import appointment_count, member, member_number


def test_four_appointments_at_once_to_one_seat_appoint_one(app, bodies, today):
    board = factories.create_user("bestuur@example.org", roles=[Role.BOARD], locale="en")
    chair = bodies["chair"]
    forms = [{"person": member_number(member()), "position_id": str(chair.id),
              "start_date": "2026-06-15", "term_years": ""} for _ in range(4)]

    responses = at_once(app, [
        lambda client, form=form: client.post("/governance/appointments/new", data=form)
        for form in forms], as_user=board)

    assert sorted(r.status_code for r in responses) == [302, 422, 422, 422]
    for refused in (r for r in responses if r.status_code == 422):
        assert "Every seat of voorzitter is taken in this period (1)." in refused.text
    assert appointment_count() == 1
