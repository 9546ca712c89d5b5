"""Appointing persons to positions: terms from the statutes, refusals with a message at
the field, reappointment as a new term, stepping down early, history."""

from datetime import date

import pytest

from coop.audit import AuditPersonalData
from coop.extensions import db
from coop.governance.models import Appointment
from coop.members import services as members
from coop.members.models import Membership
from coop.settings.services import get_organisation
from tests import factories
from tests.governance.conftest import (
    appointment_count,
    appointments,
    audit_events,
    member,
    member_number,
)
from tests.pages import Page


def _appoint(client, person_field, position, start="2026-06-15", term=""):
    return client.post("/governance/appointments/new", data={
        "person": person_field, "position_id": str(position.id), "start_date": start,
        "term_years": term,
    })


def _statutes(**values):
    organisation = get_organisation()
    for field, value in values.items():
        setattr(organisation, field, value)
    db.session.add(organisation)
    db.session.commit()


def test_board_appoints_a_member_for_the_statutes_term(client, board, bodies, today):
    person = member(given_name="Fatima", family_name="Amrani")

    response = _appoint(client, member_number(person), bodies["chair"])

    assert response.status_code == 302
    [appointment] = appointments()
    assert (appointment.person_id, appointment.position_id) == (person.id, bodies["chair"].id)
    assert (appointment.start_date, appointment.end_date) == (date(2026, 6, 15),
                                                              date(2029, 6, 14))
    assert (appointment.term_years, appointment.term_number) == (3, 1)
    assert appointment.created_by_id == board.id
    [event] = audit_events("governance:appointment:create")
    assert event.details["end_date"] == "2029-06-14"
    page = Page(client.get(response.location).text)
    assert "Fatima Amrani is appointed from 15-06-2026 to 14-06-2029." in page.flashes()
    assert "Fatima Amrani · Bestuur · voorzitter" in page.root.text


def test_a_person_can_be_found_by_email_address_and_a_shorter_term_chosen(
    client, board, bodies
):
    person = member(email="joost@example.org")

    response = _appoint(client, "JOOST@example.org", bodies["member"], term="1")

    assert response.status_code == 302
    [appointment] = appointments()
    assert appointment.person_id == person.id
    assert appointment.end_date == date(2027, 6, 14)


def test_a_non_member_can_sit_on_a_body_open_to_non_members(client, board):
    supervisory = factories.create_body("supervisory_board")
    position = factories.create_position(supervisory, "lid")
    outsider = factories.create_person(email="extern@example.org")

    response = _appoint(client, "extern@example.org", position)

    assert response.status_code == 302
    assert appointments()[0].person_id == outsider.id


def _former_member():
    person = member(given_name="Oud", family_name="Lid")
    membership = db.session.scalar(
        db.select(Membership).where(Membership.person_id == person.id)
    )
    members.change_status(membership, "ended", date(2025, 12, 31), "Verhuisd")
    db.session.commit()
    return person


