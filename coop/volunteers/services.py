"""The rules for initiatives, volunteers, hours and allowances.

Services take model objects and plain values, flush but never commit, and raise
`VolunteerError` (with the form field it belongs to) for refused input.

Which date counts for the month and year caps
---------------------------------------------
The caps count by the **date of the work** (for a verstrekking: the day it is given), not
by the date of payment. Source: Belastingdienst, "Vergoeding voor inzet en voor kosten"
(belastingdienst.nl › prive › werk en inkomen › werken als vrijwilliger): the maximums
per month and per year "gelden voor het totaal van de vergoeding voor uw inzet", and its
example turns a weekly travel allowance into the amount *per month of work* ("U ontvangt
hiervoor iedere week € 48. Per maand ontvangt u € 208"). The cap belongs to the inzet
of a month; the hourly cap is by the age on the day of the work. Counting by payment date
would let paying several months at once (or late) move an allowance into another month or
year and so average it out, which the scheme does not allow.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite

from coop import audit
from coop.errors import ServiceError
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, LedgerAccount
from coop.ledger.services import LedgerError
from coop.locking import lock_row
from coop.members.models import Person
from coop.money import format_money
from coop.permissions import Permission
from coop.settings.services import get_organisation
from coop.templating import money_locale
from coop.timeutil import utcnow
from coop.volunteers.models import (
    GIFT_KINDS,
    Allowance,
    AllowanceArrangement,
    AllowanceCap,
    AllowanceKind,
    ArrangementKind,
    CoachingConversation,
    ContractType,
    EventSponsorship,
    HourEntry,
    HourStatus,
    Initiative,
    InitiativeCoordinator,
    Job,
    Volunteer,
    VolunteerCapYear,
    VolunteerInitiative,
)

COUNTING_DATE = "work"  # the month and year caps count by the date of the work (above)
ADULT_AGE = 21  # the Belastingdienst's hourly caps: 21 and older, or under 21
MAX_QUARTERS_A_DAY = 96


class VolunteerError(ServiceError):
    """A refused change. `field` names the form field the message belongs to."""


class OverCapError(VolunteerError):
    """An allowance over a cap; `check` holds the room left and the highest amount
    that fits."""

    def __init__(self, message, check: "CapCheck", field: str = "amount"):
        super().__init__(message, field)
        self.check = check


def _money(cents: int) -> str:
    return format_money(cents, money_locale())


# Initiatives and coordinators ---------------------------------------------------------


def _clean_initiative(values: dict, initiative: Initiative | None) -> dict:
    name = (values.get("name") or "").strip()
    if not name:
        raise VolunteerError(_l("Enter a name."), "name")
    clash = db.session.scalar(select(Initiative.id).where(
        func.lower(Initiative.name) == name.lower()))
    if clash is not None and (initiative is None or clash != initiative.id):
        raise VolunteerError(_l("There is already an initiative with this name."), "name")
    active_from, active_until = values.get("active_from"), values.get("active_until")
    if active_from and active_until and active_until < active_from:
        raise VolunteerError(_l("The end date lies before the start date."), "active_until")
    return {"name": name, "description": (values.get("description") or "").strip() or None,
            "active_from": active_from, "active_until": active_until}


def create_initiative(values: dict, actor=None) -> Initiative:
    """Raises VolunteerError for an empty or taken name or an end before the start."""
    initiative = Initiative(**_clean_initiative(values, None))
    db.session.add(initiative)
    db.session.flush()
    audit.record("volunteers:initiative:create", {"name": initiative.name},
                 obj=initiative, actor=actor)
    return initiative


def update_initiative(initiative: Initiative, values: dict, actor=None) -> Initiative:
    clean = _clean_initiative(values, initiative)
    diff = audit.changes(initiative, list(clean), clean)
    for name, value in clean.items():
        setattr(initiative, name, value)
    db.session.flush()
    if diff:
        audit.record("volunteers:initiative:update", diff, obj=initiative, actor=actor)
    return initiative


def add_coordinator(initiative: Initiative, person: Person, actor=None) -> None:
    """Raises VolunteerError when the person has no account or already coordinates."""
    if person.user_id is None:
        raise VolunteerError(
            _l("A coordinator needs an account: invite this person first."), "person")
    exists = db.session.scalar(select(InitiativeCoordinator.id).where(
        InitiativeCoordinator.initiative_id == initiative.id,
        InitiativeCoordinator.person_id == person.id))
    if exists is not None:
        raise VolunteerError(_l("This person already coordinates this initiative."), "person")
    db.session.add(InitiativeCoordinator(initiative_id=initiative.id, person_id=person.id))
    db.session.flush()
    audit.record("volunteers:coordinator:add", {"initiative_id": initiative.id},
                 obj=initiative, actor=actor, person_id=person.id)


def coordinators_of(initiative_id: int) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(InitiativeCoordinator, InitiativeCoordinator.person_id == Person.id)
        .where(InitiativeCoordinator.initiative_id == initiative_id).order_by(Person.sort_name)))


def coordinated_initiative_ids(user) -> set[int] | None:
    """The initiatives `user` may approve for: None means all (the board)."""
    if Permission.VOLUNTEERS_ALL in user.permissions:
        return None
    return set(db.session.scalars(
        select(InitiativeCoordinator.initiative_id)
        .join(Person, Person.id == InitiativeCoordinator.person_id)
        .where(Person.user_id == user.id)))


def may_coordinate_initiative(user, initiative_id: int) -> bool:
    scope = coordinated_initiative_ids(user)
    return scope is None or initiative_id in scope


def may_coordinate_volunteer(user, volunteer: Volunteer) -> bool:
    """The board, or a coordinator of one of the volunteer's initiatives."""
    scope = coordinated_initiative_ids(user)
    if scope is None:
        return True
    return bool(scope & set(initiative_ids_of(volunteer)))


