"""Buurtbanen and other paid work: jobs, the statutory minimum wage (WML) check and the
wage cost per month and per funder agreement.

The WML is a dated table (`MinimumWage`, seeded by migration 0021 from domain.md); an
employment contract's hourly wage must be at least the WML for the worker's age on
every day of the contract. The WML only changes on a new step (1 January, 1 July) or a
birthday, so those days (and the first day) are the only ones to check.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import column, func, or_, select, table

from coop import audit
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose
from coop.ledger.services import LedgerError
from coop.members.models import Person
from coop.money import format_money
from coop.settings.services import get_organisation
from coop.templating import money_locale
from coop.volunteers.models import (
    ContractType,
    EmployerKind,
    Initiative,
    Job,
    JobPayment,
    MinimumWage,
)
from coop.volunteers.services import VolunteerError, age_on

YOUNGEST, ADULT = 15, 21
# Youth rates as a share of the adult rate, per mille (domain.md, "Buurtbanen").
YOUTH_PERMILLE = {20: 800, 19: 600, 18: 500, 17: 395, 16: 345, 15: 300}

# The funders' agreements, read without importing the funders domain (same layer).
_agreement = table("funder_agreement", column("id"), column("reference"), column("title"))


def agreement_choices() -> list[tuple[int, str]]:
    return [(row.id, f"{row.reference} {row.title}") for row in db.session.execute(
        select(_agreement.c.id, _agreement.c.reference, _agreement.c.title)
        .order_by(_agreement.c.reference))]


def _money(cents: int) -> str:
    return format_money(cents, money_locale())


# The minimum wage table -------------------------------------------------------------------


def _wage_table() -> list[tuple[date, dict[int, int]]]:
    steps: dict[date, dict[int, int]] = {}
    for row in db.session.scalars(select(MinimumWage)):
        steps.setdefault(row.valid_from, {})[row.age] = row.hourly_cents
    return sorted(steps.items())


def _rate(steps, day: date, age: int) -> int | None:
    age = min(max(age, YOUNGEST), ADULT)
    current = None
    for valid_from, rates in steps:
        if valid_from > day:
            break
        current = rates
    return None if current is None else current.get(age)


def minimum_wage_on(day: date, age: int) -> int | None:
    """The WML per hour for a worker of `age` on `day` (None before the first step)."""
    return _rate(_wage_table(), day, age)


def set_minimum_wage(valid_from: date | None, adult_cents: int | None, actor=None) -> None:
    """Enter a WML step: the adult rate, the youth rates from the statutory
    percentages (rounded to the cent); replaces the step of that date. Raises
    VolunteerError for no date or no amount."""
    if valid_from is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "valid_from")
    if not adult_cents or adult_cents <= 0:
        raise VolunteerError(_l("Enter an amount above zero."), "adult")
    db.session.execute(db.delete(MinimumWage).where(MinimumWage.valid_from == valid_from))
    for age in range(YOUNGEST, ADULT + 1):
        cents = (adult_cents * YOUTH_PERMILLE.get(age, 1000) + 500) // 1000
        db.session.add(MinimumWage(valid_from=valid_from, age=age, hourly_cents=cents))
    db.session.flush()
    audit.record("volunteers:minimum_wage:set",
                 {"valid_from": valid_from.isoformat(), "adult_cents": adult_cents}, actor=actor)


@dataclass(frozen=True)
class WageShortfall:
    day: date
    age: int
    needed_cents: int


def _birthday(date_of_birth: date, age: int) -> date:
    year = date_of_birth.year + age
    if date_of_birth.month == 2 and date_of_birth.day == 29 and monthrange(year, 2)[1] == 28:
        return date(year, 3, 1)  # born on 29 February: one year older on 1 March
    return date_of_birth.replace(year=year)


def wage_shortfall(date_of_birth: date, hourly_cents: int, start: date,
                   end: date | None, steps=None) -> WageShortfall | None:
    """The first day of the contract on which `hourly_cents` is below the WML for the
    worker's age, or None. An open end is checked through every known step and every
    birthday up to 21."""
    steps = _wage_table() if steps is None else steps
    days = {start}
    days |= {valid_from for valid_from, _rates in steps
             if valid_from > start and (end is None or valid_from <= end)}
    for age in range(YOUNGEST + 1, ADULT + 1):
        birthday = _birthday(date_of_birth, age)
        if birthday > start and (end is None or birthday <= end):
            days.add(birthday)
    for day in sorted(days):
        age = age_on(date_of_birth, day)
        needed = _rate(steps, day, age)
        if needed is not None and hourly_cents < needed:
            return WageShortfall(day, age, needed)
    return None


# Jobs -----------------------------------------------------------------------------------


def quarters_per_week(text: str | None) -> int:
    """`32` or `24,5` hours a week as quarter hours; raises VolunteerError (field
    `hours_per_week`) for anything else than whole quarters from 0,25 to 60."""

    message = _l("Enter the hours per week in quarter hours, at most 60 (like 32 or 24,5).")
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation as error:
        raise VolunteerError(message, "hours_per_week") from error
    if not value.is_finite() or not 0 < value <= 60 or value * 4 != int(value * 4):
        raise VolunteerError(message, "hours_per_week")
    return int(value * 4)


def _clean_job(values: dict) -> dict:
    title = (values.get("title") or "").strip()
    if not title:
        raise VolunteerError(_l("Enter a title."), "title")
    person = values.get("person")
    if person is None:
        raise VolunteerError(_l("Choose the worker."), "person")
    initiative = values.get("initiative")
    if initiative is None:
        raise VolunteerError(_l("Choose the initiative."), "initiative")
    try:
        employer_kind = EmployerKind(values.get("employer_kind"))
    except ValueError as error:
        raise VolunteerError(_l("Choose who employs."), "employer_kind") from error
    partner_name = (values.get("partner_name") or "").strip() or None
    if employer_kind == EmployerKind.PARTNER and not partner_name:
        raise VolunteerError(_l("Name the partner organisation."), "partner_name")
    if employer_kind == EmployerKind.COOP:
        partner_name = None
    try:
        contract_type = ContractType(values.get("contract_type"))
    except ValueError as error:
        raise VolunteerError(_l("Choose the kind of contract."), "contract_type") from error
    start, end = values.get("start_date"), values.get("end_date")
    if start is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "start_date")
    if end is not None and end < start:
        raise VolunteerError(_l("The end date lies before the start date."), "end_date")
    quarters = values.get("quarter_hours_per_week")
    if not quarters or not 1 <= quarters <= 240:
        raise VolunteerError(
            _l("Enter the hours per week in quarter hours, at most 60 (like 32 or 24,5)."),
            "hours_per_week")
    wage, fee = values.get("hourly_wage_cents"), values.get("fee_cents")
    if contract_type == ContractType.EMPLOYMENT:
        if not wage or wage <= 0:
            raise VolunteerError(_l("Enter the gross hourly wage."), "hourly_wage")
        fee = None
        dob = values.get("date_of_birth") or person.date_of_birth
        if dob is None:
            raise VolunteerError(
                _l("The minimum wage depends on the worker's age: enter the date of birth."),
                "date_of_birth")
        shortfall = wage_shortfall(dob, wage, start, end)
        if shortfall is not None:
            raise VolunteerError(
                _l("Below the statutory minimum wage on %(day)s: a worker of %(age)s earns "
                   "at least %(needed)s an hour.", day=format_date(shortfall.day, "long"),
                   age=shortfall.age, needed=_money(shortfall.needed_cents)), "hourly_wage")
    else:
        if not fee or fee <= 0:
            raise VolunteerError(_l("Enter the fee."), "fee")
        wage = None
    mbo = values.get("mbo_level")
    if mbo is not None and not 1 <= mbo <= 4:
        raise VolunteerError(_l("MBO levels are 1 to 4."), "mbo_level")
    agreement_id = values.get("agreement_id")
    if agreement_id is not None and db.session.scalar(
            select(_agreement.c.id).where(_agreement.c.id == agreement_id)) is None:
        raise VolunteerError(_l("Choose an agreement from the list."), "agreement")
    if agreement_id is None and get_organisation().jobs_need_funding:
        raise VolunteerError(
            _l("The coop's settings require funding for every job: choose the funder "
               "agreement that pays it."), "agreement")
    distance, consent_on = values.get("labour_distance"), values.get("labour_distance_consent_on")
    if distance is not None and consent_on is None:
        raise VolunteerError(
            _l("Record the distance to the labour market only with the worker's consent: "
               "enter the date of consent."), "labour_distance_consent_on")
    return {
        "title": title, "person_id": person.id, "initiative_id": initiative.id,
        "employer_kind": employer_kind.value, "partner_name": partner_name,
        "contract_type": contract_type.value, "start_date": start, "end_date": end,
        "quarter_hours_per_week": quarters, "hourly_wage_cents": wage, "fee_cents": fee,
        "mbo_level": mbo, "agreement_id": agreement_id, "labour_distance": distance,
        "labour_distance_consent_on": consent_on if distance is not None else None,
    }


def save_job(job: Job | None, values: dict, actor=None) -> Job:
    """Create (job None) or change a job. `values` holds `person` and `initiative`
    objects, amounts in cents, `quarter_hours_per_week`; `date_of_birth` is stored on
    the person when given. Raises VolunteerError (with the field) for every refusal,
    among them a wage below the WML on any day of the contract."""
    person = values.get("person")
    dob = values.get("date_of_birth")
    if person is not None and dob is not None and person.date_of_birth != dob:
        person.date_of_birth = dob
    clean = _clean_job(values)
    if job is None:
        job = Job(**clean)
        db.session.add(job)
        db.session.flush()
        audit.record("volunteers:job:create", {"title": job.title}, obj=job, actor=actor)
    else:
        diff = audit.changes(job, list(clean), clean)
        for name, value in clean.items():
            setattr(job, name, value)
        db.session.flush()
        if diff:
            audit.record("volunteers:job:update", diff, obj=job, actor=actor)
    return job


@dataclass(frozen=True)
class RunningBelowWage:
    job: Job
    person: Person
    shortfall: WageShortfall


def jobs_below_minimum_wage(today: date) -> list[RunningBelowWage]:
    """Running or future employment contracts whose wage falls below the WML from today
    on (a new step or a birthday), with the day and the wage needed. The wage table is
    read only when there is a running employment (one statement for the dashboard of a
    coop without buurtbanen)."""
    rows = db.session.execute(
        select(Job, Person).join(Person, Person.id == Job.person_id)
        .where(Job.contract_type == ContractType.EMPLOYMENT,
               or_(Job.end_date.is_(None), Job.end_date >= today))).all()
    if not rows:
        return []
    steps = _wage_table()
    flagged = []
    for job, person in rows:
        if person.date_of_birth is None:
            continue
        shortfall = wage_shortfall(person.date_of_birth, job.hourly_wage_cents,
                                   max(job.start_date, today), job.end_date, steps)
        if shortfall is not None:
            flagged.append(RunningBelowWage(job, person, shortfall))
    return flagged


# Wage cost ------------------------------------------------------------------------------


def _days_in(job: Job, first: date, last: date) -> int:
    start = max(job.start_date, first)
    end = min(job.end_date or last, last)
    return max(0, (end - start).days + 1)


def month_cost_cents(job: Job, year: int, month: int) -> int:
    """The job's cost in a calendar month: an employment's gross wage for the contract
    days (hours per week × wage × days / 7), an internship's monthly fee for the days, a
    freelance assignment's fee in its first month."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    days = _days_in(job, first, last)
    if not days:
        return 0
    if job.contract_type == ContractType.EMPLOYMENT:
        return (job.hourly_wage_cents * job.quarter_hours_per_week * days + 14) // 28
    if job.contract_type == ContractType.INTERNSHIP:
        return (job.fee_cents * days + last.day // 2) // last.day
    return job.fee_cents if first <= job.start_date <= last else 0


@dataclass(frozen=True)
class CostRow:
    agreement: str  # reference and title, or "" without an agreement
    months: list[int]  # cents, January to December

    @property
    def total_cents(self) -> int:
        return sum(self.months)


@dataclass(frozen=True)
class WageCostReport:
    year: int
    rows: list[CostRow]
    fte: float  # on the report's reference day
    jobs_in_coop: int
    jobs_via_partners: int
    reference_day: date

    @property
    def month_totals(self) -> list[int]:
        return [sum(row.months[i] for row in self.rows) for i in range(12)]


def wage_cost(year: int, reference_day: date) -> WageCostReport:
    """Wage cost per month and per funder agreement for `year`; FTE and the number of
    jobs in the coop and via partners running on `reference_day`."""
    jobs = db.session.scalars(select(Job).where(
        Job.start_date <= date(year, 12, 31),
        or_(Job.end_date.is_(None), Job.end_date >= date(year, 1, 1)))).all()
    names = dict(agreement_choices())
    per_agreement: dict[int | None, list[int]] = {}
    for job in jobs:
        months = per_agreement.setdefault(job.agreement_id, [0] * 12)
        for month in range(1, 13):
            months[month - 1] += month_cost_cents(job, year, month)
    rows = [CostRow(names.get(key, "") if key else "", months)
            for key, months in sorted(per_agreement.items(),
                                      key=lambda item: (item[0] is None, names.get(item[0], "")))]
    running = [job for job in jobs if job.start_date <= reference_day
               and (job.end_date is None or job.end_date >= reference_day)]
    full_time = current_app.config["FULL_TIME_HOURS_PER_WEEK"]
    fte = sum(job.quarter_hours_per_week for job in running) / 4 / full_time
    return WageCostReport(
        year=year, rows=rows, fte=round(fte, 2),
        jobs_in_coop=sum(1 for job in running if job.employer_kind == EmployerKind.COOP),
        jobs_via_partners=sum(1 for job in running
                              if job.employer_kind == EmployerKind.PARTNER),
        reference_day=reference_day)


def jobs_list() -> list[tuple[Job, Person, str]]:
    return list(db.session.execute(
        select(Job, Person, Initiative.name).join(Person, Person.id == Job.person_id)
        .join(Initiative, Initiative.id == Job.initiative_id)
        .order_by(Job.start_date.desc(), Job.id.desc())).all())


def latest_steps(limit: int = 8) -> list[tuple[date, dict[int, int]]]:
    return list(reversed(_wage_table()))[:limit]



def record_job_payment(job: Job, paid_on: date | None, amount_cents: int | None, *,
                       today: date, actor=None) -> JobPayment:
    """Record and book a fee paid for an internship or a freelance assignment of the
    coop: expense (the account for the purpose "fees of interns and freelancers",
    4100 in the default chart) against payable to the worker (the person on the
    payable line; the entry names the payment's number, never the worker).

    Raises VolunteerError for: an employment (wages go through the payroll), a
    partner's job (the partner pays and reports), no date or one in the future, an
    amount of zero or less, a ledger refusal.
    """
    if job.contract_type == ContractType.EMPLOYMENT:
        raise VolunteerError(_l("Wages of an employment are paid through the payroll, not "
                                "here."), "amount")
    if job.employer_kind != EmployerKind.COOP:
        raise VolunteerError(_l("The partner organisation pays its own workers."), "amount")
    if paid_on is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "paid_on")
    if paid_on > today:
        raise VolunteerError(_l("The payment date cannot be in the future."), "paid_on")
    if not amount_cents or amount_cents <= 0:
        raise VolunteerError(_l("Enter an amount above zero."), "amount")
    ledger.ensure_chart()
    try:
        account = ledger.account_for(AccountPurpose.JOB_FEES)
    except LedgerError as error:
        raise VolunteerError(error.message, "amount") from error
    payment = JobPayment(job_id=job.id, paid_on=paid_on, amount_cents=amount_cents,
                         created_by_id=audit.acting_user_id(actor))
    text = ("Stagevergoeding" if job.contract_type == ContractType.INTERNSHIP
            else "Opdrachtvergoeding")
    try:
        payable = ledger.account_for(AccountPurpose.PAYABLES)
        entry = ledger.post_entry(
            paid_on, f"{text} baan #{job.id}",
            [ledger.Line(account, debit_cents=amount_cents, description=text),
             ledger.Line(payable, credit_cents=amount_cents, person_id=job.person_id)],
            reference=f"BAAN-{job.id}", actor=actor, open_missing_year=True)
    except LedgerError as error:
        raise VolunteerError(error.message) from error
    payment.journal_entry_id = entry.id
    db.session.add(payment)
    db.session.flush()
    audit.record("volunteers:job:payment", {"amount_cents": amount_cents,
                                            "paid_on": paid_on.isoformat()},
                 obj=payment, actor=actor, person_id=job.person_id)
    return payment