BAD_INPUT = {
    "unknown_member_number": (
        lambda b: {"person": "99999"}, "person",
        "No person in the register has this member number or email address.",
    ),
    "unknown_email": (
        lambda b: {"person": "niemand@example.org"}, "person",
        "No person in the register has this member number or email address.",
    ),
    "term_longer_than_the_statutes": (
        lambda b: {"term_years": "4"}, "term_years",
        "A term on the Bestuur lasts 1 to 3 years under the statutes.",
    ),
    "term_of_zero_years": (
        lambda b: {"term_years": "0"}, "term_years",
        "A term on the Bestuur lasts 1 to 3 years under the statutes.",
    ),
    "unreadable_start_date": (
        lambda b: {"start_date": "15 juni"}, "start_date", "Enter a date like 2026-01-31.",
    ),
    "no_start_date": (lambda b: {"start_date": ""}, "start_date", "Enter a date."),
    "no_position": (lambda b: {"position_id": "999"}, "position_id", "Choose a position."),
    "former_member": (
        lambda b: {"person": member_number(_former_member())}, "person",
        "Oud Lid is not a member on 15-06-2026; only members can sit on the Bestuur.",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_appointment_is_refused_at_the_field_and_nothing_is_saved(
    client, board, bodies, case
):
    changes, field, message = case
    data = {"person": member_number(member()), "position_id": str(bodies["member"].id),
            "start_date": "2026-06-15", "term_years": "", **changes(bodies)}

    response = client.post("/governance/appointments/new", data=data)

    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_error(field) == message
    assert "Nothing was saved: correct the fields marked below." in page.flashes()
    assert appointment_count() == 0
    assert audit_events("governance:appointment:create") == []


def test_bad_input_message_is_dutch_for_a_dutch_board_member(client, login_as, bodies):
    login_as(factories.create_user(roles=["board"]))

    response = _appoint(client, "99999", bodies["chair"])

    assert Page(response.text).field_error("person") == (
        "Niemand in het ledenregister heeft dit lidnummer of e-mailadres."
    )


def test_the_same_person_cannot_hold_a_position_twice_at_once(client, board, bodies):
    person = member(given_name="Els", family_name="Smit")
    factories.appoint(bodies["member"], person=person, start_date=date(2025, 1, 1))

    response = _appoint(client, member_number(person), bodies["member"], start="2027-12-31")

    assert response.status_code == 422
    assert Page(response.text).field_error("start_date") == (
        "Els Smit already holds this position from 01-01-2025 to 31-12-2027."
    )
    assert appointment_count() == 1


def test_a_position_with_one_seat_has_one_holder_at_a_time(client, board, bodies):
    factories.appoint(bodies["chair"], start_date=date(2025, 1, 1))

    refused = _appoint(client, member_number(member()), bodies["chair"], start="2027-12-31")
    after = _appoint(client, member_number(member()), bodies["chair"], start="2028-01-01")

    assert refused.status_code == 422
    assert Page(refused.text).field_error("start_date") == (
        "Every seat of voorzitter is taken in this period (1)."
    )
    assert after.status_code == 302
    assert appointment_count() == 2


# Consecutive terms and re-eligibility ---------------------------------------------------


def _reappoint(client, appointment, term=""):
    return client.post(f"/governance/appointments/{appointment.id}/reappoint",
                       data={"term_years": term})


def test_reappointment_is_a_new_term_from_the_day_after(client, board, bodies):
    first = factories.appoint(bodies["chair"], start_date=date(2023, 6, 15))

    response = _reappoint(client, first)

    assert response.status_code == 302
    old, new = appointments()
    assert (old.start_date, old.end_date, old.term_number) == (
        date(2023, 6, 15), date(2026, 6, 14), 1)
    assert (new.start_date, new.end_date, new.term_number) == (
        date(2026, 6, 15), date(2029, 6, 14), 2)
    assert new.previous_id == old.id
    [event] = audit_events("governance:appointment:reappoint")
    assert event.details["term_number"] == 2
    page = Page(client.get(response.location).text)
    assert "Reappointed for term 2, from 15-06-2026 to 14-06-2029." in page.flashes()
    assert "15-06-2023" not in page.root.text  # dates are shown in the locale's format
    assert page.by_id("terms").text.count("voorzitter") == 2  # both terms in the history


def test_the_statutes_maximum_of_consecutive_terms_is_enforced(client, board, bodies):
    _statutes(max_terms=2)
    first = factories.appoint(bodies["chair"], start_date=date(2020, 6, 15),
                              given_name="Kees", family_name="Jansen")
    assert _reappoint(client, first).status_code == 302
    second = appointments()[1]

    response = _reappoint(client, second)

    assert response.status_code == 422
    assert (
        "Kees Jansen has served 2 consecutive terms on the Bestuur, the most the statutes "
        "allow; a new term can start from 15-06-2027."
    ) in Page(response.text).flashes()
    assert appointment_count() == 2


@pytest.mark.parametrize(
    ("start", "allowed"),
    [("2027-06-14", False), ("2027-06-15", True)],
    ids=["break_one_day_short_of_a_year", "break_of_a_full_year"],
)
def test_a_break_of_a_year_ends_the_series_of_terms(client, board, bodies, start, allowed):
    _statutes(max_terms=1)
    person = member(given_name="Kees", family_name="Jansen")
    factories.appoint(bodies["member"], person=person, start_date=date(2023, 6, 15))

    response = _appoint(client, member_number(person), bodies["member"], start=start)

    if allowed:
        assert response.status_code == 302
        assert appointments()[-1].term_number == 1
    else:
        assert response.status_code == 422
        assert Page(response.text).field_error("person") == (
            "Kees Jansen has served 1 consecutive terms on the Bestuur, the most the "
            "statutes allow; a new term can start from 15-06-2027."
        )
        assert appointment_count() == 1


def test_terms_in_another_position_of_the_same_body_count_too(client, board, bodies):
    _statutes(max_terms=1)
    person = member(given_name="Kees", family_name="Jansen")
    factories.appoint(bodies["member"], person=person, start_date=date(2023, 6, 15))

    response = _appoint(client, member_number(person), bodies["chair"], start="2026-06-15")

    assert response.status_code == 422
    assert "has served 1 consecutive terms on the Bestuur" in Page(
        response.text).field_error("person")


def test_without_immediate_re_eligibility_reappointment_is_refused(client, board, bodies):
    _statutes(immediately_reeligible=False)
    first = factories.appoint(bodies["chair"], start_date=date(2023, 6, 15),
                              given_name="Kees", family_name="Jansen")

    response = _reappoint(client, first)

    assert response.status_code == 422
    assert ("The statutes do not allow immediate reappointment: Kees Jansen can be "
            "appointed to the Bestuur again from 15-06-2027.") in Page(response.text).flashes()
    assert appointment_count() == 1


def test_a_body_can_have_its_own_term(client, board, bodies):
    body = bodies["audit_committee"]
    body.term_years = 1
    db.session.commit()

    response = _appoint(client, member_number(member()), bodies["auditor"], term="2")

    assert response.status_code == 422
    assert Page(response.text).field_error("term_years") == (
        "A term on the Kascommissie lasts 1 to 1 years under the statutes."
    )


def test_reappointing_twice_is_refused(client, board, bodies):
    first = factories.appoint(bodies["chair"], start_date=date(2023, 6, 15),
                              given_name="Kees", family_name="Jansen")
    _reappoint(client, first)

    response = _reappoint(client, db.session.get(Appointment, first.id))

    assert response.status_code == 422
    assert "Kees Jansen is already reappointed from 15-06-2026." in Page(response.text).flashes()
    assert appointment_count() == 2


# Stepping down early ---------------------------------------------------------------------


def _step_down(client, appointment, day="2026-03-31", reason="Verhuist naar Zwolle"):
    return client.post(f"/governance/appointments/{appointment.id}/step-down",
                       data={"ended_on": day, "reason": reason})


def test_stepping_down_early_keeps_the_term_with_date_and_reason(client, board, bodies, today):
    appointment = factories.appoint(bodies["chair"], start_date=date(2024, 6, 15),
                                    given_name="Kees", family_name="Jansen")

    response = _step_down(client, appointment)

    assert response.status_code == 302
    [saved] = appointments()
    assert (saved.ended_on, saved.end_reason) == (date(2026, 3, 31), "Verhuist naar Zwolle")
    assert saved.end_date == date(2027, 6, 14)  # the term as appointed stays on record
    [event] = audit_events("governance:appointment:step_down")
    # A reason about a person's life is personal data: kept erasable, not in the entry.
    assert "reason" not in event.details
    personal = db.session.get(AuditPersonalData, event.id)
    assert personal.data["reason"] == "Verhuist naar Zwolle"
    overview = Page(client.get("/governance/").text)
    assert "Kees Jansen" in overview.by_id("history").text
    assert "Verhuist naar Zwolle" in overview.by_id("history").text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": ""}, "reason", "Give a reason."),
        ({"day": "2024-06-14"}, "ended_on",
         "The last day cannot be before the term started (15-06-2024)."),
        ({"day": "2027-06-15"}, "ended_on",
         "The term ends on 14-06-2027; the last day cannot be later."),
        ({"day": "gisteren"}, "ended_on", "Enter a date like 2026-01-31."),
    ],
    ids=["no_reason", "before_the_start", "after_the_end", "unreadable_date"],
)
def test_bad_stepping_down_is_refused_at_the_field(client, board, bodies, data, field, message):
    appointment = factories.appoint(bodies["chair"], start_date=date(2024, 6, 15))

    response = _step_down(client, appointment, **data)

    assert response.status_code == 422
    assert Page(response.text).field_error(field) == message
    assert appointments()[0].ended_on is None
    assert audit_events("governance:appointment:step_down") == []


