"""The demo coop's places, theories of change and a year of activities."""

from sqlalchemy import func, select

from coop.accounts import services as accounts
from coop.activities import services
from coop.activities.models import Activity, MeetingPlace, PlaceMonthFigure, TheoryOfChange
from coop.demo import activities as demo
from coop.demo import volunteers as demo_volunteers
from coop.demo.data import DEMO_PASSWORD, DEMO_USERS, _load_funders
from coop.extensions import db


def test_demo_has_places_theories_and_a_year_of_activities(app):
    users = {email: accounts.create_user(email, name, DEMO_PASSWORD, roles=roles)
             for email, name, roles in DEMO_USERS}
    demo_volunteers.load(users, _load_funders(users))

    line = demo.load(users)
    db.session.commit()

    held = db.session.scalar(select(func.count(Activity.id)).where(Activity.planned.is_(False)))
    assert held > 350  # some seven a week, every week of the year
    months = db.session.scalar(select(func.count(func.distinct(
        func.extract("month", Activity.activity_date)))).where(Activity.planned.is_(False)))
    assert months == 12
    assert db.session.scalar(select(func.count(TheoryOfChange.id))) == 4
    assert db.session.scalar(select(func.count(MeetingPlace.id))) == 4
    assert db.session.scalar(select(func.count(PlaceMonthFigure.id))) == 12
    assert f"{held} activities held" in line
    # Every demo row keeps the rules a coordinator's entry must keep.
    for activity in db.session.scalars(select(Activity).limit(200)):
        values = services.ActivityValues(**{
            name: getattr(activity, name) for name in services.ActivityValues.__annotations__})
        assert services.check_activity(values, today=demo.LAST_HELD) == [], activity.title
    assert services.public_activities(demo.LAST_HELD)
