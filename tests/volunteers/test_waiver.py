"""A volunteer who waived the allowance: the waived amount is recorded like an allowance
(checked against the caps, which count it as received), only for an ANBI, booked as
expense against gifts income and never paid out."""

from datetime import date

import pytest

from coop.extensions import db
from coop.ledger.models import JournalEntry, JournalLine, LedgerAccount
from coop.settings.services import get_organisation
from coop.volunteers import payments, services
from coop.volunteers.models import Allowance
from coop.volunteers.services import OverCapError, VolunteerError
from tests.volunteers.conftest import approve, make_coordinator, make_volunteer, seed_caps


def _organisation(**values):
    organisation = get_organisation()
    for key, value in values.items():
        setattr(organisation, key, value)
    db.session.add(organisation)
    db.session.commit()


@pytest.fixture
def anbi(app):
    _organisation(name="Stichting Buurtkracht", legal_form="stichting", anbi_status=True,
                  rsin="820646660")


def _waiver_volunteer(**person_values):
    volunteer, initiative = make_volunteer(**person_values)
    services.set_arrangement(volunteer, "waived", date(2026, 1, 1), None,
                             waived_on=date(2025, 12, 15))
    db.session.commit()
    return volunteer, initiative


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Allowance.id)))


def test_a_waived_allowance_is_booked_against_gifts_and_never_paid(anbi):
    seed_caps()
    volunteer, initiative = _waiver_volunteer()

    waived = approve(volunteer, initiative, date(2026, 3, 10), 5000, kind="waived",
                     today=date(2026, 4, 2))

    entry = db.session.get(JournalEntry, waived.journal_entry_id)
    assert entry.entry_date == date(2026, 4, 2)
    assert entry.reference == f"KWIJT-{waived.id}"
    lines = sorted((code, line.debit_cents, line.credit_cents, line.person_id)
                   for line, code in db.session.execute(
                       db.select(JournalLine, LedgerAccount.code)
                       .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
                       .where(JournalLine.entry_id == entry.id)))
    assert lines == [("4000", 5000, 0, None), ("8200", 0, 5000, None)]
    assert payments.payable_allowances() == []


def test_a_waived_allowance_counts_for_the_caps(anbi):
    seed_caps()
    volunteer, initiative = _waiver_volunteer()
    approve(volunteer, initiative, date(2026, 3, 2), 18500, kind="waived")

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 3, 20), 5000, kind="waived")

    assert str(refused.value.message).replace("\xa0", " ") == (
        "Dit gaat over het maximum van de vrijwilligersregeling: nog € 35,00 ruimte in "
        "maart 2026, € 2.015,00 in 2026.")
    assert refused.value.check.highest_fitting_cents == 3500
    assert services.received(volunteer, date(2026, 3, 20)).month_cents == 18500
    assert _count() == 1


def test_without_a_waiver_on_the_day_of_the_work_it_is_refused(anbi):
    seed_caps()
    volunteer, initiative = make_volunteer()
    services.set_arrangement(volunteer, "waived", date(2026, 6, 1), None,
                             waived_on=date(2026, 5, 20))

    with pytest.raises(VolunteerError) as refused:
        approve(volunteer, initiative, date(2026, 5, 10), 1000, kind="waived")

    assert refused.value.field == "kind"
    assert _count() == 0


def test_costs_are_not_waived(anbi):
    seed_caps()
    volunteer, initiative = _waiver_volunteer()

    with pytest.raises(VolunteerError) as refused:
        approve(volunteer, initiative, date(2026, 3, 10), 1000, kind="waived",
                expense_cents=500)

    assert refused.value.field == "expenses"
    assert _count() == 0


def test_without_anbi_status_the_coordinator_is_told_at_the_field(client, login_as, app):
    _organisation(name="Wijkcoöperatie Oosterlicht", legal_form="cooperatie_ua",
                  anbi_status=False)
    seed_caps()
    volunteer, initiative = _waiver_volunteer()
    login_as(make_coordinator(initiative))

    refused = client.post(f"/volunteers/{volunteer.id}/allowances", data={
        "kind": "waived", "initiative": str(initiative.id), "work_date": "2026-03-20",
        "amount": "50,00"})

    assert refused.status_code == 422
    assert ("Een kwijtgescholden vergoeding is alleen een gift aan een ANBI: de organisatie "
            "heeft geen ANBI-status in de instellingen.") in refused.text
    assert _count() == 0


def test_the_coordinator_records_a_waived_allowance(client, login_as, anbi):
    seed_caps()
    volunteer, initiative = _waiver_volunteer()
    login_as(make_coordinator(initiative))

    page = client.get(f"/volunteers/{volunteer.id}")
    done = client.post(f"/volunteers/{volunteer.id}/allowances", data={
        "kind": "waived", "initiative": str(initiative.id), "work_date": "2026-03-20",
        "amount": "50,00"})

    assert "Kwijtgescholden vergoeding (gift aan de ANBI)" in page.text
    assert done.status_code == 302
    (waived,) = db.session.scalars(db.select(Allowance)).all()
    assert (waived.kind, waived.amount_cents) == ("waived", 5000)