def test_stepping_down_twice_is_refused(client, board, bodies):
    appointment = factories.appoint(bodies["chair"], start_date=date(2024, 6, 15),
                                    given_name="Kees", family_name="Jansen")
    _step_down(client, appointment)

    response = _step_down(client, db.session.get(Appointment, appointment.id), "2026-04-30")

    assert response.status_code == 422
    assert "Kees Jansen already stepped down on 31-03-2026." in Page(response.text).flashes()
    assert appointments()[0].ended_on == date(2026, 3, 31)


# The kascommissie -------------------------------------------------------------------------


def test_a_board_member_cannot_join_the_kascommissie_at_the_same_time(client, board, bodies):
    person = member(given_name="Ingrid", family_name="Bakker")
    factories.appoint(bodies["treasurer"], person=person, start_date=date(2024, 6, 15))

    response = _appoint(client, member_number(person), bodies["auditor"], start="2027-06-14")

    assert response.status_code == 422
    assert Page(response.text).field_error("person") == (
        "Ingrid Bakker is on the board from 15-06-2024 to 14-06-2027: a board member cannot "
        "sit on the kascommissie at the same time (BW 2:48)."
    )
    assert appointment_count() == 1


def test_a_kascommissie_member_cannot_join_the_board_at_the_same_time(client, board, bodies):
    person = member(given_name="Ruud", family_name="Verhoef")
    factories.appoint(bodies["auditor"], person=person, start_date=date(2026, 1, 1),
                      term_years=1)

    response = _appoint(client, member_number(person), bodies["member"], start="2026-12-31")

    assert response.status_code == 422
    assert Page(response.text).field_error("person") == (
        "Ruud Verhoef is on the kascommissie from 01-01-2026 to 31-12-2026: a kascommissie "
        "member cannot sit on the board at the same time (BW 2:48)."
    )