def visible_initiatives(user) -> list[Initiative]:
    scope = coordinated_initiative_ids(user)
    query = select(Initiative).order_by(Initiative.name)
    if scope is not None:
        query = query.where(Initiative.id.in_(scope))
    return list(db.session.scalars(query))


# Volunteers ---------------------------------------------------------------------------


def volunteer_for_user(user) -> Volunteer | None:
    return db.session.scalar(
        select(Volunteer).join(Person, Person.id == Volunteer.person_id)
        .where(Person.user_id == user.id))


def ensure_volunteer(person: Person, actor=None) -> Volunteer:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.person_id == person.id))
    if volunteer is None:
        volunteer = Volunteer(person_id=person.id)
        db.session.add(volunteer)
        db.session.flush()
        audit.record("volunteers:volunteer:create", {}, obj=volunteer, actor=actor,
                     person_id=person.id)
    return volunteer


def join_initiative(volunteer: Volunteer, initiative: Initiative, actor=None) -> None:
    """Raises VolunteerError when the volunteer is in it already."""
    if initiative.id in initiative_ids_of(volunteer):
        raise VolunteerError(_l("This person already volunteers in this initiative."),
                             "family_name")
    db.session.add(VolunteerInitiative(volunteer_id=volunteer.id, initiative_id=initiative.id))
    db.session.flush()
    audit.record("volunteers:volunteer:join", {"initiative_id": initiative.id},
                 obj=volunteer, actor=actor)


def initiative_ids_of(volunteer: Volunteer) -> list[int]:
    return list(db.session.scalars(select(VolunteerInitiative.initiative_id).where(
        VolunteerInitiative.volunteer_id == volunteer.id)))


def initiatives_of(volunteer: Volunteer) -> list[Initiative]:
    return list(db.session.scalars(
        select(Initiative).join(VolunteerInitiative,
                                VolunteerInitiative.initiative_id == Initiative.id)
        .where(VolunteerInitiative.volunteer_id == volunteer.id).order_by(Initiative.name)))


def volunteers_in(initiative_ids: Iterable[int] | None, *, name: str | None = None,
                  limit: int | None = None) -> list[tuple[Volunteer, Person]]:
    """Volunteers of these initiatives (None: all), with their person, by name; `name`
    filters on (part of) the name, `limit` keeps a page small at city scale."""
    query = (select(Volunteer, Person).join(Person, Person.id == Volunteer.person_id)
             .order_by(Person.sort_name))
    if name and name.strip():
        pattern = "%" + name.strip().lower().replace("\\", "").replace("%", "").replace(
            "_", "") + "%"
        query = query.where(func.lower(Person.sort_name).like(pattern))
    if limit is not None:
        query = query.limit(limit)
    if initiative_ids is not None:
        query = query.where(Volunteer.id.in_(
            select(VolunteerInitiative.volunteer_id)
            .where(VolunteerInitiative.initiative_id.in_(list(initiative_ids)))))
    return list(db.session.execute(query).all())


def age_on(date_of_birth: date, day: date) -> int:
    return day.year - date_of_birth.year - (
        (day.month, day.day) < (date_of_birth.month, date_of_birth.day))


# Hours ---------------------------------------------------------------------------------


def quarters_from_hours(text: str) -> int:
    """`1,5` or `1.75` hours as quarter hours; raises VolunteerError (field `hours`)."""
    cleaned = (text or "").strip().replace(",", ".")
    if not cleaned:
        raise VolunteerError(_l("Enter the hours, like 2 or 1,5."), "hours")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise VolunteerError(_l("Enter the hours, like 2 or 1,5."), "hours") from error
    if not value.is_finite():
        raise VolunteerError(_l("Enter the hours, like 2 or 1,5."), "hours")
    if value <= 0:
        raise VolunteerError(_l("Hours must be more than zero."), "hours")
    if value > 24:
        raise VolunteerError(_l("A day has at most 24 hours."), "hours")
    quarters = value * 4
    if quarters != quarters.to_integral_value():
        raise VolunteerError(
            _l("Enter whole quarter hours: 1, 1,25, 1,5 or 1,75."), "hours")
    return int(quarters)