def payments_of(job: Job) -> list[JobPayment]:
    return list(db.session.scalars(select(JobPayment).where(JobPayment.job_id == job.id)
                                   .order_by(JobPayment.paid_on, JobPayment.id)))


@dataclass(frozen=True)
class ThirdPartyPayment:
    name: str
    address: str
    date_of_birth: date | None
    what: str  # the job's title
    contract_type: str
    amount_cents: int


def third_party_payments(year: int) -> list[ThirdPartyPayment]:
    """What the coop actually paid in `year` (by payment date) outside the volunteer
    scheme to people not on its payroll (internships and freelance assignments): the
    yearly "uitbetaalde bedragen aan derden" (IB47) list, due before 1 February. Only
    the coop's own jobs have payments (a partner's jobs are the partner's to report;
    employment goes through the payroll). One row per job, in one query."""
    total = func.sum(JobPayment.amount_cents)
    rows = db.session.execute(
        select(Job, Person, total).join(Person, Person.id == Job.person_id)
        .join(JobPayment, JobPayment.job_id == Job.id)
        .where(JobPayment.paid_on >= date(year, 1, 1), JobPayment.paid_on <= date(year, 12, 31))
        .group_by(Job.id, Person.id)
        .order_by(Person.sort_name, Job.id)).all()
    return [ThirdPartyPayment(
        person.display_name,
        ", ".join(p for p in (person.street, person.postcode, person.city) if p),
        person.date_of_birth, job.title, job.contract_type, int(amount))
        for job, person, amount in rows]
