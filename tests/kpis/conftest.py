"""KPI fixtures: a small coop whose figures are counted by hand in the tests."""

from datetime import UTC, date, datetime

import pytest

from coop.activities.models import (
    Activity,
    InitiativeCount,
    MeetingPlace,
    NeighbourhoodEvent,
    PlaceMonthFigure,
)
from coop.donations.models import Donation
from coop.extensions import db
from coop.kpis import services as kpis
from coop.volunteers.models import (
    Allowance,
    HourEntry,
    Initiative,
    Job,
    Volunteer,
)
from tests import factories
from tests.funders.conftest import make_agreement, make_funder  # noqa: F401 - fixtures
from tests.ledger.conftest import books  # noqa: F401 - shared fixtures


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def small_coop(books):  # noqa: F811
    """2026: three members (one ended in June), two volunteers with approved hours, one
    with hours only submitted, two jobs in the coop and one via a partner, gifts."""
    kind = factories.create_membership_type("gewoon")
    factories.create_member(membership_type=kind, start_date=date(2025, 1, 1))
    factories.create_member(membership_type=kind, start_date=date(2026, 3, 1))
    ended = factories.create_member(membership_type=kind, start_date=date(2025, 5, 1))
    ended.end_date = date(2026, 6, 30)
    ended.status = "ended"
    factories.create_member(membership_type=kind, start_date=date(2026, 2, 1),
                            status="aspirant")
    initiative = Initiative(name="Huiskamer")
    db.session.add(initiative)
    people = [factories.create_person() for _ in range(4)]
    volunteers = [Volunteer(person_id=p.id) for p in people[:3]]
    db.session.add_all([initiative, *volunteers])
    db.session.flush()
    v1, v2, v3 = volunteers

    def hours(volunteer, day, quarters, status="approved"):
        db.session.add(HourEntry(volunteer_id=volunteer.id, initiative_id=initiative.id,
                                 work_date=day, quarter_hours=quarters, status=status))

    hours(v1, date(2026, 1, 10), 8)  # 2 h
    hours(v1, date(2026, 2, 10), 6)  # 1,5 h
    hours(v2, date(2026, 2, 11), 12)  # 3 h
    hours(v3, date(2026, 2, 12), 40, status="submitted")  # not approved: not counted
    hours(v2, date(2025, 12, 31), 40)  # the year before
    db.session.add_all([
        Allowance(volunteer_id=v1.id, initiative_id=initiative.id, kind="allowance",
                  work_date=date(2026, 1, 31), amount_cents=1150),
        Allowance(volunteer_id=v1.id, initiative_id=initiative.id, kind="allowance",
                  work_date=date(2026, 2, 28), amount_cents=860),
        Allowance(volunteer_id=v2.id, initiative_id=initiative.id, kind="expenses",
                  work_date=date(2026, 2, 28), expense_cents=500),  # costs only
    ])

    def job(kind, start, end=None, quarters=80, partner=None):
        db.session.add(Job(title="Buurtconciërge", person_id=people[3].id,
                           initiative_id=initiative.id, employer_kind=kind,
                           partner_name=partner, contract_type="internship", fee_cents=30000,
                           start_date=start, end_date=end, quarter_hours_per_week=quarters))

    job("coop", date(2025, 9, 1))  # 20 h/week
    job("coop", date(2026, 1, 1), date(2026, 3, 31), quarters=72)  # 18 h/week, ends
    job("partner", date(2026, 2, 1), partner="Welzijn Oost", quarters=144)  # 36 h/week
    db.session.add_all([
        Donation(amount_cents=2500, donor_email="a@example.org",
                 created_at=_utc(date(2026, 1, 5))),
        Donation(amount_cents=1000, donor_email="A@example.org",
                 created_at=_utc(date(2026, 2, 5))),
        Donation(amount_cents=700, created_at=_utc(date(2026, 2, 6))),
        Donation(amount_cents=9900, donor_email="b@example.org",
                 created_at=_utc(date(2025, 12, 6))),
    ])
    old = _utc(date(2025, 6, 1))
    house = MeetingPlace(name="Buurthuis", kind="community_centre", opening_days_per_week=5,
                         created_at=old)
    db.session.add_all([
        house, MeetingPlace(name="Buurtapp", kind="whatsapp_group", created_at=old),
        MeetingPlace(name="Oude kiosk", kind="other_physical", opening_days_per_week=2,
                     active=False, created_at=old)])
    db.session.flush()

    def activity(day, participants, new, residents=False, planned=False):
        db.session.add(Activity(initiative_id=initiative.id, place_id=house.id,
                                title="Koffie", activity_date=day,
                                participants=participants, new_participants=new,
                                organised_by_residents=residents, planned=planned))

    activity(date(2026, 1, 5), 10, 4, residents=True)
    activity(date(2026, 2, 9), 6, 1)
    activity(date(2026, 3, 20), 0, 0, residents=True, planned=True)  # planned: no count
    activity(date(2025, 12, 20), 50, 50)  # the year before
    db.session.add_all([
        NeighbourhoodEvent(event_date=date(2026, 2, 14), name="Buurtfeest", present=True),
        NeighbourhoodEvent(event_date=date(2026, 3, 1), name="Koningsdag", sponsored=True,
                           sponsored_cents=15000),
        InitiativeCount(initiative_id=initiative.id, kind="peer_groups",
                        period_start=date(2026, 1, 1), period_end=date(2026, 1, 31), count=3),
        InitiativeCount(initiative_id=initiative.id, kind="experts_by_experience",
                        period_start=date(2026, 2, 1), period_end=date(2026, 2, 28), count=2),
        InitiativeCount(initiative_id=initiative.id, kind="family_network_meetings",
                        period_start=date(2026, 3, 1), period_end=date(2026, 3, 31), count=4),
        PlaceMonthFigure(place_id=house.id, month=date(2026, 1, 1), visitors_per_day=20,
                         bar_turnover_cents=30000),
        PlaceMonthFigure(place_id=house.id, month=date(2026, 2, 1), visitors_per_day=30,
                         bar_turnover_cents=45000),
    ])
    kpis.ensure_predefined()
    db.session.commit()
    return initiative