def test_a_former_board_member_can_join_the_kascommissie_after_the_term(client, board, bodies):
    person = member()
    factories.appoint(bodies["member"], person=person, start_date=date(2023, 1, 1))

    response = _appoint(client, member_number(person), bodies["auditor"], start="2026-01-01",
                        term="1")

    assert response.status_code == 302
    assert appointment_count() == 2


def test_stepping_down_from_the_board_frees_a_member_for_the_kascommissie(
    client, board, bodies
):
    person = member()
    appointment = factories.appoint(bodies["member"], person=person,
                                    start_date=date(2024, 1, 1))
    assert _step_down(client, appointment, "2025-12-31").status_code == 302

    response = _appoint(client, member_number(person), bodies["auditor"], start="2026-01-01",
                        term="1")

    assert response.status_code == 302


@pytest.mark.parametrize(("holders", "warned"), [(1, True), (2, False)])
def test_governance_page_warns_when_the_kascommissie_has_fewer_than_two_members(
    client, board, bodies, today, holders, warned
):
    for _ in range(holders):
        factories.appoint(bodies["auditor"], start_date=date(2026, 1, 1), term_years=1)

    page = Page(client.get("/governance/").text)

    warning = page.by_id("kascommissie-warning")
    if warned:
        assert warning.text == (
            "The Kascommissie has 1 current member(s); the law requires at least 2 (BW 2:48)."
        )
    else:
        assert warning is None


def test_an_anonymised_person_cannot_be_appointed(client, board, bodies):
    from coop.privacy import services as privacy

    person = member()
    number = member_number(person)
    privacy.anonymise(person)
    db.session.commit()

    response = _appoint(client, number, bodies["chair"])

    assert response.status_code == 422
    assert Page(response.text).field_error("person") == (
        "This person was anonymised and cannot be appointed."
    )
    assert appointment_count() == 0


def test_stepping_down_from_a_term_already_renewed_is_refused(client, board, bodies):
    first = factories.appoint(bodies["chair"], start_date=date(2023, 6, 15),
                              given_name="Kees", family_name="Jansen")
    _reappoint(client, first)

    response = _step_down(client, db.session.get(Appointment, first.id))

    assert response.status_code == 422
    assert ("Kees Jansen is already reappointed from 15-06-2026: record the stepping down "
            "on that term first.") in Page(response.text).flashes()
    assert appointments()[0].ended_on is None


def test_someone_who_stepped_down_is_not_reappointed_but_appointed_anew(client, board, bodies):
    first = factories.appoint(bodies["chair"], start_date=date(2023, 6, 15),
                              given_name="Kees", family_name="Jansen")
    _step_down(client, first, "2025-12-31")

    response = _reappoint(client, db.session.get(Appointment, first.id))

    assert response.status_code == 422
    assert ("Kees Jansen stepped down from this term; appoint them anew instead."
            in Page(response.text).flashes())
    assert appointment_count() == 1
