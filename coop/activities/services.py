"""The rules of what the coop does: activities (one or a week at once), theories of
change, partners, key figures, meeting places and their month figures, neighbourhood
events and periodic counts.

Who may touch an initiative is the volunteers package's scope
(`coop.volunteers.services.coordinated_initiative_ids`): a coordinator their own
initiatives, the board all. Every service flushes and audits; the view commits.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coop import audit, timeutil
from coop.activities.models import (
    Activity,
    CountKind,
    InitiativeCount,
    InitiativeKeyFigure,
    InitiativePartner,
    MeetingPlace,
    NeighbourhoodEvent,
    PartnerRole,
    PlaceKind,
    PlaceMonthFigure,
    TheoryOfChange,
)
from coop.args import MAX_INT
from coop.errors import ServiceError
from coop.extensions import db
from coop.locking import lock_row
from coop.volunteers.models import Initiative
from coop.volunteers.services import coordinated_initiative_ids

DEFAULT_MAX_PARTICIPANTS = 1000  # config ACTIVITY_MAX_PARTICIPANTS overrides it


class ActivityError(ServiceError):
    pass


def max_participants() -> int:
    if has_app_context():
        return int(current_app.config.get("ACTIVITY_MAX_PARTICIPANTS",
                                          DEFAULT_MAX_PARTICIPANTS))
    return DEFAULT_MAX_PARTICIPANTS


# Scope --------------------------------------------------------------------------------


def initiatives_for(user) -> list[Initiative]:
    """The initiatives `user` may record activities for, by name."""
    scope = coordinated_initiative_ids(user)
    query = select(Initiative).order_by(Initiative.name)
    if scope is not None:
        if not scope:
            return []
        query = query.where(Initiative.id.in_(scope))
    return list(db.session.scalars(query))


def may_edit(user, initiative_id: int) -> bool:
    scope = coordinated_initiative_ids(user)
    return scope is None or initiative_id in scope


# Activities ---------------------------------------------------------------------------


@dataclass
class ActivityValues:
    """One activity as a form or an import row gives it (already typed)."""

    initiative_id: int | None
    title: str
    activity_date: date | None
    start_time: time | None = None
    place_id: int | None = None
    participants: int | None = 0
    new_participants: int | None = 0
    volunteers: int | None = 0
    organised_by_residents: bool = False
    costs_cents: int | None = 0
    planned: bool = False
    public: bool = False


def check_activity(values: ActivityValues, today: date | None = None) -> list[ActivityError]:
    """Every problem of one activity, each for its field (empty: fine)."""
    today = today or timeutil.local_today()
    problems: list[ActivityError] = []
    if values.initiative_id is None or db.session.get(Initiative, values.initiative_id) is None:
        problems.append(ActivityError(_l("Choose an initiative."), "initiative"))
    if not (values.title or "").strip():
        problems.append(ActivityError(_l("Give the activity a title."), "title"))
    elif len(values.title.strip()) > 200:
        problems.append(ActivityError(_l("At most 200 characters."), "title"))
    if values.activity_date is None:
        problems.append(ActivityError(_l("Enter a date like 2026-01-31."), "activity_date"))
    elif values.activity_date > today and not values.planned:
        problems.append(ActivityError(
            _l("This date is in the future: tick “planned” for an activity still to come."),
            "activity_date"))
    if values.place_id is not None and db.session.get(MeetingPlace, values.place_id) is None:
        problems.append(ActivityError(_l("Choose one from the list."), "place"))
    participants = values.participants or 0
    new = values.new_participants or 0
    maximum = max_participants()
    if participants < 0:
        problems.append(ActivityError(
            _l("The number of participants cannot be negative."), "participants"))
    elif participants > maximum:
        problems.append(ActivityError(
            _l("More than %(max)s participants is not plausible: check the number.",
               max=maximum), "participants"))
    if new < 0:
        problems.append(ActivityError(
            _l("The number of new participants cannot be negative."), "new_participants"))
    elif 0 <= participants < new:
        problems.append(ActivityError(
            _l("There cannot be more new participants than participants."),
            "new_participants"))
    if (values.volunteers or 0) < 0:
        problems.append(ActivityError(
            _l("The number of volunteers cannot be negative."), "volunteers"))
    elif (values.volunteers or 0) > maximum:
        problems.append(ActivityError(
            _l("More than %(max)s volunteers is not plausible: check the number.",
               max=maximum), "volunteers"))
    if (values.costs_cents or 0) < 0:
        problems.append(ActivityError(_l("Costs cannot be negative."), "costs"))
    elif (values.costs_cents or 0) > MAX_INT:
        problems.append(ActivityError(_l("This amount is too large."), "costs"))
    return problems


def _apply(activity: Activity, values: ActivityValues) -> None:
    activity.initiative_id = values.initiative_id
    activity.title = values.title.strip()
    activity.activity_date = values.activity_date
    activity.start_time = values.start_time
    activity.place_id = values.place_id
    activity.participants = values.participants or 0
    activity.new_participants = values.new_participants or 0
    activity.volunteers = values.volunteers or 0
    activity.organised_by_residents = bool(values.organised_by_residents)
    activity.costs_cents = values.costs_cents or 0
    activity.planned = bool(values.planned)
    activity.public = bool(values.public)


def _refuse_out_of_scope(user, values: ActivityValues) -> None:
    if values.initiative_id is not None and not may_edit(user, values.initiative_id):
        raise ActivityError(_l("You do not coordinate this initiative."), "initiative")


def create_activities(rows: list[ActivityValues], user, source: str = "form") -> list[Activity]:
    """Save several activities at once, all or nothing: the first refused row raises
    (check them with `check_activity` first to show every problem)."""
    created = []
    for values in rows:
        _refuse_out_of_scope(user, values)
        problems = check_activity(values)
        if problems:
            raise problems[0]
        activity = Activity(created_by_id=getattr(user, "id", None))
        _apply(activity, values)
        db.session.add(activity)
        created.append(activity)
    db.session.flush()
    if created:
        audit.record("activities:activity:create", {
            "count": len(created), "ids": [a.id for a in created][:100], "source": source},
            actor=user)
    return created


def update_activity(activity: Activity, values: ActivityValues, user) -> Activity:
    if not may_edit(user, activity.initiative_id):
        raise ActivityError(_l("You do not coordinate this initiative."), "initiative")
    _refuse_out_of_scope(user, values)
    problems = check_activity(values)
    if problems:
        raise problems[0]
    before = _summary(activity)
    _apply(activity, values)
    db.session.flush()
    audit.record("activities:activity:update", {"before": before, "after": _summary(activity)},
                 obj=activity, actor=user)
    return activity


def delete_activity(activity: Activity, user) -> None:
    if not may_edit(user, activity.initiative_id):
        raise ActivityError(_l("You do not coordinate this initiative."), "initiative")
    summary = _summary(activity)
    db.session.delete(activity)
    db.session.flush()
    audit.record("activities:activity:delete", summary, actor=user)


def _summary(activity: Activity) -> dict:
    return {
        "id": activity.id, "initiative_id": activity.initiative_id,
        "date": activity.activity_date.isoformat() if activity.activity_date else None,
        "title": activity.title, "participants": activity.participants,
        "new_participants": activity.new_participants, "volunteers": activity.volunteers,
        "costs_cents": activity.costs_cents, "planned": activity.planned,
        "public": activity.public,
    }


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def activities_between(scope: set[int] | None, start: date, end: date) -> list[Activity]:
    """Activities from `start` to `end` (both included) in the initiatives of `scope`
    (None: all), by date and time."""
    query = (select(Activity).where(Activity.activity_date.between(start, end))
             .order_by(Activity.activity_date, Activity.start_time, Activity.id))
    if scope is not None:
        if not scope:
            return []
        query = query.where(Activity.initiative_id.in_(scope))
    return list(db.session.scalars(query))


def repeat_of_last_week(scope: set[int] | None, this_monday: date,
                        initiative_id: int | None = None) -> list[ActivityValues]:
    """Last week's activities moved seven days on, as planned rows to confirm (nothing
    saved): the counts are left for the coordinator to fill in once held."""
    last_monday = this_monday - timedelta(days=7)
    rows = []
    for activity in activities_between(scope, last_monday, last_monday + timedelta(days=6)):
        if initiative_id is not None and activity.initiative_id != initiative_id:
            continue
        rows.append(ActivityValues(
            initiative_id=activity.initiative_id, title=activity.title,
            activity_date=activity.activity_date + timedelta(days=7),
            start_time=activity.start_time, place_id=activity.place_id,
            participants=0, new_participants=0, volunteers=activity.volunteers,
            organised_by_residents=activity.organised_by_residents,
            costs_cents=0, planned=True, public=activity.public))
    return rows


def public_activities(start: date, limit: int = 200) -> list[Activity]:
    """The public calendar: public activities from `start` on, soonest first."""
    return list(db.session.scalars(
        select(Activity).where(Activity.public.is_(True), Activity.activity_date >= start)
        .order_by(Activity.activity_date, Activity.start_time, Activity.id).limit(limit)))


def public_feed_activities(since: date, limit: int = 1000) -> list[Activity]:
    """The iCalendar feed: public activities from `since` (a while back) on."""
    return public_activities(since, limit)


# Theory of change, partners, key figures --------------------------------------------


def theory_of(initiative_id: int) -> TheoryOfChange | None:
    return db.session.scalar(
        select(TheoryOfChange).where(TheoryOfChange.initiative_id == initiative_id))


THEORY_FIELDS = ("target_group", "approach", "direct_effects", "indirect_contributions")


def save_theory(initiative: Initiative, values: dict, user) -> TheoryOfChange:
    if not may_edit(user, initiative.id):
        raise ActivityError(_l("You do not coordinate this initiative."))
    texts = {name: (values.get(name) or "").strip() for name in THEORY_FIELDS}
    for name, text in texts.items():
        if len(text) > 5000:
            raise ActivityError(_l("At most %(count)s characters.", count=5000), name)
    if not texts["target_group"]:
        raise ActivityError(_l("Who is it for? Name the target group."), "target_group")
    lock_row(Initiative, initiative.id)  # one theory per initiative
    theory = theory_of(initiative.id)
    if theory is None:
        theory = TheoryOfChange(initiative_id=initiative.id)
        db.session.add(theory)
    for name, text in texts.items():
        setattr(theory, name, text)
    db.session.flush()
    audit.record("activities:theory:save", {"initiative_id": initiative.id}, obj=theory,
                 actor=user)
    return theory


def partners_of(initiative_id: int) -> list[InitiativePartner]:
    return list(db.session.scalars(
        select(InitiativePartner).where(InitiativePartner.initiative_id == initiative_id)
        .order_by(InitiativePartner.role, InitiativePartner.name)))


def add_partner(initiative: Initiative, name: str, role: str, user) -> InitiativePartner:
    if not may_edit(user, initiative.id):
        raise ActivityError(_l("You do not coordinate this initiative."))
    name = (name or "").strip()
    if not name:
        raise ActivityError(_l("This field is required."), "name")
    if role not in set(PartnerRole):
        raise ActivityError(_l("Choose one from the list."), "role")
    lock_row(Initiative, initiative.id)  # the name check below stays true until we write
    if db.session.scalar(select(InitiativePartner.id).where(
            InitiativePartner.initiative_id == initiative.id,
            InitiativePartner.name == name)) is not None:
        raise ActivityError(_l("This partner is already listed."), "name")
    partner = InitiativePartner(initiative_id=initiative.id, name=name, role=role)
    db.session.add(partner)
    db.session.flush()
    audit.record("activities:partner:add", {"initiative_id": initiative.id, "role": role},
                 obj=partner, actor=user)
    return partner


def remove_partner(partner: InitiativePartner, user) -> None:
    if not may_edit(user, partner.initiative_id):
        raise ActivityError(_l("You do not coordinate this initiative."))
    audit.record("activities:partner:remove",
                 {"initiative_id": partner.initiative_id, "name": partner.name}, actor=user)
    db.session.delete(partner)
    db.session.flush()


def key_figures_of(initiative_id: int) -> list[InitiativeKeyFigure]:
    return list(db.session.scalars(
        select(InitiativeKeyFigure).where(InitiativeKeyFigure.initiative_id == initiative_id)
        .order_by(InitiativeKeyFigure.position, InitiativeKeyFigure.id)))


def add_key_figure(initiative: Initiative, value: str, label: str, user) -> InitiativeKeyFigure:
    if not may_edit(user, initiative.id):
        raise ActivityError(_l("You do not coordinate this initiative."))
    value, label = (value or "").strip(), (label or "").strip()
    if not value:
        raise ActivityError(_l("This field is required."), "value")
    if not label:
        raise ActivityError(_l("This field is required."), "label")
    position = len(key_figures_of(initiative.id))
    figure = InitiativeKeyFigure(initiative_id=initiative.id, value=value, label=label,
                                 position=position)
    db.session.add(figure)
    db.session.flush()
    audit.record("activities:key_figure:add", {"initiative_id": initiative.id},
                 obj=figure, actor=user)
    return figure


def remove_key_figure(figure: InitiativeKeyFigure, user) -> None:
    if not may_edit(user, figure.initiative_id):
        raise ActivityError(_l("You do not coordinate this initiative."))
    audit.record("activities:key_figure:remove",
                 {"initiative_id": figure.initiative_id, "label": figure.label}, actor=user)
    db.session.delete(figure)
    db.session.flush()


# Meeting places -----------------------------------------------------------------------


def places(active_only: bool = False) -> list[MeetingPlace]:
    query = select(MeetingPlace).order_by(MeetingPlace.name)
    if active_only:
        query = query.where(MeetingPlace.active.is_(True))
    return list(db.session.scalars(query))


def save_place(place: MeetingPlace | None, values: dict, user) -> MeetingPlace:
    name = (values.get("name") or "").strip()
    if not name:
        raise ActivityError(_l("This field is required."), "name")
    kind = values.get("kind")
    if kind not in set(PlaceKind):
        raise ActivityError(_l("Choose one from the list."), "kind")
    days = values.get("opening_days_per_week")
    if days is not None and not 0 <= days <= 7:
        raise ActivityError(_l("A week has 0 to 7 days."), "opening_days_per_week")
    clash = db.session.scalar(select(MeetingPlace.id).where(MeetingPlace.name == name))
    if clash is not None and (place is None or clash != place.id):
        raise ActivityError(_l("There is already a place with this name."), "name")
    created = place is None
    if created:
        place = MeetingPlace()
        db.session.add(place)
    place.name = name
    place.kind = kind
    place.opening_days_per_week = days
    for flag in ("financially_supported", "records_visitors", "records_bar_turnover",
                 "active"):
        setattr(place, flag, bool(values.get(flag, flag == "active")))
    db.session.flush()
    audit.record("activities:place:create" if created else "activities:place:update",
                 {"name": name, "kind": kind}, obj=place, actor=user)
    return place


def month_figures(place_id: int) -> list[PlaceMonthFigure]:
    return list(db.session.scalars(
        select(PlaceMonthFigure).where(PlaceMonthFigure.place_id == place_id)
        .order_by(PlaceMonthFigure.month.desc())))


def record_month_figure(place: MeetingPlace, month: date, visitors_per_day: int | None,
                        bar_turnover_cents: int | None, user) -> PlaceMonthFigure:
    """Enter (or correct) one month's figures of a place; a later entry for the same
    month replaces the earlier one (audited with both)."""
    if month is None:
        raise ActivityError(_l("Enter a month like 2026-03."), "month")
    month = month.replace(day=1)
    if month > timeutil.local_today():
        raise ActivityError(_l("This month has not begun yet."), "month")
    if visitors_per_day is None and bar_turnover_cents is None:
        raise ActivityError(_l("Enter visitors per day, bar turnover or both."),
                            "visitors_per_day")
    if visitors_per_day is not None:
        if not place.records_visitors:
            raise ActivityError(_l("This place does not record visitors."),
                                "visitors_per_day")
        if visitors_per_day < 0:
            raise ActivityError(_l("The number of visitors cannot be negative."),
                                "visitors_per_day")
        if visitors_per_day > max_participants():
            raise ActivityError(_l("More than %(max)s visitors a day is not plausible: "
                                   "check the number.", max=max_participants()),
                                "visitors_per_day")
    if bar_turnover_cents is not None:
        if not place.records_bar_turnover:
            raise ActivityError(_l("This place does not record bar turnover."),
                                "bar_turnover")
        if bar_turnover_cents < 0:
            raise ActivityError(_l("Turnover cannot be negative."), "bar_turnover")
    lock_row(MeetingPlace, place.id)  # one writer of a month's figures at a time
    figure = db.session.scalar(select(PlaceMonthFigure).where(
        PlaceMonthFigure.place_id == place.id, PlaceMonthFigure.month == month))
    before = None
    if figure is None:
        figure = PlaceMonthFigure(place_id=place.id, month=month)
        db.session.add(figure)
    else:
        before = {"visitors_per_day": figure.visitors_per_day,
                  "bar_turnover_cents": figure.bar_turnover_cents}
    figure.visitors_per_day = visitors_per_day
    figure.bar_turnover_cents = bar_turnover_cents
    db.session.flush()
    audit.record("activities:place_month:save", {
        "place_id": place.id, "month": month.isoformat(), "before": before,
        "visitors_per_day": visitors_per_day, "bar_turnover_cents": bar_turnover_cents},
        obj=figure, actor=user)
    return figure


# Neighbourhood events and counts -----------------------------------------------------


def events(limit: int = 200) -> list[NeighbourhoodEvent]:
    return list(db.session.scalars(
        select(NeighbourhoodEvent).order_by(NeighbourhoodEvent.event_date.desc())
        .limit(limit)))


def record_event(values: dict, user) -> NeighbourhoodEvent:
    name = (values.get("name") or "").strip()
    if not name:
        raise ActivityError(_l("This field is required."), "name")
    event_date = values.get("event_date")
    if event_date is None:
        raise ActivityError(_l("Enter a date like 2026-01-31."), "event_date")
    present, sponsored = bool(values.get("present")), bool(values.get("sponsored"))
    if not (present or sponsored):
        raise ActivityError(_l("Tick whether the coop was present, sponsored it, or both."),
                            "present")
    amount = values.get("sponsored_cents") or 0
    if amount < 0:
        raise ActivityError(_l("The amount cannot be negative."), "sponsored_amount")
    if amount and not sponsored:
        raise ActivityError(_l("An amount only goes with a sponsored event."),
                            "sponsored_amount")
    initiative_id = values.get("initiative_id")
    if initiative_id is not None and db.session.get(Initiative, initiative_id) is None:
        raise ActivityError(_l("Choose one from the list."), "initiative")
    event = NeighbourhoodEvent(event_date=event_date, name=name, initiative_id=initiative_id,
                               present=present, sponsored=sponsored, sponsored_cents=amount)
    db.session.add(event)
    db.session.flush()
    audit.record("activities:event:create", {"date": event_date.isoformat(),
                                             "sponsored_cents": amount}, obj=event, actor=user)
    return event


def counts(scope: set[int] | None, limit: int = 200) -> list[InitiativeCount]:
    query = select(InitiativeCount).order_by(InitiativeCount.period_start.desc(),
                                             InitiativeCount.id.desc()).limit(limit)
    if scope is not None:
        if not scope:
            return []
        query = query.where(InitiativeCount.initiative_id.in_(scope))
    return list(db.session.scalars(query))


def record_count(values: dict, user) -> InitiativeCount:
    initiative_id = values.get("initiative_id")
    if initiative_id is None or db.session.get(Initiative, initiative_id) is None:
        raise ActivityError(_l("Choose an initiative."), "initiative")
    if not may_edit(user, initiative_id):
        raise ActivityError(_l("You do not coordinate this initiative."), "initiative")
    kind = values.get("kind")
    if kind not in set(CountKind):
        raise ActivityError(_l("Choose one from the list."), "kind")
    start, end = values.get("period_start"), values.get("period_end")
    if start is None:
        raise ActivityError(_l("Enter a date like 2026-01-31."), "period_start")
    if end is None:
        raise ActivityError(_l("Enter a date like 2026-01-31."), "period_end")
    if end < start:
        raise ActivityError(_l("The period ends before it starts."), "period_end")
    if start > timeutil.local_today():
        raise ActivityError(_l("This period has not begun yet."), "period_start")
    number = values.get("count")
    if number is None or number < 0:
        raise ActivityError(_l("Enter a number of 0 or more."), "count")
    if number > max_participants():
        raise ActivityError(_l("More than %(max)s is not plausible: check the number.",
                               max=max_participants()), "count")
    lock_row(Initiative, initiative_id)
    if db.session.scalar(select(InitiativeCount.id).where(
            InitiativeCount.initiative_id == initiative_id, InitiativeCount.kind == kind,
            InitiativeCount.period_start == start)) is not None:
        raise ActivityError(_l("This initiative already has this count for a period "
                               "starting on this day."), "period_start")
    row = InitiativeCount(initiative_id=initiative_id, kind=kind, period_start=start,
                          period_end=end, count=number)
    db.session.add(row)
    db.session.flush()
    audit.record("activities:count:create", {"initiative_id": initiative_id, "kind": kind,
                                             "count": number}, obj=row, actor=user)
    return row

