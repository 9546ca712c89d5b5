"""Shared pieces for the volunteer tests: the caps of domain.md and a volunteer in an
initiative."""

from datetime import date

import pytest

from coop.extensions import db
from coop.volunteers import services
from tests import factories

# domain.md, "Volunteer allowance" (the migration seeds the same figures).
CAPS = {2025: (560, 330, 21000, 210000), 2026: (575, 340, 22000, 220000)}


def seed_caps(years=(2025, 2026)):
    for year in years:
        services.set_caps(year, *CAPS[year])
    db.session.commit()


def make_volunteer(initiative=None, *, date_of_birth=None, user=None, **person_values):
    """A volunteer in `initiative` (made when None); returns (volunteer, initiative)."""
    if initiative is None:
        initiative = make_initiative()
    person = factories.create_person(date_of_birth=date_of_birth, **person_values)
    if user is not None:
        person.user_id = user.id
    volunteer = services.ensure_volunteer(person)
    services.join_initiative(volunteer, initiative)
    db.session.commit()
    return volunteer, initiative


_names = iter(range(1, 10**6))


def make_initiative(name=None):
    initiative = services.create_initiative({"name": name or f"Initiatief {next(_names)}"})
    db.session.commit()
    return initiative


def make_coordinator(initiative, *, roles=("volunteer",)):
    """An account that coordinates `initiative`; returns the user."""
    user = factories.create_user(roles=list(roles))
    person = factories.create_person(email=f"coord-{user.id}@example.org")
    person.user_id = user.id
    services.add_coordinator(initiative, person)
    db.session.commit()
    return user


@pytest.fixture
def caps(app):
    seed_caps()


def approve(volunteer, initiative, work_date, amount_cents, *, kind="allowance",
            expense_cents=0, quarter_hours=None, today=date(2026, 12, 31), **extra):
    allowance = services.approve_allowance(
        volunteer, initiative_id=initiative.id, kind=kind, work_date=work_date,
        amount_cents=amount_cents, expense_cents=expense_cents, quarter_hours=quarter_hours,
        today=today, **extra)
    db.session.commit()
    return allowance