def declare_hours(volunteer: Volunteer, initiative_id: int | None, work_date: date | None,
                  quarter_hours: int, note: str | None, *, today: date, actor=None,
                  approved: bool = False) -> HourEntry:
    """Record hours; `approved` when a coordinator enters them for the volunteer.

    Raises VolunteerError for: no or an unknown initiative, one the volunteer does not
    belong to, no date, a date in the future, zero or negative hours, more than 24 hours
    on one day (with what was already declared), hours that are not whole quarters.
    """
    if initiative_id is None:
        raise VolunteerError(_l("Choose the initiative."), "initiative")
    if initiative_id not in initiative_ids_of(volunteer):
        raise VolunteerError(
            _l("You do not work in this initiative; choose one of your own."), "initiative")
    if work_date is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "work_date")
    if work_date > today:
        raise VolunteerError(_l("Hours can only be declared for today or earlier."),
                             "work_date")
    if not isinstance(quarter_hours, int) or quarter_hours <= 0:
        raise VolunteerError(_l("Hours must be more than zero."), "hours")
    if paid_on(volunteer.person_id, initiative_id, work_date):
        raise VolunteerError(
            _l("You have a paid job (buurtbaan) in this initiative on this day: those hours "
               "are paid work, not volunteer hours."), "work_date")
    already = db.session.scalar(
        select(func.coalesce(func.sum(HourEntry.quarter_hours), 0)).where(
            HourEntry.volunteer_id == volunteer.id, HourEntry.work_date == work_date,
            HourEntry.status != HourStatus.RETURNED))
    if already + quarter_hours > MAX_QUARTERS_A_DAY:
        raise VolunteerError(
            _l("A day has at most 24 hours: %(hours)s hours are already declared on this day.",
               hours=_hours_text(already)), "hours")
    actor_id = audit.acting_user_id(actor)
    entry = HourEntry(
        volunteer_id=volunteer.id, initiative_id=initiative_id, work_date=work_date,
        quarter_hours=quarter_hours, note=(note or "").strip()[:300] or None,
        status=HourStatus.APPROVED if approved else HourStatus.SUBMITTED,
        entered_by_id=actor_id, decided_by_id=actor_id if approved else None,
        decided_at=utcnow() if approved else None,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("volunteers:hours:declare",
                 {"quarter_hours": quarter_hours, "date": work_date.isoformat(),
                  "initiative_id": initiative_id, "approved": approved},
                 obj=entry, actor=actor)
    return entry


def paid_on(person_id: int, initiative_id: int, day: date) -> bool:
    """Whether the person has a buurtbaan (employment) in the initiative on `day`: paid
    and unpaid work stay apart."""
    return db.session.scalar(select(Job.id).where(
        Job.person_id == person_id, Job.initiative_id == initiative_id,
        Job.contract_type == ContractType.EMPLOYMENT, Job.start_date <= day,
        or_(Job.end_date.is_(None), Job.end_date >= day)).limit(1)) is not None


def _hours_text(quarters: int) -> str:

    return format_decimal(quarters / 4, "0.##")


def approve_hours(entry: HourEntry, actor=None) -> HourEntry:
    """Raises VolunteerError when the entry was decided already."""
    if entry.status != HourStatus.SUBMITTED:
        raise VolunteerError(_l("These hours were already approved or returned."))
    entry.status = HourStatus.APPROVED
    entry.decided_by_id = audit.acting_user_id(actor)
    entry.decided_at = utcnow()
    db.session.flush()
    audit.record("volunteers:hours:approve", {}, obj=entry, actor=actor)
    return entry


def return_hours(entry: HourEntry, reason: str, actor=None) -> HourEntry:
    """Send hours back with a reason; raises VolunteerError without a reason or when
    the entry was decided already."""
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_l("Say why the hours go back to the volunteer."), "reason")
    if entry.status != HourStatus.SUBMITTED:
        raise VolunteerError(_l("These hours were already approved or returned."))
    entry.status = HourStatus.RETURNED
    entry.return_reason = reason
    entry.decided_by_id = audit.acting_user_id(actor)
    entry.decided_at = utcnow()
    db.session.flush()
    audit.record("volunteers:hours:return", {"reason": reason}, obj=entry, actor=actor)
    return entry


def recent_entries(volunteer: Volunteer, today: date, days: int = 7) -> list[HourEntry]:
    """The volunteer's entries of the last `days` days, newest first (to repeat one)."""
    return list(db.session.scalars(
        select(HourEntry).where(HourEntry.volunteer_id == volunteer.id,
                                HourEntry.work_date > today - timedelta(days=days))
        .order_by(HourEntry.work_date.desc(), HourEntry.id.desc())))


def pending_hours(initiative_ids: Iterable[int] | None,
                  limit: int = 100) -> list[tuple[HourEntry, Person]]:
    """The oldest `limit` hours waiting for approval (a page shows a workable batch)."""
    query = (select(HourEntry, Person).join(Volunteer, Volunteer.id == HourEntry.volunteer_id)
             .join(Person, Person.id == Volunteer.person_id)
             .where(HourEntry.status == HourStatus.SUBMITTED)
             .order_by(HourEntry.work_date, HourEntry.id).limit(limit))
    if initiative_ids is not None:
        query = query.where(HourEntry.initiative_id.in_(list(initiative_ids)))
    return list(db.session.execute(query).all())


# Caps -----------------------------------------------------------------------------------


def cap_for_year(year: int, field: str = "work_date") -> AllowanceCap:
    """The caps of `year`; raises VolunteerError saying what to enter when there are
    none."""
    cap = db.session.get(AllowanceCap, year)
    if cap is None:
        raise VolunteerError(
            _l("There are no allowance caps for %(year)s yet, so no allowance can be "
               "approved for that year. The treasurer enters the Belastingdienst's amounts "
               "for %(year)s (per hour 21+, per hour under 21, per month, per year) under "
               "Volunteers › Allowance caps.", year=year), field)
    return cap


def set_caps(year: int, hourly_adult_cents: int, hourly_young_cents: int, month_cents: int,
             year_cents: int, actor=None) -> AllowanceCap:
    """Enter or correct a year's caps. Raises VolunteerError for a year outside 2000–2100,
    an amount that is zero, or a year cap under the month cap."""
    if not 2000 <= year <= 2100:
        raise VolunteerError(_l("Enter a year between 2000 and 2100."), "year")
    for name, value in (("hourly_adult", hourly_adult_cents),
                        ("hourly_young", hourly_young_cents),
                        ("month", month_cents), ("year_cap", year_cents)):
        if value is None or value <= 0:
            raise VolunteerError(_l("Enter an amount above zero."), name)
    if year_cents < month_cents:
        raise VolunteerError(_l("The year cap cannot be below the month cap."), "year_cap")
    cap = db.session.get(AllowanceCap, year)
    values = {"hourly_adult_cents": hourly_adult_cents, "hourly_young_cents": hourly_young_cents,
              "month_cents": month_cents, "year_cents": year_cents}
    if cap is None:
        cap = AllowanceCap(year=year, **values)
        db.session.add(cap)
        diff = values
    else:
        diff = audit.changes(cap, list(values), values)
        for name, value in values.items():
            setattr(cap, name, value)
    db.session.flush()
    audit.record("volunteers:caps:set", {"year": year, **diff}, actor=actor)
    return cap


