"""The demo's volunteers and buurtbanen: Oost voor Elkaar's figures from the seeds."""

from datetime import date

from sqlalchemy import func, select

from coop.accounts import services as accounts
from coop.demo import volunteers as demo
from coop.demo.data import DEMO_PASSWORD, DEMO_USERS, _load_funders
from coop.extensions import db
from coop.volunteers import jobs, services
from coop.volunteers.models import (
    Allowance,
    CoachingConversation,
    EventSponsorship,
    HourEntry,
    Initiative,
    JobPayment,
)


def test_demo_has_initiatives_volunteers_with_a_year_of_hours_and_buurtbanen(app):
    users = {email: accounts.create_user(email, name, DEMO_PASSWORD, roles=roles)
             for email, name, roles in DEMO_USERS}
    agreements = _load_funders(users)

    line = demo.load(users, agreements)
    db.session.commit()

    assert db.session.scalar(select(func.count(Initiative.id))) == 4
    assert db.session.scalar(select(func.count(func.distinct(Allowance.volunteer_id))).where(
        Allowance.kind == "allowance")) == 8
    assert db.session.scalar(select(func.count(HourEntry.id))) > 400
    report = jobs.wage_cost(2026, date(2026, 10, 31))
    assert (report.jobs_in_coop, report.jobs_via_partners) == (2, 4)
    assert "2 in the coop, 4 via partners" in line
    # The pages of sponsoring, coaching and fees paid are not empty.
    assert db.session.scalar(select(func.count(EventSponsorship.id))) == 3
    assert db.session.scalar(select(func.count(CoachingConversation.id))) == 7
    assert [p.amount_cents for p in db.session.scalars(
        select(JobPayment).order_by(JobPayment.paid_on))] == [60000, 60000]
    assert [(row.what, row.amount_cents) for row in jobs.third_party_payments(2026)] == [
        ("Vormgeving buurtkrant", 120000)]
    assert jobs.jobs_below_minimum_wage(date(2026, 10, 31)) == []
    volunteer_user = users["vrijwilliger@oosterlicht.example"]
    assert services.coordinated_initiative_ids(volunteer_user)
