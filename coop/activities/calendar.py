"""The public activity calendar of the coop and its iCalendar feed: public activities
only (opted in per activity), soonest first; no JavaScript needed."""

from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from coop import timeutil
from coop.activities import services
from coop.activities.models import MeetingPlace
from coop.extensions import db
from coop.permissions import public
from coop.settings.services import get_organisation
from coop.volunteers.models import Initiative

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

FEED_DAYS_BACK = 90  # the iCalendar feed keeps recent activities for a while


def _place_names() -> dict[int, str]:
    return dict(db.session.execute(select(MeetingPlace.id, MeetingPlace.name)).all())


def _initiative_names() -> dict[int, str]:
    return dict(db.session.execute(select(Initiative.id, Initiative.name)).all())


@bp.get("/")
@public
def index():
    today = timeutil.local_today()
    return render_template(
        "activities/calendar.html", activities=services.public_activities(today),
        organisation=get_organisation(), places=_place_names(),
        initiative_names=_initiative_names())


@bp.get("/activities.ics")
@public
def feed():
    name = get_organisation().name
    feed = Calendar()
    feed.add("prodid", "-//coop//activiteitenkalender//NL")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", _("Activities of %(name)s", name=name))
    places, initiatives = _place_names(), _initiative_names()
    host = request.host.split(":")[0]
    since = timeutil.local_today() - timedelta(days=FEED_DAYS_BACK)
    for item in services.public_feed_activities(since):
        event = Event()
        event.add("uid", f"activity-{item.id}@{host}")
        event.add("summary", item.title)
        if item.start_time is not None:
            start = datetime.combine(item.activity_date, item.start_time,
                                     tzinfo=timeutil.AMSTERDAM)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=2))
        else:
            event.add("dtstart", item.activity_date)
            event.add("dtend", item.activity_date + timedelta(days=1))
        event.add("dtstamp", item.updated_at)
        if item.place_id is not None:
            event.add("location", places.get(item.place_id, ""))
        event.add("description", initiatives.get(item.initiative_id, ""))
        feed.add_component(event)
    return Response(feed.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="activiteiten.ics"'})
