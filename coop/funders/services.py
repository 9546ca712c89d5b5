"""Funders, agreements and reporting deadlines; the revenue stream overview and the
earmarked funds, both computed by the database from the ledger's posted lines.

Services flush but do not commit. A refused action raises `FunderError` (a translated
message and the form field it belongs to).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from coop import audit
from coop.extensions import db
from coop.forms import row_id
from coop.funders.models import (
    AgreementKind,
    Funder,
    FunderAgreement,
    FunderKind,
    ReportingDeadline,
)
from coop.ledger.models import (
    AccountKind,
    CostCentre,
    EntrySource,
    EntryStatus,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from coop.money import MAX_CENTS
from coop.settings.services import get_organisation
from coop.templating import date_filter

# Deadlines show on the dashboard this many days before they fall due.
DEADLINE_NOTICE_DAYS = 30


class FunderError(Exception):
    """A refused change. `field` names the form field the message belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# Funders and agreements ---------------------------------------------------------------


def _text(values: dict, name: str, limit: int, *, required: bool, message=None):
    value = (values.get(name) or "").strip()
    if required and not value:
        raise FunderError(message or _l("This field is required."), name)
    if len(value) > limit:
        raise FunderError(
            _l("Too long (at most %(limit)d characters).", limit=limit), name
        )
    return value or None


def create_funder(values: dict, actor=None) -> Funder:
    """Add a funder. Raises FunderError for a missing or taken name or an unknown kind."""
    name = _text(values, "name", 200, required=True, message=_l("Enter the funder's name."))
    kind = values.get("kind") or ""
    if kind not in {k.value for k in FunderKind}:
        raise FunderError(_l("Choose the kind of funder."), "kind")
    if db.session.scalar(select(Funder.id).where(func.lower(Funder.name) == name.lower())):
        raise FunderError(_l("A funder with this name already exists."), "name")
    funder = Funder(
        name=name, kind=kind,
        contact_name=_text(values, "contact_name", 200, required=False),
        contact_email=_text(values, "contact_email", 255, required=False),
    )
    db.session.add(funder)
    db.session.flush()
    audit.record("finance:funder:create", {"name": name, "kind": kind}, obj=funder,
                 actor=actor)
    return funder


def _clean_agreement(values: dict, agreement: FunderAgreement | None) -> dict:
    funder = values.get("funder")
    if not isinstance(funder, Funder):
        raise FunderError(_l("Choose a funder."), "funder")
    kind = values.get("kind") or ""
    if kind not in {k.value for k in AgreementKind}:
        raise FunderError(_l("Choose the kind of agreement."), "kind")
    reference = _text(values, "reference", 100, required=True,
                      message=_l("Enter the funder's reference, e.g. the decision number."))
    title = _text(values, "title", 200, required=True, message=_l("Enter a title."))
    amount = values.get("amount_cents")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_CENTS:
        raise FunderError(_l("Enter the amount of the agreement."), "amount")
    start, end = values.get("start_date"), values.get("end_date")
    if not isinstance(start, date):
        raise FunderError(_l("Enter the first day of the period."), "start_date")
    if not isinstance(end, date):
        raise FunderError(_l("Enter the last day of the period."), "end_date")
    if end < start:
        raise FunderError(_l("The period cannot end before it starts."), "end_date")
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
        raise FunderError(_l("Enter a date between 2000 and 2100."), "start_date")
    centre = values.get("cost_centre")
    if centre is not None and not isinstance(centre, CostCentre):
        raise FunderError(_l("Unknown cost centre."), "cost_centre")
    clash = db.session.scalar(
        select(FunderAgreement).where(FunderAgreement.reference == reference)
    )
    if clash is not None and clash is not agreement:
        raise FunderError(_l("Another agreement has this reference."), "reference")
    return {
        "funder_id": funder.id, "kind": kind, "reference": reference, "title": title,
        "amount_cents": amount, "start_date": start, "end_date": end,
        "cost_centre_id": centre.id if centre is not None else None,
        "earmark": _text(values, "earmark", 5000, required=False),
        "conditions": _text(values, "conditions", 5000, required=False),
    }


