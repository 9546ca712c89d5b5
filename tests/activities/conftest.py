"""Shared pieces for the activity tests: a fixed day, initiatives with coordinators."""

from datetime import date

import pytest

from coop import timeutil
from coop.activities import services
from coop.activities.models import MeetingPlace
from coop.extensions import db
from tests.volunteers.conftest import make_coordinator, make_initiative

TODAY = date(2026, 11, 26)  # a Thursday; its week starts on Monday 2026-11-23


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def garden(app):
    return make_initiative("Buurttuin")


@pytest.fixture
def cafe(app):
    return make_initiative("Repaircafé")


@pytest.fixture
def centre(app):
    place = MeetingPlace(name="Buurthuis De Sleutel", kind="community_centre",
                         opening_days_per_week=5, financially_supported=True,
                         records_visitors=True, records_bar_turnover=True)
    db.session.add(place)
    db.session.commit()
    return place


@pytest.fixture
def coordinator(garden):
    return make_coordinator(garden)


def values(initiative, **changes) -> services.ActivityValues:
    base = {"initiative_id": initiative.id, "title": "Koffie-ochtend",
            "activity_date": date(2026, 11, 24), "participants": 12, "new_participants": 2,
            "volunteers": 3}
    base.update(changes)
    return services.ActivityValues(**base)