def hourly_cap_cents(cap: AllowanceCap, date_of_birth: date, work_date: date) -> int:
    """The hourly cap for the volunteer's age on the day of the work."""
    if age_on(date_of_birth, work_date) >= ADULT_AGE:
        return cap.hourly_adult_cents
    return cap.hourly_young_cents


@dataclass(frozen=True)
class PeriodTotal:
    """What was approved in a month or year: the allowances and verstrekkingen, and the
    proven costs (counted only when an allowance or verstrekking falls in the period)."""

    fixed_cents: int = 0
    expense_cents: int = 0

    def counted(self) -> int:
        return self.fixed_cents + self.expense_cents if self.fixed_cents else 0

    def plus(self, fixed_cents: int, expense_cents: int) -> "PeriodTotal":
        return PeriodTotal(self.fixed_cents + fixed_cents, self.expense_cents + expense_cents)


def _month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


def _totals_query(volunteer_id: int, day: date):
    """One aggregate row: the month's and the year's amounts and costs of `day` (an
    index range scan on `ix_allowance_volunteer_date`: one volunteer's year)."""
    month_start, month_end = _month_bounds(day)
    in_year = and_(Allowance.volunteer_id == volunteer_id,
                   Allowance.work_date >= date(day.year, 1, 1),
                   Allowance.work_date <= date(day.year, 12, 31))
    in_month = and_(Allowance.work_date >= month_start, Allowance.work_date <= month_end)
    return select(
        func.coalesce(func.sum(case((in_month, Allowance.amount_cents), else_=0)), 0)
        .label("month_amount"),
        func.coalesce(func.sum(case((in_month, Allowance.expense_cents), else_=0)), 0)
        .label("month_expense"),
        func.coalesce(func.sum(Allowance.amount_cents), 0).label("year_amount"),
        func.coalesce(func.sum(Allowance.expense_cents), 0).label("year_expense"),
    ).where(in_year)


def _totals(row) -> tuple[PeriodTotal, PeriodTotal]:
    return (PeriodTotal(int(row.month_amount), int(row.month_expense)),
            PeriodTotal(int(row.year_amount), int(row.year_expense)))


def cap_and_totals(volunteer_id: int, day: date
                   ) -> tuple[AllowanceCap | None, PeriodTotal, PeriodTotal]:
    """The caps of `day`'s year (None: not entered) and the volunteer's month and year
    totals, in one statement: the totals' single aggregate row, the caps row joined to
    it (a left join, so a year without caps still gives the totals)."""
    totals = _totals_query(volunteer_id, day).subquery()
    row = db.session.execute(
        select(AllowanceCap, totals).select_from(totals)
        .outerjoin(AllowanceCap, AllowanceCap.year == day.year)).one()
    return (row[0], *_totals(row))


def _volunteer_id(volunteer: Volunteer) -> int:
    """The id without a refresh: an expired volunteer (a new request, after a commit)
    keeps its identity, and reading `volunteer.id` would reload the whole row."""
    identity = sa_inspect(volunteer).identity
    return identity[0] if identity else volunteer.id


@dataclass(frozen=True)
class CapCheck:
    work_date: date
    cap: AllowanceCap
    month: PeriodTotal
    year: PeriodTotal
    hourly_cap_cents: int | None
    hourly_limit_cents: int | None  # for the hours given
    highest_fitting_cents: int  # the highest allowance (amount) that fits, 0 if none

    @property
    def month_room_cents(self) -> int:
        """What an allowance could still add this month (proven costs count as soon as
        an allowance is paid)."""
        return max(0, self.cap.month_cents - self.month.fixed_cents - self.month.expense_cents)

    @property
    def year_room_cents(self) -> int:
        return max(0, self.cap.year_cents - self.year.fixed_cents - self.year.expense_cents)

    def room_text(self) -> str:
        return str(_l("%(month_room)s room left in %(month)s, %(year_room)s in %(year)s",
                      month_room=_money(self.month_room_cents),
                      month=format_date(self.work_date, "LLLL yyyy"),
                      year_room=_money(self.year_room_cents), year=self.work_date.year))


def check_allowance(volunteer: Volunteer, work_date: date, amount_cents: int,
                    expense_cents: int = 0, quarter_hours: int | None = None,
                    date_of_birth: date | None = None) -> CapCheck:
    """The caps for an allowance (or verstrekking) of `amount_cents` plus proven costs
    `expense_cents` for work on `work_date`, counting everything approved before.

    Does not refuse; `approve_allowance` does. Raises VolunteerError when the year has no
    caps, or when hours are given and the date of birth is unknown.
    """
    cap, month, year = cap_and_totals(_volunteer_id(volunteer), work_date)
    if cap is None:
        cap_for_year(work_date.year)  # raises, saying what to enter
    hourly = limit = None
    if quarter_hours:
        if date_of_birth is None:
            raise VolunteerError(
                _l("The hourly cap depends on the volunteer's age: enter the date of birth."),
                "date_of_birth")
        hourly = hourly_cap_cents(cap, date_of_birth, work_date)
        limit = quarter_hours * hourly // 4
    highest = _highest_fitting(cap, month, year, expense_cents, limit)
    return CapCheck(work_date, cap, month, year, hourly, limit, highest)


