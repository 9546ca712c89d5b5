"""A former member in office is not anonymised: retention counts from the last day in
office too (the governance history names them)."""

from datetime import date

import pytest

from coop.extensions import db
from coop.members import services as members
from coop.members.models import Membership
from coop.privacy import services as privacy
from tests import factories
from tests.governance.conftest import member

TODAY = date(2026, 6, 1)  # retention 2 years: cut-off 2024-06-01


@pytest.mark.parametrize(
    ("last_day_in_office", "kept"),
    [(date(2024, 5, 31), False), (date(2024, 6, 1), True), (date(2027, 1, 1), True)],
    ids=["left_office_before_the_cutoff", "left_office_on_the_cutoff", "still_in_office"],
)
def test_retention_counts_from_the_last_day_in_office(app, last_day_in_office, kept):
    ambassadors = factories.create_body("ambassadors", name="Buurtambassadeurs",
                                        members_only=False, term_years=10)
    position = factories.create_position(ambassadors, "ambassadeur", seats=5)
    person = member()
    appointment = factories.appoint(position, person=person, start_date=date(2021, 1, 1),
                                    term_years=10)
    if last_day_in_office < appointment.end_date:
        from coop.governance import services

        services.step_down(appointment, last_day_in_office, "Gestopt")
    membership = db.session.scalar(
        db.select(Membership).where(Membership.person_id == person.id))
    members.change_status(membership, "ended", date(2022, 1, 1), "Verhuisd")
    db.session.commit()

    selected = {p.id for p in privacy.persons_past_retention(TODAY)}

    assert (person.id not in selected) == kept


def test_a_term_withdrawn_as_entered_in_error_does_not_keep_the_data(app):
    from coop.governance import services

    ambassadors = factories.create_body("ambassadors", name="Buurtambassadeurs",
                                        members_only=False, term_years=10)
    position = factories.create_position(ambassadors, "ambassadeur", seats=5)
    person, mistaken = member(), member()
    for who in (person, mistaken):
        appointment = factories.appoint(position, person=who, start_date=date(2021, 1, 1),
                                        term_years=10)
        membership = db.session.scalar(
            db.select(Membership).where(Membership.person_id == who.id))
        members.change_status(membership, "ended", date(2022, 1, 1), "Verhuisd")
    services.void_appointment(appointment, "Verkeerde persoon")
    db.session.commit()

    selected = {p.id for p in privacy.persons_past_retention(TODAY)}

    assert person.id not in selected  # still in office: kept
    assert mistaken.id in selected  # never was: past retention like any former member
