"""KPI rules: the predefined definitions, the derived figures (SQL aggregates, one
statement per derived KPI whatever the amount of data), entered figures, targets and
their progress, report figures and published versions.

A figure over a period is for a flow KPI (hours, donations, volunteers active …) the
aggregate over the period, and for a stock KPI (members, buurtbanen, FTE) the level on
the period's last day. Each statement also returns the figure per calendar month (the
chart over time) by conditional aggregation, so a period costs one scan per KPI.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, func, literal, or_, select

from coop import audit, timeutil
from coop.activities.models import (
    Activity,
    CountKind,
    InitiativeCount,
    MeetingPlace,
    NeighbourhoodEvent,
    PlaceMonthFigure,
)
from coop.donations.models import Donation
from coop.errors import ServiceError
from coop.extensions import db
from coop.funders.models import FunderAgreement
from coop.kpis.models import (
    DerivedKey,
    KpiDefinition,
    KpiEnteredValue,
    KpiSource,
    KpiTarget,
    KpiUnit,
)
from coop.locking import lock_row
from coop.members.models import Membership, MembershipStatus
from coop.payments.models import OnlinePayment, PaymentStatus
from coop.timeutil import utcnow
from coop.volunteers.models import (
    Allowance,
    AllowanceKind,
    EmployerKind,
    HourEntry,
    HourStatus,
    Job,
)

CENT = Decimal("0.01")
MAX_VALUE = Decimal("99999999999999")  # fits Numeric(16, 2)


class KpiError(ServiceError):
    pass


# Predefined definitions ---------------------------------------------------------------

# (code, name, description, unit, derived key or None for entered, additive). Names are
# data (Dutch, as the board reports them); the booklet's six first, then seed 004's.
PREDEFINED = [
    ("meeting_places", "Ontmoetingsplekken",
     "Fysieke en digitale ontmoetingsplekken die betrokken, ondersteund of aangesloten "
     "zijn, op de laatste dag (boekje KPI 1).", KpiUnit.COUNT, DerivedKey.MEETING_PLACES,
     True),
    ("jobs_coop", "Buurtbanen in de coöperatie",
     "Lopende buurtbanen waarvoor de coöperatie werkgever is (boekje KPI 2).",
     KpiUnit.COUNT, DerivedKey.JOBS_COOP, True),
    ("jobs_partners", "Buurtbanen via wijkpartners",
     "Lopende buurtbanen bij een partnerorganisatie (boekje KPI 2).",
     KpiUnit.COUNT, DerivedKey.JOBS_PARTNERS, True),
    ("experts_peer_groups", "Ervaringsdeskundigen en lotgenotengroepen",
     "Ingezette ervaringsdeskundigen en gehouden lotgenotengroepen (boekje KPI 3).",
     KpiUnit.COUNT, DerivedKey.EXPERTS_PEER_GROUPS, True),
    ("family_network_meetings", "Familienetwerkberaden",
     "Gehouden familienetwerkberaden (boekje KPI 4).", KpiUnit.COUNT,
     DerivedKey.FAMILY_NETWORK_MEETINGS, True),
    ("allowances_used", "Vrijwilligersvergoedingen ingezet",
     "Vrijwilligers die een vrijwilligersvergoeding ontvingen voor laagdrempelige "
     "buurtactiviteiten (boekje KPI 5).", KpiUnit.COUNT, DerivedKey.ALLOWANCES_USED, True),
    ("events", "Lokale evenementen: aanwezig of gesponsord",
     "Evenementen in de wijk waar de coöperatie aanwezig was of aan bijdroeg "
     "(boekje KPI 6).", KpiUnit.COUNT, DerivedKey.EVENTS, True),
    ("events_sponsored_amount", "Bijdragen aan lokale evenementen",
     "Financiële bijdragen aan lokale evenementen en initiatieven (boekje KPI 6).",
     KpiUnit.MONEY, DerivedKey.EVENTS_SPONSORED_AMOUNT, True),
    ("activities", "Activiteiten", "Gehouden activiteiten (geplande tellen niet).",
     KpiUnit.COUNT, DerivedKey.ACTIVITIES, True),
    ("activities_by_residents", "Activiteiten georganiseerd door bewoners",
     "Gehouden activiteiten die bewoners zelf organiseerden (factsheet).",
     KpiUnit.COUNT, DerivedKey.ACTIVITIES_BY_RESIDENTS, True),
    ("participants", "Deelnemers", "Deelnemers aan gehouden activiteiten (factsheet).",
     KpiUnit.COUNT, DerivedKey.PARTICIPANTS, True),
    ("new_participants", "Nieuwe deelnemers", "Deelnemers die voor het eerst kwamen.",
     KpiUnit.COUNT, DerivedKey.NEW_PARTICIPANTS, True),
    ("volunteers_active", "Betrokken vrijwilligers",
     "Vrijwilligers met goedgekeurde uren in de periode (factsheet).",
     KpiUnit.COUNT, DerivedKey.VOLUNTEERS_ACTIVE, True),
    ("volunteer_hours", "Vrijwilligersuren", "Goedgekeurde vrijwilligersuren.",
     KpiUnit.HOURS, DerivedKey.VOLUNTEER_HOURS, True),
    ("fte", "Fte buurtbanen", "Fte van de lopende buurtbanen op de laatste dag.",
     KpiUnit.FTE, DerivedKey.FTE, True),
    ("members", "Leden", "Leden op de laatste dag van de periode.",
     KpiUnit.COUNT, DerivedKey.MEMBERS, True),
    ("donations", "Donaties van bewoners", "Ontvangen giften (factsheet).",
     KpiUnit.MONEY, DerivedKey.DONATIONS, True),
    ("donors", "Donateurs", "Verschillende gevers in de periode.",
     KpiUnit.COUNT, DerivedKey.DONORS, True),
    ("visitors_per_day", "Vaste bezoekers per dag",
     "Vaste bezoekers per dag, alle plekken samen; over een periode het gemiddelde van "
     "de maanden (factsheet).", KpiUnit.COUNT, DerivedKey.VISITORS_PER_DAY, False),
    ("opening_days", "Openingsdagen per week",
     "Openingsdagen per week van de fysieke ontmoetingsplekken samen, op de laatste dag "
     "(factsheet).", KpiUnit.COUNT, DerivedKey.OPENING_DAYS, True),
    ("bar_turnover", "Baromzet", "Baromzet van de ontmoetingsplekken (factsheet).",
     KpiUnit.MONEY, DerivedKey.BAR_TURNOVER, True),
]


def ensure_predefined() -> None:
    """Add the predefined definitions that are missing (first use; never changes or
    brings back a definition the board edited or switched off)."""
    known = set(db.session.scalars(select(KpiDefinition.code)))
    missing = [row for row in PREDEFINED if row[0] not in known]
    for position, (code, name, description, unit, key, additive) in enumerate(PREDEFINED):
        if code in {row[0] for row in missing}:
            db.session.add(KpiDefinition(
                code=code, name=name, description=description, unit=unit,
                source=KpiSource.DERIVED if key else KpiSource.ENTERED,
                derived_key=key, additive=additive, predefined=True, position=position))
    if missing:
        db.session.flush()


def definitions(active_only: bool = True) -> list[KpiDefinition]:
    query = select(KpiDefinition).order_by(KpiDefinition.position, KpiDefinition.name)
    if active_only:
        query = query.where(KpiDefinition.is_active)
    return list(db.session.scalars(query))


def _text(values: dict, name: str, limit: int, required: bool = True) -> str | None:
    value = (values.get(name) or "").strip()
    if required and not value:
        raise KpiError(_l("This field is required."), name)
    if len(value) > limit:
        raise KpiError(_l("At most %(n)s characters.", n=limit), name)
    return value or None


def create_definition(values: dict, actor=None) -> KpiDefinition:
    """A KPI the board adds: always entered per month (a derived figure is the app's)."""
    name = _text(values, "name", 200)
    code = _text(values, "code", 60)
    if not code.replace("_", "").isalnum() or not code.isascii() or code != code.lower():
        raise KpiError(_l("Use lower-case letters, digits and underscores only."), "code")
    if db.session.scalar(select(KpiDefinition.id).where(KpiDefinition.code == code)):
        raise KpiError(_l("A KPI with this code exists already."), "code")
    unit = values.get("unit")
    if unit not in set(KpiUnit):
        raise KpiError(_l("Choose a unit."), "unit")
    kpi = KpiDefinition(code=code, name=name, description=_text(values, "description", 2000,
                                                                  required=False),
                        unit=unit, source=KpiSource.ENTERED, derived_key=None,
                        additive=bool(values.get("additive")), predefined=False)
    db.session.add(kpi)
    db.session.flush()
    audit.record("kpis:definition:create", {"code": code}, obj=kpi, actor=actor)
    return kpi


# Periods ------------------------------------------------------------------------------


def months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months of [start, end], clipped to it."""
    result = []
    day = start
    while day <= end:
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        result.append((day, min(end, next_month - timedelta(days=1))))
        day = next_month
    return result


def _as_decimal(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_EVEN)


# Derived figures ----------------------------------------------------------------------


def _between(column, start: date, end: date):
    return and_(column >= start, column <= end)


def _datetime_between(column, start: date, end: date):
    """A moment on the Amsterdam calendar days [start, end]."""
    return and_(column >= datetime.combine(start, time.min, timeutil.AMSTERDAM),
                column < datetime.combine(end + timedelta(days=1), time.min,
                                          timeutil.AMSTERDAM))


def _running(start_column, end_column, day: date):
    return and_(start_column <= day, or_(end_column.is_(None), end_column >= day))


def _flow(aggregate, buckets, in_bucket, base, *conditions):
    """One statement: the aggregate over each bucket (the period, then its months)."""
    columns = [aggregate(in_bucket(a, b)) for a, b in buckets]
    return db.session.execute(select(*columns).select_from(base).where(*conditions)).one()


def _derived(key: str, buckets: list[tuple[date, date]]) -> list[Decimal]:
    first, last = buckets[0][0], buckets[0][1]
    if key == DerivedKey.ALLOWANCES_USED:
        row = _flow(lambda cond: func.count(distinct(case((cond, Allowance.volunteer_id)))),
                    buckets, lambda a, b: _between(Allowance.work_date, a, b), Allowance,
                    Allowance.kind == AllowanceKind.ALLOWANCE.value,
                    Allowance.amount_cents > 0, _between(Allowance.work_date, first, last))
        return [_as_decimal(v) for v in row]
    if key in (DerivedKey.DONATIONS, DerivedKey.DONORS):
        base = Donation.__table__.outerjoin(
            OnlinePayment.__table__, OnlinePayment.donation_id == Donation.id)
        received = or_(OnlinePayment.id.is_(None),
                       OnlinePayment.status == PaymentStatus.PAID.value)
        window = _datetime_between(Donation.created_at, first, last)
        if key == DerivedKey.DONATIONS:
            row = _flow(lambda cond: func.sum(case((cond, Donation.amount_cents), else_=0)),
                        buckets, lambda a, b: _datetime_between(Donation.created_at, a, b),
                        base, received, window)
            return [_as_decimal(v) for v in row]
        # A donor is an email address; a gift without one is a donor of its own.
        donor = func.coalesce(func.lower(Donation.donor_email),
                              literal("#") + func.cast(Donation.id, db.String))
        row = _flow(lambda cond: func.count(distinct(case((cond, donor)))), buckets,
                    lambda a, b: _datetime_between(Donation.created_at, a, b), base,
                    received, window)
        return [_as_decimal(v) for v in row]
    if key in (DerivedKey.EVENTS, DerivedKey.EVENTS_SPONSORED_AMOUNT):
        value = (literal(1) if key == DerivedKey.EVENTS
                 else NeighbourhoodEvent.sponsored_cents)
        row = _flow(lambda cond: func.sum(case((cond, value), else_=0)), buckets,
                    lambda a, b: _between(NeighbourhoodEvent.event_date, a, b),
                    NeighbourhoodEvent, _between(NeighbourhoodEvent.event_date, first, last))
        return [_as_decimal(v) for v in row]
    if key in (DerivedKey.EXPERTS_PEER_GROUPS, DerivedKey.FAMILY_NETWORK_MEETINGS):
        kinds = ([CountKind.PEER_GROUPS.value, CountKind.EXPERTS_BY_EXPERIENCE.value]
                 if key == DerivedKey.EXPERTS_PEER_GROUPS
                 else [CountKind.FAMILY_NETWORK_MEETINGS.value])
        # A count belongs to the month its period starts in.
        row = _flow(lambda cond: func.sum(case((cond, InitiativeCount.count), else_=0)),
                    buckets, lambda a, b: _between(InitiativeCount.period_start, a, b),
                    InitiativeCount, InitiativeCount.kind.in_(kinds),
                    _between(InitiativeCount.period_start, first, last))
        return [_as_decimal(v) for v in row]
    if key in (DerivedKey.VISITORS_PER_DAY, DerivedKey.BAR_TURNOVER):
        return _place_months(key, buckets)
    if key in (DerivedKey.MEETING_PLACES, DerivedKey.OPENING_DAYS):
        value = (literal(1) if key == DerivedKey.MEETING_PLACES
                 else func.coalesce(MeetingPlace.opening_days_per_week, 0))
        # A place has no dates of its own: the places active now, in every month.
        total = db.session.scalar(select(func.sum(value)).where(MeetingPlace.active))
        return [_as_decimal(total)] * len(buckets)
    # Stock figures: the level on each bucket's last day.
    if key == DerivedKey.MEMBERS:
        columns = [func.count(distinct(case((_running(
            Membership.start_date, Membership.end_date, b), Membership.person_id))))
            for _a, b in buckets]
        row = db.session.execute(select(*columns).where(
            Membership.status != MembershipStatus.ASPIRANT.value,
            Membership.start_date <= last,
            or_(Membership.end_date.is_(None), Membership.end_date >= first))).one()
        return [_as_decimal(v) for v in row]
    if key in (DerivedKey.JOBS_COOP, DerivedKey.JOBS_PARTNERS, DerivedKey.FTE):
        if key == DerivedKey.FTE:
            columns = [func.sum(case((_running(Job.start_date, Job.end_date, b),
                                      Job.quarter_hours_per_week), else_=0))
                       for _a, b in buckets]
            conditions = []
        else:
            kind = EmployerKind.COOP if key == DerivedKey.JOBS_COOP else EmployerKind.PARTNER
            columns = [func.count(case((_running(Job.start_date, Job.end_date, b), Job.id)))
                       for _a, b in buckets]
            conditions = [Job.employer_kind == kind.value]
        row = db.session.execute(select(*columns).where(
            Job.start_date <= last, or_(Job.end_date.is_(None), Job.end_date >= first),
            *conditions)).one()
        if key == DerivedKey.FTE:
            full_time = Decimal(str(current_app.config["FULL_TIME_HOURS_PER_WEEK"]))
            return [_as_decimal(Decimal(v or 0) / 4 / full_time) for v in row]
        return [_as_decimal(v) for v in row]
    raise KeyError(key)


_ACTIVITY_SUMS = {
    DerivedKey.ACTIVITIES: literal(1),
    DerivedKey.PARTICIPANTS: Activity.participants,
    DerivedKey.NEW_PARTICIPANTS: Activity.new_participants,
    DerivedKey.ACTIVITIES_BY_RESIDENTS: case((Activity.organised_by_residents, 1), else_=0),
}


def _hour_figures(buckets) -> dict[str, list[Decimal]]:
    """Volunteer hours and volunteers active in one scan of the approved hours: the
    quarter hours per volunteer and bucket (GROUP BY volunteer, a few thousand rows),
    then added up and counted here. COUNT(DISTINCT …) per month would sort the hours
    once per month."""
    first, last = buckets[0]
    columns = [func.sum(case((_between(HourEntry.work_date, a, b), HourEntry.quarter_hours),
                             else_=0)) for a, b in buckets]
    rows = db.session.execute(
        select(*columns).where(HourEntry.status == HourStatus.APPROVED.value,
                               _between(HourEntry.work_date, first, last))
        .group_by(HourEntry.volunteer_id)).all()
    hours = [_as_decimal(Decimal(sum(row[i] or 0 for row in rows)) / 4)
             for i in range(len(buckets))]
    active = [_as_decimal(sum(1 for row in rows if row[i])) for i in range(len(buckets))]
    return {DerivedKey.VOLUNTEER_HOURS: hours, DerivedKey.VOLUNTEERS_ACTIVE: active}


def _activity_figures(buckets) -> dict[str, list[Decimal]]:
    """The four activity KPIs in one scan of the activities held."""
    first, last = buckets[0]
    columns = [func.sum(case((_between(Activity.activity_date, a, b), value), else_=0))
               for value in _ACTIVITY_SUMS.values() for a, b in buckets]
    row = db.session.execute(select(*columns).where(
        Activity.planned.is_(False), _between(Activity.activity_date, first, last))).one()
    width = len(buckets)
    return {key: [_as_decimal(v) for v in row[i * width:(i + 1) * width]]
            for i, key in enumerate(_ACTIVITY_SUMS)}


def _place_months(key: str, buckets) -> list[Decimal]:
    """Visitors per day (all places of a month added up; a period: the mean of its
    months with figures) or bar turnover (added up): one GROUP BY month."""
    first, last = buckets[0]
    column = (PlaceMonthFigure.visitors_per_day if key == DerivedKey.VISITORS_PER_DAY
              else PlaceMonthFigure.bar_turnover_cents)
    per_month = dict(db.session.execute(
        select(PlaceMonthFigure.month, func.sum(column))
        .where(column.is_not(None),
               _between(PlaceMonthFigure.month, date(first.year, first.month, 1), last))
        .group_by(PlaceMonthFigure.month)).all())
    result = []
    for a, b in buckets:
        values = [Decimal(v) for m, v in per_month.items()
                  if date(a.year, a.month, 1) <= m <= b]
        if key == DerivedKey.BAR_TURNOVER:
            result.append(_as_decimal(sum(values)))
        else:
            result.append(_as_decimal(sum(values) / len(values)) if values else Decimal(0))
    return result


def _entered(kpis: list[KpiDefinition], buckets) -> dict[int, list[Decimal | None]]:
    """Entered figures: one statement for every entered KPI. Additive ones add up their
    months; the others take the mean of the months entered. None: nothing entered."""
    ids = [kpi.id for kpi in kpis]
    if not ids:
        return {}
    first, last = buckets[0]
    rows = db.session.execute(
        select(KpiEnteredValue.kpi_id, KpiEnteredValue.month, KpiEnteredValue.value)
        .where(KpiEnteredValue.kpi_id.in_(ids),
               _between(KpiEnteredValue.month, date(first.year, first.month, 1), last))).all()
    by_kpi: dict[int, dict[date, Decimal]] = {}
    for kpi_id, month, value in rows:
        by_kpi.setdefault(kpi_id, {})[month] = Decimal(value)
    result = {}
    for kpi in kpis:
        values = by_kpi.get(kpi.id, {})
        figures = []
        for a, b in buckets:
            chosen = [v for m, v in values.items() if date(a.year, a.month, 1) <= m <= b]
            if not chosen:
                figures.append(None)
            elif kpi.additive:
                figures.append(_as_decimal(sum(chosen)))
            else:
                figures.append(_as_decimal(sum(chosen) / len(chosen)))
        result[kpi.id] = figures
    return result


@dataclass
class Figure:
    code: str
    name: str
    description: str
    unit: str
    source: str
    additive: bool
    value: Decimal | None
    months: list[tuple[str, Decimal | None]] = field(default_factory=list)


def figures(start: date, end: date, kpis: list[KpiDefinition] | None = None) -> list[Figure]:
    """Every active KPI's figure over [start, end] and per month."""
    if end < start:
        raise KpiError(_l("The end of the period lies before its start."), "period_end")
    kpis = definitions() if kpis is None else kpis
    buckets = [(start, end), *months(start, end)]
    entered = _entered([k for k in kpis if k.source == KpiSource.ENTERED], buckets)
    keys = {k.derived_key for k in kpis}
    shared = (_hour_figures(buckets) if keys & {DerivedKey.VOLUNTEER_HOURS,
                                                DerivedKey.VOLUNTEERS_ACTIVE} else {})
    if keys & set(_ACTIVITY_SUMS):
        shared.update(_activity_figures(buckets))
    result = []
    for kpi in kpis:
        if kpi.source == KpiSource.ENTERED:
            values = entered[kpi.id]
        elif kpi.derived_key in shared:
            values = shared[kpi.derived_key]
        else:
            values = _derived(kpi.derived_key, buckets)
        result.append(Figure(
            kpi.code, kpi.name, kpi.description or "", kpi.unit, kpi.source, kpi.additive,
            values[0], [(a.strftime("%Y-%m"), v) for (a, _b), v in zip(buckets[1:],
                                                                      values[1:], strict=False)]))
    return result


# Entered figures ----------------------------------------------------------------------


def parse_value(raw, field_name: str = "value") -> Decimal:
    text = str(raw if raw is not None else "").strip().replace(" ", "")
    if not text:
        raise KpiError(_l("This field is required."), field_name)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise KpiError(_l("Enter a number like 12 or 12,5."), field_name) from None
    if not value.is_finite() or value < 0:
        raise KpiError(_l("Enter a number of 0 or more."), field_name)
    if value > MAX_VALUE or value != value.quantize(CENT):
        raise KpiError(_l("Enter a number with at most two decimals."), field_name)
    return value


def enter_value(kpi: KpiDefinition, month: date | None, raw_value, actor=None) -> None:
    """Enter (or replace) an entered KPI's figure for a month."""
    if kpi.source != KpiSource.ENTERED:
        raise KpiError(_l("This figure is computed from the app's data; it cannot be "
                          "typed in."), "value")
    if month is None:
        raise KpiError(_l("Choose the month."), "month")
    month = date(month.year, month.month, 1)
    if month > timeutil.local_today():
        raise KpiError(_l("A figure cannot be entered for a month that has not begun."),
                       "month")
    value = parse_value(raw_value)
    if kpi.unit == KpiUnit.MONEY:
        value = value * 100
    lock_row(KpiDefinition, kpi.id)
    row = db.session.scalar(select(KpiEnteredValue).where(
        KpiEnteredValue.kpi_id == kpi.id, KpiEnteredValue.month == month))
    old = None if row is None else str(row.value)
    if row is None:
        row = KpiEnteredValue(kpi_id=kpi.id, month=month, value=value)
        db.session.add(row)
    else:
        row.value = value
    row.entered_by_id = audit.acting_user_id(actor)
    row.entered_at = utcnow()
    db.session.flush()
    audit.record("kpis:value:enter", {"kpi": kpi.code, "month": month.isoformat(),
                                      "old": old, "new": str(value)}, obj=row, actor=actor)


# Targets and progress -----------------------------------------------------------------


def add_target(agreement: FunderAgreement | None, kpi: KpiDefinition | None,
               period_start: date | None, period_end: date | None, raw_target,
               actor=None) -> KpiTarget:
    if agreement is None:
        raise KpiError(_l("Choose the agreement."), "agreement")
    if kpi is None:
        raise KpiError(_l("Choose the KPI."), "kpi")
    if period_start is None or period_end is None:
        raise KpiError(_l("A target needs a period: enter its first and last day."),
                       "period_start" if period_start is None else "period_end")
    if period_end < period_start:
        raise KpiError(_l("The end of the period lies before its start."), "period_end")
    if period_start < agreement.start_date or period_end > agreement.end_date:
        raise KpiError(_l("The period lies outside the agreement's period (%(start)s to "
                          "%(end)s).", start=agreement.start_date.isoformat(),
                          end=agreement.end_date.isoformat()), "period_start")
    target = parse_value(raw_target, "target")
    if kpi.unit == KpiUnit.MONEY:
        target = target * 100
    lock_row(FunderAgreement, agreement.id)
    if db.session.scalar(select(KpiTarget.id).where(
            KpiTarget.kpi_id == kpi.id, KpiTarget.agreement_id == agreement.id,
            KpiTarget.period_start == period_start, KpiTarget.period_end == period_end)):
        raise KpiError(_l("This KPI has a target for this period already."), "kpi")
    row = KpiTarget(kpi_id=kpi.id, agreement_id=agreement.id, period_start=period_start,
                    period_end=period_end, target=target)
    db.session.add(row)
    db.session.flush()
    audit.record("kpis:target:create", {"kpi": kpi.code, "agreement": agreement.id,
                                        "start": period_start.isoformat(),
                                        "end": period_end.isoformat(),
                                        "target": str(target)}, obj=row, actor=actor)
    return row


@dataclass
class Progress:
    target_id: int
    code: str
    name: str
    unit: str
    period_start: date
    period_end: date
    target: Decimal
    actual: Decimal | None
    expected: Decimal  # the pro-rata share of the target due by the reference day
    reference_day: date

    @property
    def percent(self) -> int | None:
        if self.actual is None or not self.target:
            return None
        return int((self.actual * 100 / self.target).to_integral_value(ROUND_HALF_EVEN))

    @property
    def behind(self) -> bool:
        """Behind its pro-rata schedule: less than the target's share of the time gone."""
        return (self.actual is not None and self.actual < self.expected) or (
            self.actual is None and self.expected > 0)


def pro_rata(target: Decimal, start: date, end: date, day: date) -> Decimal:
    """The share of `target` due on `day` when it accrues evenly over [start, end]."""
    if day < start:
        return Decimal(0)
    if day >= end:
        return target
    elapsed = (day - start).days + 1
    total = (end - start).days + 1
    return _as_decimal(target * elapsed / total)


def progress(agreement: FunderAgreement, today: date | None = None) -> list[Progress]:
    """Each target of the agreement with the figure so far: one figures() call per
    distinct target period (targets usually share the agreement's period)."""
    today = today or timeutil.local_today()
    rows = db.session.execute(
        select(KpiTarget, KpiDefinition).join(KpiDefinition, KpiDefinition.id == KpiTarget.kpi_id)
        .where(KpiTarget.agreement_id == agreement.id)
        .order_by(KpiTarget.period_start, KpiDefinition.position, KpiDefinition.name)).all()
    periods: dict[tuple[date, date], list] = {}
    for target, kpi in rows:
        periods.setdefault((target.period_start, target.period_end), []).append((target, kpi))
    result = []
    for (start, end), items in periods.items():
        day = min(max(today, start), end)
        kpis = list({kpi.id: kpi for _t, kpi in items}.values())
        computed = {f.code: f.value for f in figures(start, day, kpis)} if today >= start \
            else {}
        for target, kpi in items:
            result.append(Progress(target.id, kpi.code, kpi.name, kpi.unit, start, end,
                                   Decimal(target.target), computed.get(kpi.code),
                                   pro_rata(Decimal(target.target), start, end, today), day))
    return result


def behind_schedule(today: date | None = None) -> list[tuple[str, Progress]]:
    """Targets behind schedule across the running agreements (the dashboard's warning)."""
    today = today or timeutil.local_today()
    agreements = db.session.scalars(select(FunderAgreement).where(
        FunderAgreement.start_date <= today, FunderAgreement.end_date >= today,
        FunderAgreement.id.in_(select(KpiTarget.agreement_id)))).all()
    return [(a.label, p) for a in agreements for p in progress(a, today)
            if p.behind and p.period_start <= today]