def _highest_fitting(cap: AllowanceCap, month: PeriodTotal, year: PeriodTotal,
                     expense_cents: int, hourly_limit: int | None) -> int:
    """The highest allowance that, with `expense_cents` paid with it, keeps the month
    and the year within the caps (and within the hours' hourly limit)."""
    candidates = [
        cap.month_cents - month.fixed_cents - month.expense_cents - expense_cents,
        cap.year_cents - year.fixed_cents - year.expense_cents - expense_cents,
    ]
    if hourly_limit is not None:
        candidates.append(hourly_limit)
    return max(0, min(candidates))


def _fits(check: CapCheck, amount_cents: int, expense_cents: int) -> str | None:
    """None when it fits; else which cap it passes ("hourly", "month", "year")."""
    if check.hourly_limit_cents is not None and amount_cents > check.hourly_limit_cents:
        return "hourly"
    if check.month.plus(amount_cents, expense_cents).counted() > check.cap.month_cents:
        return "month"
    if check.year.plus(amount_cents, expense_cents).counted() > check.cap.year_cents:
        return "year"
    return None


def arrangement_on(volunteer: Volunteer, day: date) -> AllowanceArrangement | None:
    return db.session.scalar(
        select(AllowanceArrangement).where(AllowanceArrangement.volunteer_id == volunteer.id,
                                           AllowanceArrangement.valid_from <= day)
        .order_by(AllowanceArrangement.valid_from.desc(), AllowanceArrangement.id.desc())
        .limit(1))


def set_arrangement(volunteer: Volunteer, kind: str, valid_from: date | None,
                    rate_cents: int | None, waived_on: date | None = None,
                    actor=None) -> AllowanceArrangement:
    """Record what was agreed. Raises VolunteerError for an unknown kind, no start date,
    no rate (unless waived), or a waiver without its date."""
    try:
        kind = ArrangementKind(kind)
    except ValueError as error:
        raise VolunteerError(_l("Choose how the allowance is arranged."), "kind") from error
    if valid_from is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "valid_from")
    if kind == ArrangementKind.WAIVED:
        if waived_on is None:
            raise VolunteerError(_l("Enter the date the volunteer waived the allowance."),
                                 "waived_on")
        rate_cents = None
    else:
        waived_on = None
        if not rate_cents or rate_cents <= 0:
            raise VolunteerError(_l("Enter an amount above zero."), "rate")
    arrangement = AllowanceArrangement(volunteer_id=volunteer.id, kind=kind.value,
                                       rate_cents=rate_cents, valid_from=valid_from,
                                       waived_on=waived_on)
    db.session.add(arrangement)
    db.session.flush()
    audit.record("volunteers:arrangement:set",
                 {"kind": kind.value, "rate_cents": rate_cents,
                  "valid_from": valid_from.isoformat(),
                  "waived_on": waived_on.isoformat() if waived_on else None},
                 obj=arrangement, actor=actor)
    return arrangement


def _lock_volunteer_year(volunteer_id: int, year: int) -> None:
    """Take the lock of the volunteer's year (made on first use; an insert that
    ignores a conflict, so two first uses at once cannot both make it)."""
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    db.session.execute(insert(VolunteerCapYear).values(volunteer_id=volunteer_id, year=year)
                       .on_conflict_do_nothing(index_elements=["volunteer_id", "year"]))
    row_id = db.session.scalar(select(VolunteerCapYear.id).where(
        VolunteerCapYear.volunteer_id == volunteer_id, VolunteerCapYear.year == year))
    lock_row(VolunteerCapYear, row_id)


