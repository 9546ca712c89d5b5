"""Approved allowances are booked: expense against payable to the volunteer;
verstrekkingen, coaching and sponsoring against payable to the shop, coach or organiser."""

from datetime import date

import pytest

from coop.extensions import db
from coop.ledger.models import JournalEntry, JournalLine, LedgerAccount
from coop.members.models import Person
from coop.volunteers import payments, services
from coop.volunteers.models import CoachingConversation, EventSponsorship
from coop.volunteers.services import VolunteerError
from tests.volunteers.conftest import approve, make_initiative, make_volunteer, seed_caps


def _lines(entry_id):
    return sorted(
        (code, line.debit_cents, line.credit_cents, line.person_id)
        for line, code in db.session.execute(
            db.select(JournalLine, LedgerAccount.code)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalLine.entry_id == entry_id)))


def test_an_approved_allowance_with_costs_is_payable_to_the_volunteer(app):
    seed_caps()
    volunteer, initiative = make_volunteer()

    allowance = approve(volunteer, initiative, date(2026, 3, 10), 5000, expense_cents=1200,
                        today=date(2026, 4, 2))

    entry = db.session.get(JournalEntry, allowance.journal_entry_id)
    assert entry.entry_date == date(2026, 4, 2)
    assert entry.reference == f"VRIJW-{allowance.id}"
    assert _lines(entry.id) == [
        ("1600", 0, 6200, volunteer.person_id),
        ("4000", 1200, 0, None),
        ("4000", 5000, 0, None),
    ]


def _line_texts(entry_id):
    return sorted((code, line.debit_cents, line.credit_cents, line.description)
                  for line, code in db.session.execute(
                      db.select(JournalLine, LedgerAccount.code)
                      .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
                      .where(JournalLine.entry_id == entry_id)))


def test_a_gift_voucher_is_booked_payable_to_the_shop_not_to_the_volunteer(app):
    seed_caps()
    volunteer, initiative = make_volunteer()

    allowance = approve(volunteer, initiative, date(2026, 3, 10), 2500, kind="gift_voucher",
                        supplier="Boekhandel Oosterlicht", today=date(2026, 3, 12))

    entry = db.session.get(JournalEntry, allowance.journal_entry_id)
    assert entry.entry_date == date(2026, 3, 12)
    assert entry.reference == f"VERSTR-{allowance.id}"
    assert entry.description == f"Cadeaubon vrijwilliger #{allowance.id}"
    assert _line_texts(entry.id) == [
        ("1600", 0, 2500, "Boekhandel Oosterlicht"),
        ("4000", 2500, 0, f"Cadeaubon vrijwilliger #{allowance.id}"),
    ]
    assert _lines(entry.id)[0][3] is None  # no person on the payable: the shop is paid
    assert payments.payable_allowances() == []


def test_an_outing_is_booked_and_counts_for_the_caps(app):
    seed_caps()
    volunteer, initiative = make_volunteer()

    allowance = approve(volunteer, initiative, date(2026, 5, 2), 4250, kind="outing",
                        description="Rondvaart")

    assert _lines(allowance.journal_entry_id) == [("1600", 0, 4250, None),
                                                  ("4000", 4250, 0, None)]
    assert services.received(volunteer, date(2026, 5, 31)).month_room_cents == 22000 - 4250


def test_a_coaching_conversation_with_a_cost_is_booked_payable_to_the_coach(app):
    volunteer, _initiative = make_volunteer()
    person = db.session.get(Person, volunteer.person_id)

    services.add_coaching_conversation(person, "Coachpraktijk Oost", date(2026, 6, 1), 7500,
                                       today=date(2026, 6, 2))
    services.add_coaching_conversation(person, "Coachpraktijk Oost", date(2026, 6, 8), 0,
                                       today=date(2026, 6, 9))
    db.session.commit()

    first, second = db.session.scalars(
        db.select(CoachingConversation).order_by(CoachingConversation.id)).all()
    assert _line_texts(first.journal_entry_id) == [
        ("1600", 0, 7500, "Coachpraktijk Oost"),
        ("4300", 7500, 0, f"Coachingsgesprek #{first.id}"),
    ]
    assert second.journal_entry_id is None  # it cost nothing: nothing to book


def test_sponsoring_an_event_is_booked_payable_to_the_organiser(app):
    _volunteer, initiative = make_volunteer()

    sponsorship = services.sponsor_event(initiative.id, "Burendag Oost", "Bewonerscommissie",
                                         date(2026, 9, 26), 15000, today=date(2026, 9, 1))
    db.session.commit()

    entry = db.session.get(JournalEntry, sponsorship.journal_entry_id)
    assert entry.reference == "SPONSOR-2026-09-26"
    assert _line_texts(entry.id) == [
        ("1600", 0, 15000, "Bewonerscommissie"),
        ("4300", 15000, 0, "Sponsoring buurtactiviteit: Burendag Oost"),
    ]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"event_name": " "}, "event_name", "Noem de activiteit."),
    ({"organiser": ""}, "organiser",
     "Noem wie de activiteit organiseert (het geld gaat naar hen)."),
    ({"held_on": None}, "held_on", "Vul een datum in zoals 2026-03-31."),
    ({"cost_cents": 0}, "cost", "Vul een bedrag boven nul in."),
    ({"cost_cents": -500}, "cost", "Vul een bedrag boven nul in."),
    ({"initiative_id": None}, "initiative", "Kies een van je eigen initiatieven."),
])
def test_bad_sponsoring_input_is_refused_at_the_field_and_nothing_is_booked(
        app, values, field, message):
    _volunteer, initiative = make_volunteer()
    arguments = {"initiative_id": initiative.id, "event_name": "Burendag",
                 "organiser": "Bewonerscommissie", "held_on": date(2026, 9, 26),
                 "cost_cents": 15000, **values}

    with pytest.raises(VolunteerError) as refused:
        services.sponsor_event(**arguments, today=date(2026, 9, 1))
    db.session.rollback()

    assert (refused.value.field, str(refused.value.message)) == (field, message)
    assert db.session.scalar(db.select(db.func.count(EventSponsorship.id))) == 0
    assert db.session.scalar(db.select(db.func.count(JournalEntry.id))) == 0


def test_a_coordinator_cannot_sponsor_for_another_initiative(app):
    _volunteer, initiative = make_volunteer()
    other = make_initiative()

    with pytest.raises(VolunteerError) as refused:
        services.sponsor_event(other.id, "Burendag", "Bewonerscommissie", date(2026, 9, 26),
                               15000, today=date(2026, 9, 1),
                               allowed_initiatives={initiative.id})

    assert refused.value.field == "initiative"
