"""The rules of an activity: every bad input refused for its field, nothing saved."""

from datetime import date

import pytest

from coop.activities import services
from coop.activities.models import Activity
from coop.extensions import db
from tests.activities.conftest import values
from tests.volunteers.conftest import make_coordinator


def _count():
    return db.session.scalar(db.select(db.func.count(Activity.id)))


def test_a_sound_activity_is_saved(today, garden, coordinator):
    [activity] = services.create_activities([values(garden)], coordinator)
    db.session.commit()

    assert (activity.participants, activity.new_participants, activity.volunteers) == (12, 2, 3)
    assert not activity.planned


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"participants": -1}, "participants", "Het aantal deelnemers kan niet negatief zijn"),
    ({"participants": 1001}, "participants", "Meer dan 1000 deelnemers is niet aannemelijk"),
    ({"new_participants": 13}, "new_participants",
     "niet meer nieuwe deelnemers zijn dan deelnemers"),
    ({"new_participants": -2}, "new_participants", "nieuwe deelnemers kan niet negatief"),
    ({"volunteers": -1}, "volunteers", "vrijwilligers kan niet negatief"),
    ({"costs_cents": -500}, "costs", "kosten kunnen niet negatief"),
    ({"activity_date": date(2026, 11, 27)}, "activity_date", "in de toekomst: vink “gepland” aan"),
    ({"activity_date": None}, "activity_date", "Vul een datum in"),
    ({"title": "  "}, "title", "Geef de activiteit een titel"),
])
def test_bad_input_is_refused_at_its_field_and_nothing_saved(
        today, garden, coordinator, changes, field, message):
    problems = services.check_activity(values(garden, **changes))
    assert [p.field for p in problems] == [field]
    assert message in str(problems[0].message)

    with pytest.raises(services.ActivityError):
        services.create_activities([values(garden), values(garden, **changes)], coordinator)
    db.session.rollback()
    assert _count() == 0


def test_a_future_date_is_fine_when_planned(today, garden, coordinator):
    services.create_activities(
        [values(garden, activity_date=date(2026, 12, 3), planned=True, participants=0,
                new_participants=0)], coordinator)
    assert _count() == 1


def test_the_plausible_maximum_is_a_setting(app, today, garden, coordinator):
    app.config["ACTIVITY_MAX_PARTICIPANTS"] = 5000
    assert services.check_activity(values(garden, participants=1500)) == []
    app.config["ACTIVITY_MAX_PARTICIPANTS"] = 10
    [problem] = services.check_activity(values(garden, participants=11, new_participants=0))
    assert "Meer dan 10 deelnemers" in str(problem.message)


def test_a_coordinator_cannot_record_for_another_initiative(today, garden, cafe, coordinator):
    with pytest.raises(services.ActivityError, match="coördineert dit initiatief niet"):
        services.create_activities([values(cafe)], coordinator)


def test_the_board_records_for_every_initiative(today, garden, cafe, make_user):
    board = make_user(roles=["board"])
    services.create_activities([values(garden), values(cafe)], board)
    assert _count() == 2


def test_repeat_of_last_week_moves_the_activities_on_as_planned_rows(
        today, garden, cafe, coordinator, make_user):
    services.create_activities([
        values(garden, activity_date=date(2026, 11, 17), title="Tuinieren",
               organised_by_residents=True, public=True),
        values(garden, activity_date=date(2026, 11, 19), title="Koffie"),
        values(garden, activity_date=date(2026, 11, 24), title="Deze week"),
    ], coordinator)
    services.create_activities([values(cafe, activity_date=date(2026, 11, 18))],
                               make_user(roles=["board"]))

    rows = services.repeat_of_last_week({garden.id}, date(2026, 11, 23))

    assert [(r.title, r.activity_date, r.planned, r.participants) for r in rows] == [
        ("Tuinieren", date(2026, 11, 24), True, 0), ("Koffie", date(2026, 11, 26), True, 0)]
    assert rows[0].organised_by_residents and rows[0].public
    assert _count() == 4  # nothing saved by repeating


def test_a_coordinator_of_nothing_may_record_nothing(today, garden, make_user):
    volunteer = make_user(roles=["volunteer"])
    assert services.initiatives_for(volunteer) == []
    assert services.initiatives_for(make_coordinator(garden)) == [garden]
