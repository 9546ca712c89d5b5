"""A mistaken appointment is withdrawn as entered in error, with a reason: from then on
it counts nowhere, and the history shows it as a mistake. Only a recent mistake (not
started yet, or recorded within 30 days) can be withdrawn; the database keeps the
withdrawal once made."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from coop.audit import AuditPersonalData
from coop.extensions import db
from coop.governance import services
from coop.timeutil import utcnow
from tests import factories
from tests.governance.conftest import appointments, audit_events, member, member_number
from tests.pages import Page


def _void(client, appointment_id, reason="Verkeerde persoon gekozen"):
    return client.post(f"/governance/appointments/{appointment_id}/void",
                       data={"void_reason": reason})


def test_a_mistaken_appointment_is_withdrawn_and_counts_nowhere(client, board, bodies, today):
    mistaken = factories.appoint(bodies["chair"], start_date=date(2026, 5, 20),
                                 given_name="Kees", family_name="Jansen")
    mistaken_id = mistaken.id
    assert [s["name"] for s in services.signatories(date(2026, 6, 1))] == ["Kees Jansen"]

    response = _void(client, mistaken_id)

    assert response.status_code == 302
    [saved] = appointments()
    assert saved.void_reason == "Verkeerde persoon gekozen" and saved.voided_at is not None
    assert saved.ended_on is None  # not a false stepping down
    [event] = audit_events("governance:appointment:void")
    assert "reason" not in event.details and "name" not in event.details
    assert db.session.get(AuditPersonalData, event.id).data == {
        "name": "Kees Jansen", "reason": "Verkeerde persoon gekozen"}
    page = Page(client.get(response.location).text)
    assert "The term has been withdrawn as entered in error." in page.flashes()
    assert page.by_id("void") is None
    overview = Page(client.get("/governance/").text)
    assert "withdrawn: entered in error (Verkeerde persoon gekozen)" in \
        overview.by_id("history").text
    assert services.signatories(date(2026, 6, 1)) == []
    assert all(not body["members"] for body in services.current_bodies(date(2026, 6, 1)))
    assert "Kees Jansen" not in client.get("/governance/who").text
    # The seat is free again: someone else is appointed chair for the same period.
    other = member(given_name="Fatima", family_name="Amrani")
    response = client.post("/governance/appointments/new", data={
        "person": member_number(other), "position_id": str(bodies["chair"].id),
        "start_date": "2026-05-20", "term_years": ""})
    assert response.status_code == 302
    assert [s["name"] for s in services.signatories(date(2026, 6, 1))] == ["Fatima Amrani"]


def test_a_withdrawn_reappointment_does_not_count_as_a_term(client, board, bodies, today):
    first = factories.appoint(bodies["member"], start_date=date(2023, 6, 1), term_years=3,
                              given_name="Joost", family_name="de Vries")
    second = services.reappoint(first, 3)
    db.session.commit()
    first_id, second_id = first.id, second.id
    assert services.term_warnings(date(2026, 5, 1))["ending"] == []

    assert _void(client, second_id, "Besluit ging over iemand anders").status_code == 302

    # The first term again ends with nobody following: the dashboard warns about it …
    assert [t["appointment_id"] for t in services.term_warnings(date(2026, 5, 1))["ending"]] \
        == [first_id]
    assert [row["appointment_id"] for year in services.rotation_schedule(2026, 3,
                                                                          date(2026, 5, 1))
            for row in year["terms"]] == [first_id]
    # … and a reappointment is possible again, as the second term.
    response = client.post(f"/governance/appointments/{first_id}/reappoint",
                           data={"term_years": "3"})
    assert response.status_code == 302
    assert [(a.id == second_id, a.term_number, a.voided_at is not None)
            for a in appointments()] == [(False, 1, False), (True, 2, True), (False, 2, False)]


def _backdate(appointment_id: int, days: int) -> None:
    db.session.execute(text("UPDATE appointment SET created_at = :at WHERE id = :id"),
                       {"at": utcnow() - timedelta(days=days), "id": appointment_id})
    db.session.commit()


def test_a_term_not_started_yet_can_be_withdrawn_however_long_ago_recorded(
        client, board, bodies, today):
    appointment = factories.appoint(bodies["chair"], start_date=date(2026, 9, 1))
    _backdate(appointment.id, 90)

    assert _void(client, appointment.id).status_code == 302
    assert appointments()[0].voided_at is not None


@pytest.mark.parametrize(
    ("setup", "reason", "message"),
    [
        ("", "", "Say what the mistake was."),
        ("", "   ", "Say what the mistake was."),
        ("old", "Vergissing", "more than 30 days ago: it can no longer be withdrawn as a "
                              "mistake. Record the stepping down instead."),
        ("voided", "Nog eens", "This term was already withdrawn as entered in error on"),
        ("reappointed", "Vergissing", "The next term (from 20-05-2029) continues this one: "
                                      "withdraw that term first."),
    ],
)
def test_a_refused_withdrawal_says_why_at_the_field_and_saves_nothing(
        client, board, bodies, today, setup, reason, message):
    appointment = factories.appoint(bodies["chair"], start_date=date(2026, 5, 20))
    appointment_id = appointment.id
    if setup == "old":
        _backdate(appointment_id, 31)
    elif setup == "voided":
        services.void_appointment(appointment, "Eerste keer")
        db.session.commit()
    elif setup == "reappointed":
        services.reappoint(appointment, None)
        db.session.commit()
    before = [(a.id, a.voided_at, a.void_reason) for a in appointments()]
    events = len(audit_events("governance:appointment:void"))

    response = _void(client, appointment_id, reason)

    assert response.status_code == 422
    page = Page(response.text)
    assert message in page.field_error("void_reason")
    assert [(a.id, a.voided_at, a.void_reason) for a in appointments()] == before
    assert len(audit_events("governance:appointment:void")) == events


def test_a_withdrawn_term_cannot_step_down_or_be_reappointed(client, board, bodies, today):
    appointment = factories.appoint(bodies["chair"], start_date=date(2026, 5, 20))
    services.void_appointment(appointment, "Vergissing")
    db.session.commit()

    for action, data in (("step-down", {"ended_on": "2026-05-31", "reason": "Weg"}),
                         ("reappoint", {"term_years": "3"})):
        response = client.post(f"/governance/appointments/{appointment.id}/{action}",
                               data=data)
        assert response.status_code == 422
        assert "This term was entered in error and does not count." in response.text
    [saved] = appointments()
    assert saved.ended_on is None and len(appointments()) == 1


def test_the_database_keeps_a_withdrawal_once_made(app, bodies):
    appointment = factories.appoint(bodies["chair"], start_date=date(2026, 5, 20))
    services.void_appointment(appointment, "Vergissing")
    db.session.commit()

    for statement in ("UPDATE appointment SET voided_at = NULL, void_reason = NULL",
                      "UPDATE appointment SET void_reason = 'Iets anders'",
                      "UPDATE appointment SET ended_on = start_date, end_reason = 'Weg'"):
        with pytest.raises(DBAPIError, match="appointment history is kept"):
            db.session.execute(text(statement))
        db.session.rollback()
    with pytest.raises(DBAPIError):  # a withdrawal needs its reason
        db.session.execute(text("UPDATE appointment SET void_reason = NULL"))
    db.session.rollback()