def create_agreement(values: dict, actor=None) -> FunderAgreement:
    """Add an agreement (values: funder, kind, reference, title, amount_cents,
    start_date, end_date, cost_centre, earmark, conditions). Raises FunderError for a
    missing funder, kind, reference or title, a taken reference, a negative amount, or a
    period that ends before it starts."""
    cleaned = _clean_agreement(values, None)
    agreement = FunderAgreement(**cleaned)
    db.session.add(agreement)
    db.session.flush()
    audit.record("finance:agreement:create", _audit_values(cleaned), obj=agreement,
                 actor=actor)
    return agreement


def update_agreement(agreement: FunderAgreement, values: dict, actor=None) -> FunderAgreement:
    """Change an agreement (e.g. an amended grant decision). Raises FunderError as
    `create_agreement` does."""
    cleaned = _clean_agreement(values, agreement)
    diff = audit.changes(agreement, list(cleaned), cleaned)
    for key, value in cleaned.items():
        setattr(agreement, key, value)
    db.session.flush()
    if diff:
        audit.record("finance:agreement:update", diff, obj=agreement, actor=actor)
    return agreement


def _audit_values(cleaned: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, date) else value
            for key, value in cleaned.items()}


def add_deadline(agreement: FunderAgreement, due_date, description: str,
                 actor=None) -> ReportingDeadline:
    """Add a reporting deadline to an agreement. Raises FunderError without a date or a
    description."""
    if not isinstance(due_date, date) or not 2000 <= due_date.year <= 2100:
        raise FunderError(_l("Enter the date the report is due."), "due_date")
    description = (description or "").strip()
    if not description:
        raise FunderError(_l("Say which report is due."), "description")
    if len(description) > 300:
        raise FunderError(_l("Too long (at most %(limit)d characters).", limit=300),
                          "description")
    deadline = ReportingDeadline(agreement_id=agreement.id, due_date=due_date,
                                 description=description)
    db.session.add(deadline)
    db.session.flush()
    audit.record("finance:deadline:add", {"agreement": agreement.reference,
                                          "due_date": due_date.isoformat(),
                                          "description": description},
                 obj=deadline, actor=actor)
    return deadline


def mark_submitted(deadline: ReportingDeadline, submitted_on, actor=None,
                   today: date | None = None) -> ReportingDeadline:
    """Record that the report was sent. Raises FunderError for a report already marked
    submitted or a date in the future."""
    if deadline.submitted_on is not None:
        raise FunderError(_l("This report has already been marked as submitted."))
    if not isinstance(submitted_on, date):
        raise FunderError(_l("Enter the date the report was sent."), "submitted_on")
    if submitted_on > (today or date.today()):
        raise FunderError(_l("The date cannot be in the future."), "submitted_on")
    deadline.submitted_on = submitted_on
    deadline.submitted_by_id = audit.acting_user_id(actor)
    db.session.flush()
    audit.record("finance:deadline:submitted",
                 {"agreement_id": deadline.agreement_id, "description": deadline.description,
                  "submitted_on": submitted_on.isoformat()}, obj=deadline, actor=actor)
    return deadline


# Deadlines on the dashboard -----------------------------------------------------------


@dataclass
class DeadlineRow:
    id: int
    agreement_id: int
    agreement: str
    funder: str
    due_date: date
    description: str
    overdue: bool


def deadlines_needing_attention(today: date, days: int = DEADLINE_NOTICE_DAYS,
                                limit: int = 50) -> list[DeadlineRow]:
    """Reports not yet submitted that are overdue (due before `today`) or fall due
    within `days` days (up to and including today + days), soonest first."""
    rows = db.session.execute(
        select(ReportingDeadline.id, ReportingDeadline.agreement_id,
               FunderAgreement.reference, FunderAgreement.title, Funder.name,
               ReportingDeadline.due_date, ReportingDeadline.description)
        .join(FunderAgreement, FunderAgreement.id == ReportingDeadline.agreement_id)
        .join(Funder, Funder.id == FunderAgreement.funder_id)
        .where(ReportingDeadline.submitted_on.is_(None),
               ReportingDeadline.due_date <= today + timedelta(days=days))
        .order_by(ReportingDeadline.due_date, ReportingDeadline.id)
        .limit(limit)
    ).all()
    return [
        DeadlineRow(row.id, row.agreement_id, f"{row.reference} · {row.title}", row.name,
                    row.due_date, row.description, row.due_date < today)
        for row in rows
    ]