def approve_allowance(volunteer: Volunteer, *, initiative_id: int | None, kind: str,
                      work_date: date | None, amount_cents: int | None,
                      expense_cents: int | None = 0, quarter_hours: int | None = None,
                      description: str | None = None, date_of_birth: date | None = None,
                      supplier: str | None = None, today: date, actor=None) -> Allowance:
    """Check an allowance, cost reimbursement or verstrekking against the caps and
    approve it.

    Holds the lock of the volunteer's year while it counts, so two approvals at once
    are counted one after the other. `date_of_birth`, when given, is stored on the
    person (it is asked only when the hourly cap needs it).

    Raises VolunteerError for: an unknown kind, an initiative the volunteer is not in,
    no date or a date in the future, negative or missing amounts, costs with a
    verstrekking, a gift voucher without the business it was bought from, a year without
    caps, hours without a date of birth, an allowance when the volunteer waived it;
    OverCapError (with the room left and the highest amount
    that fits) when a cap would be passed.
    """
    try:
        kind = AllowanceKind(kind)
    except ValueError as error:
        raise VolunteerError(_l("Choose what is given."), "kind") from error
    if initiative_id is None or initiative_id not in initiative_ids_of(volunteer):
        raise VolunteerError(
            _l("Choose one of the volunteer's own initiatives."), "initiative")
    if work_date is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "work_date")
    if work_date > today:
        raise VolunteerError(_l("The date of the work cannot be in the future."), "work_date")
    amount_cents = amount_cents or 0
    expense_cents = expense_cents or 0
    if amount_cents < 0:
        raise VolunteerError(_l("The amount cannot be negative."), "amount")
    if expense_cents < 0:
        raise VolunteerError(_l("The amount cannot be negative."), "expenses")
    if kind == AllowanceKind.EXPENSES:
        if amount_cents:
            raise VolunteerError(
                _l("A reimbursement of costs has no allowance: enter the costs only."),
                "amount")
        if not expense_cents:
            raise VolunteerError(_l("Enter the proven costs."), "expenses")
    elif not amount_cents:
        raise VolunteerError(_l("Enter an amount above zero."), "amount")
    if kind in GIFT_KINDS and expense_cents:
        raise VolunteerError(
            _l("Costs are reimbursed on their own or with an allowance, not with a gift."),
            "expenses")
    supplier = (supplier or "").strip()[:200] or None
    if kind == AllowanceKind.GIFT_VOUCHER and supplier is None:
        raise VolunteerError(_l("Name the local business the voucher was bought from."),
                             "supplier")
    if kind not in GIFT_KINDS:
        supplier = None
    if kind != AllowanceKind.ALLOWANCE:
        quarter_hours = None
    if kind == AllowanceKind.ALLOWANCE:
        arrangement = arrangement_on(volunteer, work_date)
        if arrangement is not None and arrangement.kind == ArrangementKind.WAIVED:
            raise VolunteerError(
                _l("This volunteer waived the allowance on %(day)s.",
                   day=format_date(arrangement.waived_on, "long")), "kind")
    if kind == AllowanceKind.WAIVED:
        _check_waiver(volunteer, work_date, expense_cents)
    person = db.session.get(Person, volunteer.person_id)
    if date_of_birth is not None:
        if date_of_birth >= today:
            raise VolunteerError(_l("The date of birth must lie in the past."), "date_of_birth")
        if person.date_of_birth != date_of_birth:
            person.date_of_birth = date_of_birth
            audit.record("volunteers:person:date_of_birth", {}, obj=person, actor=actor,
                         person_id=person.id)

    cap_for_year(work_date.year)  # a clear message before taking any lock
    _lock_volunteer_year(volunteer.id, work_date.year)
    check = check_allowance(volunteer, work_date, amount_cents, expense_cents, quarter_hours,
                            person.date_of_birth)
    passed = _fits(check, amount_cents, expense_cents)
    if passed is not None:
        raise OverCapError(_over_cap_message(check, passed), check)
    allowance = Allowance(
        volunteer_id=volunteer.id, initiative_id=initiative_id, kind=kind.value,
        work_date=work_date, quarter_hours=quarter_hours, amount_cents=amount_cents,
        expense_cents=expense_cents, description=(description or "").strip()[:300] or None,
        supplier=supplier, approved_by_id=audit.acting_user_id(actor),
    )
    db.session.add(allowance)
    db.session.flush()
    if kind in GIFT_KINDS:
        allowance.journal_entry_id = _post_gift(allowance, today, actor).id
    elif kind == AllowanceKind.WAIVED:
        allowance.journal_entry_id = _post_waiver(allowance, today, actor).id
    else:
        allowance.journal_entry_id = _post(allowance, today, actor).id
    audit.record("volunteers:allowance:approve",
                 {"kind": kind.value, "amount_cents": amount_cents,
                  "expense_cents": expense_cents, "date": work_date.isoformat()},
                 obj=allowance, actor=actor)
    return allowance


def _check_waiver(volunteer: Volunteer, work_date: date, expense_cents: int) -> None:
    """A waived allowance is recorded only for a volunteer whose arrangement on the day
    of the work is a waiver, only as an allowance (costs are reimbursed, not waived), and
    only when the organisation is an ANBI (only then is it a gift on the donor statement).
    Raises VolunteerError at the kind field (the costs field for costs)."""
    if expense_cents:
        raise VolunteerError(
            _l("Costs are reimbursed on their own or with an allowance, not waived."),
            "expenses")
    arrangement = arrangement_on(volunteer, work_date)
    if arrangement is None or arrangement.kind != ArrangementKind.WAIVED:
        raise VolunteerError(
            _l("This volunteer has no waiver on that day: record the waiver in the "
               "arrangement first."), "kind")
    organisation = get_organisation()
    if not (organisation.anbi_status and organisation.can_be_anbi):
        raise VolunteerError(
            _l("A waived allowance is a gift only to an ANBI: the organisation has no ANBI "
               "status in the settings."), "kind")


# Booking ---------------------------------------------------------------------------------


def allowance_account() -> LedgerAccount:
    """The expense account of allowances (the chart's account for the purpose
    "volunteer allowances", which the treasurer sets); raises LedgerError when the
    chart has no such active account."""
    return ledger.account_for(AccountPurpose.VOLUNTEER_ALLOWANCES)


def _post(allowance: Allowance, today: date, actor=None):
    """Book an approved allowance on the day of approval: the allowance and the costs
    as expense, the total payable to the volunteer (the person on the payable line).
    The entry names the allowance's number, never the volunteer: a posted entry cannot
    be changed and a name must stay erasable. Raises VolunteerError for a ledger refusal
    (no account, a closed year)."""
    ledger.ensure_chart()
    try:
        expense = allowance_account()
        payable = ledger.account_for(AccountPurpose.PAYABLES)
        person_id = db.session.scalar(select(Volunteer.person_id).where(
            Volunteer.id == allowance.volunteer_id))
        lines = []
        if allowance.amount_cents:
            lines.append(ledger.Line(expense, debit_cents=allowance.amount_cents,
                                     description="Vrijwilligersvergoeding"))
        if allowance.expense_cents:
            lines.append(ledger.Line(expense, debit_cents=allowance.expense_cents,
                                     description="Onkosten (met bonnen)"))
        lines.append(ledger.Line(
            payable, credit_cents=allowance.amount_cents + allowance.expense_cents,
            person_id=person_id))
        return ledger.post_entry(
            today, f"Vrijwilligersvergoeding #{allowance.id}", lines,
            reference=f"VRIJW-{allowance.id}", actor=actor, open_missing_year=True)
    except LedgerError as error:
        raise VolunteerError(error.message) from error


