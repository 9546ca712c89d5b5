"""coop/timeutil.py and the `datetime` filter: stored in UTC, shown in Amsterdam time."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import render_template_string
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from coop.accounts.models import User
from coop.audit import AuditEvent
from coop.extensions import db
from coop.timeutil import AMSTERDAM, to_local, utcnow
from tests.conftest import ON_POSTGRES

SUMMER = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # CEST, UTC+2
WINTER = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)  # CET, UTC+1
NAIVE = datetime(2026, 7, 1, 10, 0)  # no tzinfo: ambiguous, always a bug


def _store_event(at: datetime) -> int:
    event = AuditEvent(at=at, actor_label="systeem", tag="test:time")
    db.session.add(event)
    db.session.commit()
    event_id = event.id
    db.session.expunge_all()  # the next read comes from the database, not the session
    return event_id


def _load_event_at(event_id: int) -> datetime:
    return db.session.scalar(select(AuditEvent.at).where(AuditEvent.id == event_id))


def test_utcnow_is_aware_utc():
    now = utcnow()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


def test_aware_utc_datetime_round_trips_as_aware_utc(app):
    event_id = _store_event(SUMMER)

    loaded = _load_event_at(event_id)

    assert loaded == SUMMER
    assert loaded.tzinfo is not None
    assert loaded.utcoffset() == timedelta(0)
    assert (loaded.hour, loaded.minute) == (10, 0)


def test_a_datetime_in_another_zone_is_stored_as_the_same_instant_in_utc(app):
    amsterdam_noon = datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM)
    plus_five = datetime(2026, 1, 15, 15, 0, tzinfo=timezone(timedelta(hours=5)))

    summer_id = _store_event(amsterdam_noon)
    winter_id = _store_event(plus_five)

    assert _load_event_at(summer_id) == SUMMER
    assert _load_event_at(summer_id).utcoffset() == timedelta(0)
    assert _load_event_at(winter_id) == WINTER
    assert _load_event_at(winter_id).hour == 10


def test_microseconds_survive_the_round_trip(app):
    precise = datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=UTC)
    assert _load_event_at(_store_event(precise)) == precise


def test_the_database_holds_utc_wall_clock_time(app):
    event_id = _store_event(datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM))

    if ON_POSTGRES:
        # timestamptz: ask the server to render it in UTC, whatever its own zone.
        with db.engine.connect() as connection:
            connection.execute(text("SET TIME ZONE 'UTC'"))
            raw = connection.execute(
                text("SELECT to_char(at, 'YYYY-MM-DD HH24:MI') FROM audit_event WHERE id = :id"),
                {"id": event_id},
            ).scalar_one()
    else:
        raw = db.session.execute(
            text("SELECT at FROM audit_event WHERE id = :id"), {"id": event_id}
        ).scalar_one()
    assert str(raw).startswith("2026-07-01 10:00")


@pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL has a session time zone")
def test_round_trip_is_utc_whatever_the_database_session_time_zone(app_factory):
    # psycopg hands back timestamptz in the session's zone; the type must convert it.
    far_away = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c timezone=Pacific/Auckland"}}
    )
    with far_away.app_context():
        event_id = _store_event(SUMMER)
        assert db.session.execute(text("SHOW timezone")).scalar_one() == "Pacific/Auckland"
        loaded = _load_event_at(event_id)
        db.session.remove()

    assert loaded == SUMMER
    assert loaded.utcoffset() == timedelta(0)
    assert loaded.hour == 10


def test_user_created_at_defaults_to_now_in_utc(app, make_user):
    before = utcnow()
    user_id = make_user().id
    db.session.expunge_all()

    created_at = db.session.get(User, user_id).created_at

    assert created_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= created_at <= utcnow() + timedelta(seconds=1)


def test_naive_datetime_is_refused(app):
    db.session.add(AuditEvent(at=NAIVE, actor_label="x", tag="test:time"))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == 0


def test_naive_datetime_is_refused_in_a_query_too(app):
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.scalars(select(AuditEvent).where(AuditEvent.at > NAIVE)).all()


def test_to_local_gives_amsterdam_time():
    assert to_local(SUMMER).hour == 12
    assert to_local(WINTER).hour == 11
    assert to_local(SUMMER).tzinfo == AMSTERDAM


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (SUMMER, "12:00"),  # summer time: UTC+2
        (WINTER, "11:00"),  # winter time: UTC+1
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "01:59"),  # last minute before the switch
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "03:00"),  # clocks go forward
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "02:30"),  # first 02:30, CEST
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "02:30"),  # second 02:30, CET
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "00:30"),  # already New Year
    ],
)
def test_datetime_filter_shows_amsterdam_time(app, value, shown):
    with app.test_request_context():
        rendered = render_template_string("{{ value|datetime('HH:mm') }}", value=value)
    assert rendered == shown


def test_datetime_filter_shows_the_local_date(app):
    with app.test_request_context():
        rendered = render_template_string(
            "{{ value|datetime('yyyy-MM-dd HH:mm') }}",
            value=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        )
    assert rendered == "2027-01-01 00:30"


def test_datetime_filter_default_format_is_dutch_and_local(app):
    with app.test_request_context():
        summer = render_template_string("{{ value|datetime }}", value=SUMMER)
        winter = render_template_string("{{ value|datetime }}", value=WINTER)
    assert "jul" in summer
    assert "2026" in summer
    assert "12:00" in summer
    assert "jan" in winter
    assert "11:00" in winter


def test_datetime_filter_shows_a_value_loaded_from_the_database_in_local_time(app):
    event_id = _store_event(SUMMER)
    loaded = _load_event_at(event_id)
    with app.test_request_context():
        rendered = render_template_string("{{ value|datetime('HH:mm') }}", value=loaded)
    assert rendered == "12:00"


def test_datetime_filter_is_empty_for_none(app):
    with app.test_request_context():
        assert render_template_string("{{ value|datetime }}", value=None) == ""