# Money per agreement (earmarked funds) ------------------------------------------------


def _posted_lines(start: date | None = None, end: date | None = None):
    conditions = [JournalEntry.status == EntryStatus.POSTED.value,
                  JournalEntry.source != EntrySource.YEAR_CLOSE.value]
    if start is not None:
        conditions.append(JournalEntry.entry_date >= start)
    if end is not None:
        conditions.append(JournalEntry.entry_date <= end)
    return and_(*conditions)


@dataclass
class EarmarkRow:
    agreement_id: int
    reference: str
    title: str
    funder: str
    kind: str
    start_date: date
    end_date: date
    cost_centre: str | None
    amount_cents: int
    received_cents: int  # income booked against the agreement
    spent_cents: int  # costs booked against the agreement

    @property
    def remaining_cents(self) -> int:
        """What may still be spent: the agreed amount minus the costs so far."""
        return self.amount_cents - self.spent_cents

    @property
    def to_receive_cents(self) -> int:
        return self.amount_cents - self.received_cents

    @property
    def overspent(self) -> bool:
        return self.spent_cents > self.amount_cents


def _money_per_agreement(agreement_ids=None) -> dict[int, tuple[int, int]]:
    """(received, spent) per agreement over all posted lines, in one GROUP BY."""
    received = func.sum(case(
        (LedgerAccount.kind == AccountKind.INCOME.value,
         JournalLine.credit_cents - JournalLine.debit_cents), else_=0))
    spent = func.sum(case(
        (LedgerAccount.kind == AccountKind.EXPENSE.value,
         JournalLine.debit_cents - JournalLine.credit_cents), else_=0))
    query = (
        select(JournalLine.agreement_id, received, spent)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.agreement_id.is_not(None), _posted_lines())
        .group_by(JournalLine.agreement_id)
    )
    if agreement_ids is not None:
        query = query.where(JournalLine.agreement_id.in_(agreement_ids))
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in db.session.execute(query)}


def earmarks(start: date | None = None, end: date | None = None,
             funder_id: int | None = None) -> list[EarmarkRow]:
    """Every agreement whose period overlaps [start, end] (all when not given) with the
    money received and spent against it so far and what remains to spend."""
    query = (
        select(FunderAgreement, Funder.name, CostCentre.code)
        .join(Funder, Funder.id == FunderAgreement.funder_id)
        .outerjoin(CostCentre, CostCentre.id == FunderAgreement.cost_centre_id)
        .order_by(FunderAgreement.start_date.desc(), FunderAgreement.reference)
    )
    if start is not None:
        query = query.where(FunderAgreement.end_date >= start)
    if end is not None:
        query = query.where(FunderAgreement.start_date <= end)
    if funder_id is not None:
        query = query.where(FunderAgreement.funder_id == funder_id)
    rows = db.session.execute(query).all()
    money = _money_per_agreement([a.id for a, _f, _c in rows]) if rows else {}
    return [
        EarmarkRow(a.id, a.reference, a.title, funder, a.kind, a.start_date, a.end_date,
                   centre, a.amount_cents, *money.get(a.id, (0, 0)))
        for a, funder, centre in rows
    ]


def earmark_of(agreement: FunderAgreement) -> EarmarkRow:
    return next(r for r in earmarks(funder_id=agreement.funder_id)
                if r.agreement_id == agreement.id)


# The revenue stream overview ----------------------------------------------------------


@dataclass
class FunderShare:
    funder_id: int
    name: str
    kind: str
    cents: int
    share: float  # of the total income, 0..1