def _post_waiver(allowance: Allowance, today: date, actor=None):
    """Book a waived allowance on the day of approval: the allowance as expense (it
    counts as received) against gifts from private persons (the volunteer gives it
    back). No payable: nothing is paid out. The entry names the allowance's number,
    never the volunteer. Raises VolunteerError for a ledger refusal."""
    ledger.ensure_chart()
    try:
        expense = allowance_account()
        income = ledger.account_for(AccountPurpose.DONATIONS_PRIVATE)
        return ledger.post_entry(
            today, f"Kwijtgescholden vrijwilligersvergoeding #{allowance.id}",
            [ledger.Line(expense, debit_cents=allowance.amount_cents,
                         description="Vrijwilligersvergoeding"),
             ledger.Line(income, credit_cents=allowance.amount_cents,
                         description="Gift: kwijtgescholden vergoeding")],
            reference=f"KWIJT-{allowance.id}", actor=actor, open_missing_year=True)
    except LedgerError as error:
        raise VolunteerError(error.message) from error


def waived_gifts(year: int, email: str | None = None) -> list[dict]:
    """The waived allowances of `year` (by the date of the work) of volunteers with an
    email, as gifts: email, name, date, amount. Only `email`'s when given."""
    query = (select(Person, Allowance.work_date, Allowance.amount_cents)
             .join(Volunteer, Volunteer.id == Allowance.volunteer_id)
             .join(Person, Person.id == Volunteer.person_id)
             .where(Allowance.kind == AllowanceKind.WAIVED.value,
                    Allowance.work_date >= date(year, 1, 1),
                    Allowance.work_date <= date(year, 12, 31), Person.email.is_not(None))
             .order_by(Allowance.work_date, Allowance.id))
    if email is not None:
        query = query.where(Person.email == email.strip().lower())
    return [{"email": person.email, "name": person.display_name, "date": work_date,
             "amount_cents": amount_cents}
            for person, work_date, amount_cents in db.session.execute(query)]


GIFT_ENTRY_TEXT = {AllowanceKind.GIFT_VOUCHER: "Cadeaubon", AllowanceKind.OUTING: "Uitje",
                   AllowanceKind.OTHER_GIFT: "Verstrekking"}


def _post_expense(account: LedgerAccount, cents: int, today: date, text: str,
                  reference: str, payee: str, actor=None):
    """Book `cents` as expense on `account` against payables to `payee` (a business or
    an organiser, never a person's name: a posted entry cannot be changed)."""
    payable = ledger.account_for(AccountPurpose.PAYABLES)
    return ledger.post_entry(
        today, text, [ledger.Line(account, debit_cents=cents, description=text),
                      ledger.Line(payable, credit_cents=cents,
                                  description=payee[:200] or None)],
        reference=reference, actor=actor, open_missing_year=True)


def _post_gift(allowance: Allowance, today: date, actor=None):
    """Book a verstrekking to a volunteer on the day of approval: the value as expense
    on the allowance account (it is part of what the volunteer receives), payable to the
    business it is bought from (or "nog te betalen" without one). The volunteer is not
    named; the entry's reference names the allowance."""
    ledger.ensure_chart()
    try:
        text = f"{GIFT_ENTRY_TEXT[AllowanceKind(allowance.kind)]} vrijwilliger #{allowance.id}"
        return _post_expense(allowance_account(), allowance.amount_cents, today, text,
                             f"VERSTR-{allowance.id}", allowance.supplier or "", actor)
    except LedgerError as error:
        raise VolunteerError(error.message) from error


def appreciation_account() -> LedgerAccount:
    """The expense account of coaching and sponsoring (the chart's account for the
    purpose "coaching and sponsored neighbourhood events", 4300 in the default chart);
    raises VolunteerError when the chart has none."""
    try:
        return ledger.account_for(AccountPurpose.VOLUNTEER_APPRECIATION)
    except LedgerError as error:
        raise VolunteerError(error.message) from error


def _over_cap_message(check: CapCheck, passed: str) -> str:
    if passed == "hourly":
        return str(_l(
            "Over the hourly cap: at most %(rate)s an hour on %(day)s, so at most %(limit)s "
            "for these hours.", rate=_money(check.hourly_cap_cents),
            day=format_date(check.work_date, "long"),
            limit=_money(check.hourly_limit_cents)))
    return str(_l("Over the cap of the vrijwilligersregeling: %(room)s.",
                  room=check.room_text()))


@dataclass(frozen=True)
class Received:
    month_cents: int
    year_cents: int
    month_room_cents: int | None
    year_room_cents: int | None


def received(volunteer: Volunteer, day: date) -> Received:
    """What the volunteer received (as counted for the caps) in the month and year of
    `day`, and the room left (None when the year has no caps)."""
    cap, month, year = cap_and_totals(_volunteer_id(volunteer), day)
    if cap is None:
        return Received(month.counted(), year.counted(), None, None)
    return Received(
        month.counted(), year.counted(),
        max(0, cap.month_cents - month.fixed_cents - month.expense_cents),
        max(0, cap.year_cents - year.fixed_cents - year.expense_cents))