@dataclass
class RevenueOverview:
    start: date
    end: date
    by_stream: dict[str, int]  # RJ 650 income category -> cents (all income)
    funders: list[FunderShare]  # largest first
    own_by_stream: dict[str, int]  # income not from an agreement, per category
    threshold_percent: int
    total_cents: int
    sources: list[int] = field(default_factory=list)  # every source's cents, for HHI

    @property
    def funders_cents(self) -> int:
        return sum(f.cents for f in self.funders)

    @property
    def largest(self) -> FunderShare | None:
        return self.funders[0] if self.funders else None

    @property
    def largest_share(self) -> float:
        return self.largest.share if self.largest else 0.0

    @property
    def hhi(self) -> int:
        """Herfindahl-Hirschman index of the income sources, 0..10,000: the sum of the
        squared shares in percent. Each funder is one source; income from no agreement
        counts as one source per RJ 650 category (dues and donations from residents,
        bar and room rental, …)."""
        if self.total_cents <= 0:
            return 0
        return round(sum((100 * cents / self.total_cents) ** 2
                         for cents in self.sources if cents > 0))

    @property
    def concentration_warning(self) -> bool:
        """One funder brings in more than the organisation's threshold."""
        return self.largest_share * 100 > self.threshold_percent


def revenue_overview(start: date, end: date) -> RevenueOverview:
    """Income over the period per RJ 650 category and per funder (through the
    agreement on each line), with the largest funder's share of all income, the HHI
    and the concentration warning. One GROUP BY over the posted lines; closing entries
    left out. Income is credit minus debit on income accounts; a funder whose net income
    is not positive is not a source."""
    rows = db.session.execute(
        select(LedgerAccount.category, FunderAgreement.funder_id,
               func.sum(JournalLine.credit_cents - JournalLine.debit_cents))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .outerjoin(FunderAgreement, FunderAgreement.id == JournalLine.agreement_id)
        .where(LedgerAccount.kind == AccountKind.INCOME.value, _posted_lines(start, end))
        .group_by(LedgerAccount.category, FunderAgreement.funder_id)
    ).all()
    by_stream: dict[str, int] = {}
    own: dict[str, int] = {}
    per_funder: dict[int, int] = {}
    for category, funder_id, cents in rows:
        cents = int(cents or 0)
        by_stream[category] = by_stream.get(category, 0) + cents
        if funder_id is None:
            own[category] = own.get(category, 0) + cents
        else:
            per_funder[funder_id] = per_funder.get(funder_id, 0) + cents
    total = sum(by_stream.values())
    names = {
        f.id: f for f in db.session.scalars(select(Funder).where(Funder.id.in_(per_funder)))
    } if per_funder else {}
    funders = sorted(
        (FunderShare(fid, names[fid].name, names[fid].kind, cents,
                     cents / total if total > 0 else 0.0)
         for fid, cents in per_funder.items() if cents > 0),
        key=lambda f: (-f.cents, f.name),
    )
    return RevenueOverview(
        start=start, end=end, by_stream=by_stream, funders=funders, own_by_stream=own,
        threshold_percent=get_organisation().funder_share_warning_percent,
        total_cents=total,
        sources=[f.cents for f in funders] + [c for c in own.values() if c > 0],
    )


def agreements_open_for_posting(since: date) -> list[tuple[int, str]]:
    """(id, label) of the agreements that have not ended before `since` (the first day
    one can still post on), for the entry form's selector; labelled the way the
    treasurer knows them: funder, the funder's number, the title. Agreements that have
    not started yet are listed too: an advance is often paid before the period starts.
    """
    rows = db.session.execute(
        select(FunderAgreement.id, Funder.name, FunderAgreement.reference,
               FunderAgreement.title)
        .join(Funder, Funder.id == FunderAgreement.funder_id)
        .where(FunderAgreement.end_date >= since)
        .order_by(Funder.name, FunderAgreement.start_date.desc(), FunderAgreement.reference)
    ).all()
    return [(row.id, f"{row.name} · {row.reference} · {row.title}") for row in rows]


def agreement_for_posting(raw_id, entry_date: date | None) -> FunderAgreement | None:
    """The agreement a manual journal line is booked against (None when none is
    chosen). Raises FunderError for an id that names no agreement, or an agreement
    that ended before the entry's date (its money is accounted for by then)."""
    if raw_id in (None, ""):
        return None
    agreement = (db.session.get(FunderAgreement, row_id(raw_id))
                 if row_id(raw_id) is not None else None)
    if agreement is None:
        raise FunderError(_l("Choose an agreement from the list."))
    if entry_date is not None and agreement.end_date < entry_date:
        raise FunderError(_l(
            "Agreement %(reference)s ended on %(date)s: it takes no entries after that "
            "date.", reference=agreement.reference, date=date_filter(agreement.end_date)))
    return agreement