def allowances_of(volunteer: Volunteer, initiative_ids: Iterable[int] | None = None,
                  limit: int = 50) -> list[Allowance]:
    query = (select(Allowance).where(Allowance.volunteer_id == volunteer.id)
             .order_by(Allowance.work_date.desc(), Allowance.id.desc()).limit(limit))
    if initiative_ids is not None:
        query = query.where(Allowance.initiative_id.in_(list(initiative_ids)))
    return list(db.session.scalars(query))


def hours_of(volunteer: Volunteer, initiative_ids: Iterable[int] | None = None,
             limit: int = 50) -> list[HourEntry]:
    query = (select(HourEntry).where(HourEntry.volunteer_id == volunteer.id)
             .order_by(HourEntry.work_date.desc(), HourEntry.id.desc()).limit(limit))
    if initiative_ids is not None:
        query = query.where(HourEntry.initiative_id.in_(list(initiative_ids)))
    return list(db.session.scalars(query))


# Coaching -----------------------------------------------------------------------------------

COACHING_CLEAR_AFTER = 6  # booklet: after six conversations the direction should be clear


def add_coaching_conversation(person: Person, coach: str | None, held_on: date | None,
                              cost_cents: int | None, *, today: date,
                              actor=None) -> int:
    """Record a coaching conversation, its cost (if any) booked as expense payable to
    the coach; returns its number in the person's trajectory. Raises VolunteerError for
    no coach, no date or one in the future, a negative cost."""
    coach = (coach or "").strip()
    if not coach:
        raise VolunteerError(_l("Name the coach."), "coach")
    if held_on is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "held_on")
    if held_on > today:
        raise VolunteerError(_l("The conversation cannot be in the future."), "held_on")
    if cost_cents is not None and cost_cents < 0:
        raise VolunteerError(_l("The amount cannot be negative."), "cost")
    conversation = CoachingConversation(person_id=person.id, coach=coach[:200],
                                        held_on=held_on, cost_cents=cost_cents or 0)
    db.session.add(conversation)
    db.session.flush()
    if conversation.cost_cents:
        ledger.ensure_chart()
        try:
            conversation.journal_entry_id = _post_expense(
                appreciation_account(), conversation.cost_cents, today,
                f"Coachingsgesprek #{conversation.id}", f"COACH-{conversation.id}",
                conversation.coach, actor).id
        except LedgerError as error:
            raise VolunteerError(error.message) from error
    audit.record("volunteers:coaching:add", {"cost_cents": conversation.cost_cents},
                 obj=conversation, actor=actor, person_id=person.id)
    return coaching_count(person.id)


def coaching_count(person_id: int) -> int:
    return db.session.scalar(select(func.count(CoachingConversation.id)).where(
        CoachingConversation.person_id == person_id))


# Sponsoring of neighbourhood events --------------------------------------------------------


def sponsor_event(initiative_id: int | None, event_name: str | None, organiser: str | None,
                  held_on: date | None, cost_cents: int | None, *, today: date,
                  allowed_initiatives: set[int] | None = None,
                  actor=None) -> EventSponsorship:
    """Record that the coop sponsors a neighbourhood event and book it (expense on the
    appreciation account, payable to the organiser). `allowed_initiatives` is the
    user's scope (None: all).

    Raises VolunteerError for: no initiative or one outside the scope, no event name,
    no organiser, no date, a zero or negative amount, a ledger refusal.
    """
    if initiative_id is None or db.session.get(Initiative, initiative_id) is None or (
            allowed_initiatives is not None and initiative_id not in allowed_initiatives):
        raise VolunteerError(_l("Choose one of your initiatives."), "initiative")
    event_name = (event_name or "").strip()[:200]
    if not event_name:
        raise VolunteerError(_l("Name the event."), "event_name")
    organiser = (organiser or "").strip()[:200]
    if not organiser:
        raise VolunteerError(_l("Name who organises the event (the money goes to them)."),
                             "organiser")
    if held_on is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "held_on")
    if not cost_cents or cost_cents <= 0:
        raise VolunteerError(_l("Enter an amount above zero."), "cost")
    ledger.ensure_chart()
    try:
        account = appreciation_account()
        sponsorship = EventSponsorship(initiative_id=initiative_id, event_name=event_name,
                                       organiser=organiser, held_on=held_on,
                                       cost_cents=cost_cents,
                                       created_by_id=audit.acting_user_id(actor))
        entry = _post_expense(account, cost_cents, today, f"Sponsoring buurtactiviteit: "
                              f"{event_name}"[:200], f"SPONSOR-{held_on.isoformat()}",
                              organiser, actor)
    except LedgerError as error:
        raise VolunteerError(error.message) from error
    sponsorship.journal_entry_id = entry.id
    db.session.add(sponsorship)
    db.session.flush()
    audit.record("volunteers:sponsorship:add",
                 {"cost_cents": cost_cents, "held_on": held_on.isoformat(),
                  "event": event_name}, obj=sponsorship, actor=actor)
    return sponsorship


def sponsorships(initiative_ids: Iterable[int] | None, limit: int = 50
                 ) -> list[tuple[EventSponsorship, str]]:
    """The latest sponsorships (with the initiative's name) within the scope."""
    query = (select(EventSponsorship, Initiative.name)
             .join(Initiative, Initiative.id == EventSponsorship.initiative_id)
             .order_by(EventSponsorship.held_on.desc(), EventSponsorship.id.desc())
             .limit(limit))
    if initiative_ids is not None:
        query = query.where(EventSponsorship.initiative_id.in_(list(initiative_ids)))
    return [(row[0], row[1]) for row in db.session.execute(query)]
