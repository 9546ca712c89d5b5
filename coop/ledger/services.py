"""The ledger rules: the chart of accounts, posting and reversing entries, fiscal years.

Services flush but do not commit; the caller commits once. A refused action raises
`LedgerError` (a translated message and the form field it belongs to). The database
refuses the same things again (see `coop.ledger.models`), so a bug here cannot leave
unbalanced or edited books behind.

Field names in errors: `entry_date`, `description`, `reference`, `lines` (the entry as
a whole, e.g. unbalanced) and `lines-<n>-account`, `lines-<n>-debit`,
`lines-<n>-credit`, `lines-<n>-cost_centre` for line n (from 0), as the entry form
names them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from coop import audit
from coop.errors import ServiceError
from coop.extensions import db
from coop.fiscal import fiscal_year_bounds, fiscal_year_of
from coop.ledger.models import (
    CATEGORIES_BY_KIND,
    AccountKind,
    AccountPurpose,
    AuditFinding,
    BalanceCategory,
    Budget,
    CostCategory,
    CostCentre,
    EntrySource,
    EntryStatus,
    FiscalYear,
    FiscalYearStatus,
    IncomeCategory,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from coop.locking import locked
from coop.members.models import Person
from coop.money import MAX_CENTS, format_money
from coop.settings.services import get_organisation
from coop.templating import money_locale
from coop.timeutil import utcnow


class LedgerError(ServiceError):
    """A refused ledger action. `field` names the form field the message belongs to."""


# The chart of accounts ----------------------------------------------------------------

A, L, E, N, X = (  # asset, liability, equity, income (iNcome), expense
    AccountKind.ASSET, AccountKind.LIABILITY, AccountKind.EQUITY, AccountKind.INCOME,
    AccountKind.EXPENSE,
)
B, IC, CC = BalanceCategory, IncomeCategory, CostCategory

# (code, name, kind, category, purpose): a small Dutch coop's chart, Dutch names as the
# treasurer and the kascommissie know them. Editable after seeding.
DEFAULT_CHART: list[tuple[str, str, AccountKind, str, AccountPurpose | None]] = [
    ("0100", "Inventaris", A, B.FIXED_ASSETS, None),
    ("0500", "Algemene reserve", E, B.RESERVES, AccountPurpose.GENERAL_RESERVE),
    ("0600", "Bestemmingsfondsen", E, B.FUNDS, None),
    ("0700", "Lening u/g", L, B.LONG_TERM_DEBTS, None),
    ("1000", "Kas", A, B.LIQUID_ASSETS, AccountPurpose.CASH),
    ("1100", "Bank", A, B.LIQUID_ASSETS, AccountPurpose.BANK),
    ("1110", "Spaarrekening", A, B.LIQUID_ASSETS, None),
    ("1300", "Debiteuren", A, B.RECEIVABLES, AccountPurpose.RECEIVABLES),
    ("1400", "Nog te ontvangen bedragen", A, B.RECEIVABLES, None),
    ("1600", "Crediteuren", L, B.SHORT_TERM_DEBTS, AccountPurpose.PAYABLES),
    ("1700", "Nog te betalen bedragen", L, B.SHORT_TERM_DEBTS, None),
    ("1800", "Vooruitontvangen subsidies", L, B.SHORT_TERM_DEBTS, None),
    ("4000", "Vergoedingen vrijwilligers", X, CC.OBJECTIVES, AccountPurpose.VOLUNTEER_ALLOWANCES),
    ("4100", "Lonen buurtbanen", X, CC.OBJECTIVES, AccountPurpose.JOB_FEES),
    ("4200", "Huur en energie ontmoetingsplek", X, CC.OBJECTIVES, None),
    ("4300", "Activiteitenkosten", X, CC.OBJECTIVES, AccountPurpose.VOLUNTEER_APPRECIATION),
    ("4400", "Inkoop bar", X, CC.OBJECTIVES, None),
    ("4500", "Communicatie en wervingskosten", X, CC.FUNDRAISING, None),
    ("4600", "Bestuurs- en administratiekosten", X, CC.MANAGEMENT, None),
    ("4700", "Verzekeringen", X, CC.MANAGEMENT, None),
    ("4800", "Afschrijvingen", X, CC.MANAGEMENT, None),
    ("4850", "Oninbare contributies", X, CC.MANAGEMENT, AccountPurpose.BAD_DEBTS),
    ("4900", "Bankkosten", X, CC.FINANCIAL, AccountPurpose.PAYMENT_FEES),
    ("8000", "Contributies", N, IC.PRIVATE_INDIVIDUALS, AccountPurpose.DUES_INCOME),
    ("8100", "Subsidies gemeente", N, IC.GOVERNMENT_GRANTS, None),
    ("8150", "Right to Challenge gemeente", N, IC.GOVERNMENT_GRANTS, None),
    ("8200", "Giften particulieren", N, IC.PRIVATE_INDIVIDUALS, AccountPurpose.DONATIONS_PRIVATE),
    ("8250", "Sponsoring bedrijven", N, IC.COMPANIES, AccountPurpose.DONATIONS_COMPANY),
    ("8260", "Bijdragen woningcorporaties", N, IC.OTHER_NONPROFITS, None),
    ("8270", "Bijdragen fondsen", N, IC.OTHER_NONPROFITS, None),
    ("8280", "Bijdragen loterijen", N, IC.LOTTERIES, None),
    ("8300", "Zaalverhuur", N, IC.GOODS_AND_SERVICES, None),
    ("8400", "Baromzet", N, IC.GOODS_AND_SERVICES, None),
    ("8500", "Deelnemersbijdragen activiteiten", N, IC.GOODS_AND_SERVICES, None),
    ("8900", "Rente en overige baten", N, IC.OTHER_INCOME, None),
]


def seed_default_chart(actor=None) -> int:
    """Add the accounts of `DEFAULT_CHART` whose code is not in the chart yet; returns
    how many were added. Running it again adds nothing."""
    existing = set(db.session.scalars(select(LedgerAccount.code)))
    taken = set(db.session.scalars(select(LedgerAccount.purpose).where(
        LedgerAccount.purpose.is_not(None))))
    added = 0
    for code, name, kind, category, purpose in DEFAULT_CHART:
        if code in existing:
            continue
        db.session.add(LedgerAccount(
            code=code, name=name, kind=kind.value, category=str(category),
            purpose=purpose.value if purpose and purpose.value not in taken else None,
        ))
        added += 1
    db.session.flush()
    if added:
        audit.record("finance:chart:seed", {"added": added}, actor=actor)
    return added


def ensure_chart() -> None:
    """Seed the default chart when there is none: automatic postings need accounts."""
    if db.session.scalar(select(LedgerAccount.id).limit(1)) is None:
        seed_default_chart()


def _clean_account_values(values: dict, account: LedgerAccount | None) -> dict:
    code = (values.get("code") or "").strip()
    name = (values.get("name") or "").strip()
    kind = values.get("kind") or (account.kind if account else "")
    category = values.get("category") or ""
    purpose = values.get("purpose") or None
    if not code or len(code) > 10 or not code.isalnum():
        raise LedgerError(_l("Enter a code of at most 10 letters or digits."), "code")
    if not name:
        raise LedgerError(_l("Enter a name."), "name")
    if len(name) > 120:
        raise LedgerError(_l("The name is too long (at most 120 characters)."), "name")
    try:
        kind = AccountKind(kind)
    except ValueError:
        raise LedgerError(_l("Choose a kind of account."), "kind") from None
    if category not in {str(c) for c in CATEGORIES_BY_KIND[kind]}:
        raise LedgerError(_l("Choose a category that fits the kind of account."), "category")
    if purpose is not None and purpose not in {p.value for p in AccountPurpose}:
        raise LedgerError(_l("Choose a purpose from the list."), "purpose")
    clash = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))
    if clash is not None and clash is not account:
        raise LedgerError(_l("Another account has this code."), "code")
    if purpose is not None:
        holder = db.session.scalar(select(LedgerAccount).where(LedgerAccount.purpose == purpose))
        if holder is not None and holder is not account:
            raise LedgerError(
                _l("Account %(code)s already has this purpose.", code=holder.code), "purpose"
            )
    return {"code": code, "name": name, "kind": kind.value, "category": category,
            "purpose": purpose, "is_active": bool(values.get("is_active", True))}


def create_account(values: dict, actor=None) -> LedgerAccount:
    """Add an account to the chart. Raises LedgerError for a missing or taken code, a
    category that does not fit the kind, or a purpose another account has."""
    cleaned = _clean_account_values(values, None)
    account = LedgerAccount(**cleaned)
    db.session.add(account)
    db.session.flush()
    audit.record("finance:account:create", cleaned, obj=account, actor=actor)
    return account


def _has_lines(account: LedgerAccount) -> bool:
    return db.session.scalar(
        select(JournalLine.id).where(JournalLine.account_id == account.id).limit(1)
    ) is not None


def update_account(account: LedgerAccount, values: dict, actor=None) -> LedgerAccount:
    """Change an account. Its kind cannot change once it has postings (that would move
    history between the balance sheet and the income statement). Raises LedgerError."""
    cleaned = _clean_account_values(values, account)
    if cleaned["kind"] != account.kind and _has_lines(account):
        raise LedgerError(
            _l("This account has postings: its kind can no longer change."), "kind"
        )
    diff = audit.changes(account, list(cleaned), cleaned)
    for key, value in cleaned.items():
        setattr(account, key, value)
    db.session.flush()
    if diff:
        audit.record("finance:account:update", diff, obj=account, actor=actor)
    return account


def account_for(purpose: AccountPurpose) -> LedgerAccount:
    """The account automatic postings use for `purpose`; raises LedgerError when the
    chart has none (the treasurer sets one in the chart of accounts)."""
    account = db.session.scalar(
        select(LedgerAccount).where(LedgerAccount.purpose == AccountPurpose(purpose).value)
    )
    if account is None or not account.is_active:
        raise LedgerError(
            _l("The chart of accounts has no active account for “%(purpose)s”; "
               "set one in the chart of accounts.", purpose=PURPOSE_LABELS[purpose])
        )
    return account


PURPOSE_LABELS = {
    AccountPurpose.CASH: _l("cash"),
    AccountPurpose.BANK: _l("bank"),
    AccountPurpose.RECEIVABLES: _l("receivables"),
    AccountPurpose.PAYABLES: _l("payables"),
    AccountPurpose.DUES_INCOME: _l("dues income"),
    AccountPurpose.BAD_DEBTS: _l("bad debts"),
    AccountPurpose.GENERAL_RESERVE: _l("general reserve"),
    AccountPurpose.DONATIONS_PRIVATE: _l("online gifts from private persons"),
    AccountPurpose.DONATIONS_COMPANY: _l("online gifts from companies"),
    AccountPurpose.PAYMENT_FEES: _l("payment fees (Mollie)"),
    AccountPurpose.VOLUNTEER_ALLOWANCES: _l("volunteer allowances and their costs"),
    AccountPurpose.VOLUNTEER_APPRECIATION: _l("coaching and sponsored neighbourhood events"),
    AccountPurpose.JOB_FEES: _l("fees of interns and freelancers"),
}


def create_cost_centre(code: str, name: str, actor=None) -> CostCentre:
    """Add a cost centre (an initiative). Raises LedgerError for a missing or taken code."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 20:
        raise LedgerError(_l("Enter a code of at most 20 characters."), "code")
    if not name or len(name) > 120:
        raise LedgerError(_l("Enter a name of at most 120 characters."), "name")
    if db.session.scalar(select(CostCentre.id).where(CostCentre.code == code)):
        raise LedgerError(_l("Another cost centre has this code."), "code")
    centre = CostCentre(code=code, name=name)
    db.session.add(centre)
    db.session.flush()
    audit.record("finance:cost_centre:create", {"code": code, "name": name}, obj=centre,
                 actor=actor)
    return centre


# Fiscal years -------------------------------------------------------------------------


def year_of_date(day: date) -> FiscalYear | None:
    return db.session.scalar(
        select(FiscalYear).where(FiscalYear.start_date <= day, FiscalYear.end_date >= day)
    )


def open_fiscal_year(year: int, actor=None) -> FiscalYear:
    """Open fiscal `year`, its bounds from the organisation's fiscal year start month.
    Raises LedgerError for a year out of range, one that exists, or one that would
    overlap another year (after a change of the start month)."""
    if not 2000 <= year <= 2100:
        raise LedgerError(_l("Enter a year between 2000 and 2100."), "year")
    if db.session.get(FiscalYear, year) is not None:
        raise LedgerError(_l("Fiscal year %(year)s already exists.", year=year), "year")
    start, end = fiscal_year_bounds(year, get_organisation().fiscal_year_start_month)
    overlap = db.session.scalar(
        select(FiscalYear.year).where(FiscalYear.start_date <= end, FiscalYear.end_date >= start)
    )
    if overlap is not None:
        raise LedgerError(
            _l("Fiscal year %(year)s would overlap fiscal year %(other)s.",
               year=year, other=overlap), "year"
        )
    fiscal_year = FiscalYear(year=year, start_date=start, end_date=end,
                             status=FiscalYearStatus.OPEN.value)
    db.session.add(fiscal_year)
    db.session.flush()
    audit.record("finance:year:open", {"year": year, "start": start.isoformat(),
                                       "end": end.isoformat()}, obj=fiscal_year, actor=actor)
    return fiscal_year


def _year_for_posting(day: date, open_missing: bool, field: str = "entry_date") -> FiscalYear:
    fiscal_year = year_of_date(day)
    if fiscal_year is None:
        if open_missing:
            return _open_missing_year(day, field)
        raise LedgerError(
            _l("No fiscal year holds %(day)s: open that fiscal year first.",
               day=day.strftime("%d-%m-%Y")), field
        )
    if fiscal_year.status != FiscalYearStatus.OPEN:
        raise LedgerError(
            _l("Fiscal year %(year)s is closed: nothing can be posted in it.",
               year=fiscal_year.year), field
        )
    return fiscal_year


def _open_missing_year(day: date, field: str) -> FiscalYear:
    """Automatic postings (dues) open the year of their date, unless a later year is
    already closed: history before a closed year stays as it was."""

    year = fiscal_year_of(day, get_organisation().fiscal_year_start_month)
    later_closed = db.session.scalar(
        select(FiscalYear.year).where(
            FiscalYear.year > year, FiscalYear.status == FiscalYearStatus.CLOSED
        ).limit(1)
    )
    if later_closed is not None:
        raise LedgerError(
            _l("Fiscal year %(year)s is closed: nothing can be posted before it.",
               year=later_closed), field
        )
    try:
        return open_fiscal_year(year)
    except LedgerError as error:
        raise LedgerError(error.message, field) from None


def _lock_year(fiscal_year: FiscalYear) -> FiscalYear:
    """The year locked and re-read: numbers are taken from it and closing waits for it."""
    return locked(FiscalYear, fiscal_year.year)


# Posting ------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of an entry to post. `account` is a LedgerAccount or its code.

    `links` takes further link columns a later module adds to `journal_line`
    (e.g. `{"agreement_id": 3}`), so this signature need not change for them.
    """

    account: LedgerAccount | str
    debit_cents: int = 0
    credit_cents: int = 0
    description: str | None = None
    person_id: int | None = None
    invoice_id: int | None = None
    cost_centre_id: int | None = None
    links: dict[str, Any] = field(default_factory=dict)


@dataclass
class EntrySpec:
    entry_date: date
    description: str
    lines: Sequence[Line]
    reference: str | None = None
    source: str = EntrySource.MANUAL
    source_id: int | None = None
    reverses_entry_id: int | None = None


def _is_amount(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CENTS


def _money(cents: int) -> str:
    return format_money(cents, money_locale())


def _resolve_accounts(lines: Sequence[Line]) -> dict[str, LedgerAccount]:
    codes = {line.account for line in lines if isinstance(line.account, str)}
    if not codes:
        return {}
    return {
        account.code: account
        for account in db.session.scalars(
            select(LedgerAccount).where(LedgerAccount.code.in_(codes))
        )
    }


def _validate(spec: EntrySpec, accounts: dict[str, LedgerAccount],
              centres: set[int]) -> list[tuple[Line, LedgerAccount]]:
    description = (spec.description or "").strip()
    if not description:
        raise LedgerError(_l("Enter a description."), "description")
    if len(description) > 300:
        raise LedgerError(_l("The description is too long (at most 300 characters)."),
                          "description")
    if spec.reference and len(spec.reference) > 140:
        raise LedgerError(_l("The reference is too long (at most 140 characters)."),
                          "reference")
    if not isinstance(spec.entry_date, date):
        raise LedgerError(_l("Enter a date."), "entry_date")
    if len(spec.lines) < 2:
        raise LedgerError(_l("An entry needs at least two lines."), "lines")
    resolved = []
    for n, line in enumerate(spec.lines):
        account = line.account
        if isinstance(account, str):
            account = accounts.get(account.strip())
            if account is None:
                raise LedgerError(
                    _l("Unknown account “%(code)s”.", code=line.account), f"lines-{n}-account"
                )
        if account is None or account.id is None:
            raise LedgerError(_l("Choose an account."), f"lines-{n}-account")
        if not account.is_active:
            raise LedgerError(
                _l("Account %(code)s is no longer in use.", code=account.code),
                f"lines-{n}-account",
            )
        for side in ("debit", "credit"):
            if not _is_amount(getattr(line, f"{side}_cents")):
                raise LedgerError(_l("Enter an amount in whole cents."), f"lines-{n}-{side}")
        if (line.debit_cents > 0) == (line.credit_cents > 0):
            raise LedgerError(
                _l("Enter either a debit or a credit amount on each line."), f"lines-{n}-debit"
            )
        if line.cost_centre_id is not None and line.cost_centre_id not in centres:
            raise LedgerError(_l("Unknown cost centre."), f"lines-{n}-cost_centre")
        resolved.append((line, account))
    debit = sum(line.debit_cents for line in spec.lines)
    credit = sum(line.credit_cents for line in spec.lines)
    if debit != credit:
        raise LedgerError(
            _l("The entry does not balance: debit %(debit)s, credit %(credit)s "
               "(difference %(difference)s).", debit=_money(debit), credit=_money(credit),
               difference=_money(abs(debit - credit))),
            "lines",
        )
    if debit > MAX_CENTS:
        raise LedgerError(_l("The amount is too large."), "lines")
    return resolved


def _active_centres(lines: Sequence[Line]) -> set[int]:
    """The ids among the lines' cost centres that exist and are active."""
    wanted = {line.cost_centre_id for line in lines if line.cost_centre_id}
    if not wanted:
        return set()
    return set(db.session.scalars(
        select(CostCentre.id).where(CostCentre.id.in_(wanted), CostCentre.is_active)))


def _insert_lines(entries: list[JournalEntry], resolved_lines: list[list],
                  all_lines: list[Line]) -> None:
    """The entries' lines as one executemany (no ids needed back): on SQLite the ORM
    would send one INSERT … RETURNING per line. Every row names the same columns (an
    executemany takes them from the first row), so each carries every link key."""
    links = dict.fromkeys(key for line in all_lines for key in line.links)
    db.session.execute(insert(JournalLine), [
        {"entry_id": entry.id, "account_id": account.id, "debit_cents": line.debit_cents,
         "credit_cents": line.credit_cents,
         "description": (line.description or "").strip() or None,
         "person_id": line.person_id, "invoice_id": line.invoice_id,
         "cost_centre_id": line.cost_centre_id, **links, **line.links}
        for entry, resolved in zip(entries, resolved_lines, strict=True)
        for line, account in resolved
    ])


def _mark_posted(entries: list[JournalEntry]) -> None:
    """Post the drafts with one UPDATE: the database checks each entry's balance now."""
    db.session.execute(
        update(JournalEntry).where(JournalEntry.id.in_([entry.id for entry in entries]))
        .values(status=EntryStatus.POSTED.value)
        .execution_options(synchronize_session=False)
    )
    for entry in entries:
        set_committed_value(entry, "status", EntryStatus.POSTED.value)


def post_entries(specs: Sequence[EntrySpec], *, actor=None, open_missing_year: bool = False,
                 audit_tag: str | None = "finance:entry:post") -> list[JournalEntry]:
    """Validate and post several entries at once (all or nothing); see `post_entry`.

    Inserts every entry as a draft with its lines, then posts them with one UPDATE (the
    database checks the balance of each at that moment), so a batch of a thousand dues
    invoices costs a handful of statements, not thousands.
    """
    if not specs:
        return []
    all_lines = [line for spec in specs for line in spec.lines]
    accounts = _resolve_accounts(all_lines)
    centres = _active_centres(all_lines)
    checked = [(spec, _validate(spec, accounts, centres)) for spec in specs]

    years: dict[int, FiscalYear] = {}
    numbers: dict[int, int] = {}
    entries: list[JournalEntry] = []
    created_by = audit.acting_user_id(actor)
    for spec, _resolved in checked:
        held = next((year for year in years.values()
                     if year.start_date <= spec.entry_date <= year.end_date), None)
        if held is None:
            fiscal_year = _year_for_posting(spec.entry_date, open_missing_year)
            held = years[fiscal_year.year] = _lock_year(fiscal_year)
            # The lock re-read the row: check again that it is still open.
            if held.status != FiscalYearStatus.OPEN:
                raise LedgerError(
                    _l("Fiscal year %(year)s is closed: nothing can be posted in it.",
                       year=fiscal_year.year), "entry_date")
            numbers[held.year] = held.last_entry_number
        # Numbers are counted here and stored once per year below: one UPDATE, not one
        # per entry (each would be flushed by the next query).
        numbers[held.year] += 1
        entries.append(JournalEntry(
            fiscal_year=held.year,
            number=numbers[held.year],
            entry_date=spec.entry_date,
            description=spec.description.strip(),
            reference=(spec.reference or "").strip() or None,
            status=EntryStatus.DRAFT.value,
            source=EntrySource(spec.source).value,
            source_id=spec.source_id,
            reverses_entry_id=spec.reverses_entry_id,
            created_by_id=created_by,
        ))
    for year, number in numbers.items():
        years[year].last_entry_number = number
    db.session.add_all(entries)
    db.session.flush()
    _insert_lines(entries, [resolved for _spec, resolved in checked], all_lines)
    _mark_posted(entries)
    if audit_tag:
        for entry, (spec, _resolved) in zip(entries, checked, strict=True):
            audit.record(
                audit_tag,
                {"number": entry.display_number, "date": entry.entry_date.isoformat(),
                 "description": entry.description, "source": entry.source,
                 "source_id": entry.source_id,
                 "amount_cents": sum(line.debit_cents for line in spec.lines)},
                obj=entry, actor=actor, flush=False,
            )
        db.session.flush()
    return entries


def post_entry(
    entry_date: date,
    description: str,
    lines: Sequence[Line],
    *,
    reference: str | None = None,
    source: str = EntrySource.MANUAL,
    source_id: int | None = None,
    actor=None,
    open_missing_year: bool = False,
) -> JournalEntry:
    """Post one journal entry and return it (flushed, numbered, audited).

    `source`/`source_id` name the event that made it (e.g. a dues payment); the database
    allows one entry per event. `open_missing_year` lets automatic postings open the
    fiscal year of their date when it does not exist yet.

    Raises LedgerError (with the field) for: no description, fewer than two lines, a
    line with neither or both of debit and credit, an amount that is not whole cents,
    an unknown or inactive account or cost centre, debits unequal to credits, a date in
    no fiscal year or in a closed one.
    """
    spec = EntrySpec(entry_date, description, lines, reference, source, source_id)
    return post_entries([spec], actor=actor, open_missing_year=open_missing_year)[0]


def entry_lines(entry: JournalEntry) -> list[JournalLine]:
    return list(db.session.scalars(
        select(JournalLine).where(JournalLine.entry_id == entry.id).order_by(JournalLine.id)
    ))


@dataclass(frozen=True)
class EntryPerson:
    person_id: int
    name: str


def persons_of_entries(entry_ids: Sequence[int]) -> dict[int, list[EntryPerson]]:
    """The persons the lines of these entries link to, by entry id, with their name as
    the register holds it now. Entries are described without names (a posted entry is
    never changed, a name must be erasable): pages show the name through this link, and
    an anonymised former member shows as such."""
    ids = sorted(set(entry_ids))
    found: dict[int, list[EntryPerson]] = {}
    for offset in range(0, len(ids), 500):
        rows = db.session.execute(
            select(JournalLine.entry_id, Person).distinct()
            .join(Person, Person.id == JournalLine.person_id)
            .where(JournalLine.entry_id.in_(ids[offset:offset + 500]))
            .order_by(JournalLine.entry_id, Person.id)
        ).all()
        for entry_id, person in rows:
            found.setdefault(entry_id, []).append(EntryPerson(person.id, person.display_name))
    return found


def reversal_of(entry: JournalEntry) -> JournalEntry | None:
    return db.session.scalar(
        select(JournalEntry).where(JournalEntry.reverses_entry_id == entry.id)
    )


def can_reverse(entry: JournalEntry, reversed_by: JournalEntry | None) -> bool:
    """Whether `entry` may be reversed: not a reversal or a closing entry (those are
    undone by their own actions), and not reversed already (`reversed_by`)."""
    return (entry.source not in (EntrySource.REVERSAL.value, EntrySource.YEAR_CLOSE.value)
            and reversed_by is None)


def reverse_entry(entry: JournalEntry, entry_date: date, reason: str, *,
                  actor=None) -> JournalEntry:
    """Post the mirror image of `entry` (debits become credits) dated `entry_date`, with
    the same links, and audit it with the reason.

    Raises LedgerError without a reason, for an entry already reversed, for a reversal
    or a closing entry (those are undone by their own actions), for a date before the
    entry, or for a date in no open fiscal year.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_l("Give a reason."), "reason")
    if len(reason) > 200:
        raise LedgerError(_l("The reason is too long (at most 200 characters)."), "reason")
    if entry.status != EntryStatus.POSTED:
        raise LedgerError(_l("Only a posted entry can be reversed."))
    if entry.source in (EntrySource.REVERSAL, EntrySource.YEAR_CLOSE):
        raise LedgerError(_l("A reversal or a closing entry cannot be reversed."))
    if reversal_of(entry) is not None:
        raise LedgerError(_l("This entry has already been reversed."))
    if entry_date < entry.entry_date:
        raise LedgerError(_l("A reversal cannot be dated before the entry."), "entry_date")
    mirrored = [
        Line(
            account=db.session.get(LedgerAccount, line.account_id),
            debit_cents=line.credit_cents,
            credit_cents=line.debit_cents,
            description=line.description,
            person_id=line.person_id,
            invoice_id=line.invoice_id,
            cost_centre_id=line.cost_centre_id,
            links={"agreement_id": line.agreement_id} if line.agreement_id else {},
        )
        for line in entry_lines(entry)
    ]
    spec = EntrySpec(
        entry_date=entry_date,
        description=f"Correctie van {entry.display_number}: {reason}"[:300],
        lines=mirrored,
        reference=entry.reference,
        source=EntrySource.REVERSAL,
        reverses_entry_id=entry.id,
    )
    # The reason field of the form is where a date problem is shown too.
    reversal = post_entries([spec], actor=actor, audit_tag=None)[0]
    audit.record(
        "finance:entry:reverse",
        {"number": entry.display_number, "reversal": reversal.display_number,
         "date": entry_date.isoformat(), "reason": reason},
        obj=entry, actor=actor,
    )
    return reversal


def sum_lines(entry: JournalEntry) -> tuple[int, int]:
    debit, credit = db.session.execute(
        select(func.coalesce(func.sum(JournalLine.debit_cents), 0),
               func.coalesce(func.sum(JournalLine.credit_cents), 0))
        .where(JournalLine.entry_id == entry.id)
    ).one()
    return int(debit), int(credit)


# Closing and reopening a year, the kascommissie ---------------------------------------


def _result_balances(fiscal_year: FiscalYear) -> list[tuple[LedgerAccount, int]]:
    """Income and expense accounts with their balance (debit minus credit) in the year."""
    rows = db.session.execute(
        select(LedgerAccount, func.sum(JournalLine.debit_cents - JournalLine.credit_cents))
        .join(JournalLine, JournalLine.account_id == LedgerAccount.id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.fiscal_year == fiscal_year.year,
               JournalEntry.status == EntryStatus.POSTED.value,
               LedgerAccount.kind.in_((AccountKind.INCOME.value, AccountKind.EXPENSE.value)))
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.code)
    ).all()
    return [(account, int(cents)) for account, cents in rows if cents]


def close_fiscal_year(fiscal_year: FiscalYear, actor=None) -> JournalEntry | None:
    """Close the year: a closing entry on its last day moves every income and expense
    balance to the general reserve, then nothing more can be posted in it. Returns the
    closing entry (None for a year without income or costs).

    Raises LedgerError for a year that is not open, while an earlier year is still open,
    or when the chart has no general reserve account.
    """
    fiscal_year = _lock_year(fiscal_year)
    if fiscal_year.status != FiscalYearStatus.OPEN:
        raise LedgerError(_l("Fiscal year %(year)s is not open.", year=fiscal_year.year))
    earlier_open = db.session.scalar(
        select(FiscalYear.year).where(FiscalYear.year < fiscal_year.year,
                                      FiscalYear.status == FiscalYearStatus.OPEN.value)
        .order_by(FiscalYear.year).limit(1)
    )
    if earlier_open is not None:
        raise LedgerError(
            _l("Close fiscal year %(year)s first.", year=earlier_open)
        )
    balances = _result_balances(fiscal_year)
    entry = None
    if balances:
        reserve = account_for(AccountPurpose.GENERAL_RESERVE)
        lines = [
            Line(account, debit_cents=max(-cents, 0), credit_cents=max(cents, 0))
            for account, cents in balances
        ]
        result = -sum(cents for _account, cents in balances)  # income minus expenses
        if result:
            lines.append(Line(reserve, debit_cents=max(-result, 0),
                              credit_cents=max(result, 0)))
        spec = EntrySpec(
            entry_date=fiscal_year.end_date,
            description=f"Afsluiting boekjaar {fiscal_year.year}: resultaat naar "
                        f"{reserve.name}",
            lines=lines, source=EntrySource.YEAR_CLOSE,
        )
        entry = post_entries([spec], actor=actor, audit_tag=None)[0]
    else:
        result = 0
    fiscal_year.status = FiscalYearStatus.CLOSED.value
    fiscal_year.closed_at = utcnow()
    fiscal_year.closed_by_id = audit.acting_user_id(actor)
    db.session.flush()
    audit.record(
        "finance:year:close",
        {"year": fiscal_year.year, "result_cents": result,
         "closing_entry": entry.display_number if entry else None},
        obj=fiscal_year, actor=actor,
    )
    return entry


def _open_closing_entry(fiscal_year: FiscalYear) -> JournalEntry | None:
    """The year's closing entry that has not been undone yet."""
    undone = select(JournalEntry.reverses_entry_id).where(
        JournalEntry.reverses_entry_id.is_not(None)
    )
    return db.session.scalar(
        select(JournalEntry).where(
            JournalEntry.fiscal_year == fiscal_year.year,
            JournalEntry.source == EntrySource.YEAR_CLOSE.value,
            JournalEntry.reverses_entry_id.is_(None),
            JournalEntry.id.not_in(undone),
        )
    )


def reopen_fiscal_year(fiscal_year: FiscalYear, reason: str, actor=None) -> FiscalYear:
    """Reopen a closed year: its closing entry is undone by a mirror entry (the year's
    result shows again) and any sign-off by the kascommissie lapses, since the books
    may change. Audited with the reason and the former sign-off.

    Raises LedgerError without a reason, for a year that is not closed, or while a
    later year is closed (close that one's successor last, reopen it first).
    """
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_l("Give a reason."), "reason")
    fiscal_year = _lock_year(fiscal_year)
    if fiscal_year.status != FiscalYearStatus.CLOSED:
        raise LedgerError(_l("Fiscal year %(year)s is not closed.", year=fiscal_year.year))
    later_closed = db.session.scalar(
        select(FiscalYear.year).where(FiscalYear.year > fiscal_year.year,
                                      FiscalYear.status == FiscalYearStatus.CLOSED.value)
        .limit(1)
    )
    if later_closed is not None:
        raise LedgerError(_l("Reopen fiscal year %(year)s first.", year=later_closed))
    signed_off = fiscal_year.signed_off_at
    fiscal_year.status = FiscalYearStatus.OPEN.value
    fiscal_year.closed_at = None
    fiscal_year.closed_by_id = None
    fiscal_year.signed_off_at = None
    fiscal_year.signed_off_by_id = None
    db.session.flush()
    closing = _open_closing_entry(fiscal_year)
    undo = None
    if closing is not None:
        mirrored = [
            Line(db.session.get(LedgerAccount, line.account_id),
                 debit_cents=line.credit_cents, credit_cents=line.debit_cents)
            for line in entry_lines(closing)
        ]
        undo = post_entries([EntrySpec(
            entry_date=fiscal_year.end_date,
            description=f"Heropening boekjaar {fiscal_year.year}: afsluiting "
                        f"{closing.display_number} teruggedraaid",
            lines=mirrored, source=EntrySource.YEAR_CLOSE, reverses_entry_id=closing.id,
        )], actor=actor, audit_tag=None)[0]
    audit.record(
        "finance:year:reopen",
        {"year": fiscal_year.year, "reason": reason,
         "signed_off_at": signed_off.isoformat() if signed_off else None,
         "undone_closing_entry": closing.display_number if closing else None,
         "undo_entry": undo.display_number if undo else None},
        obj=fiscal_year, actor=actor,
    )
    return fiscal_year


def record_finding(fiscal_year: FiscalYear, text: str, actor=None):
    """The kascommissie records a finding on a year. Raises LedgerError for empty text."""

    text = (text or "").strip()
    if not text:
        raise LedgerError(_l("Write down the finding."), "text")
    if len(text) > 5000:
        raise LedgerError(_l("The text is too long (at most 5000 characters)."), "text")
    actor = audit.acting_user(actor)
    finding = AuditFinding(
        fiscal_year=fiscal_year.year, text=text,
        recorded_by_id=actor.id if actor is not None else None,
        recorded_by_label=actor.email if actor is not None else "system",
    )
    db.session.add(finding)
    db.session.flush()
    audit.record("finance:finding:record", {"year": fiscal_year.year, "text": text},
                 obj=finding, actor=actor)
    return finding


def sign_off_fiscal_year(fiscal_year: FiscalYear, actor=None) -> FiscalYear:
    """The kascommissie signs off a closed year's books. Raises LedgerError for a year
    that is not closed or already signed off."""
    fiscal_year = _lock_year(fiscal_year)
    if fiscal_year.status != FiscalYearStatus.CLOSED:
        raise LedgerError(_l("Only a closed fiscal year can be signed off."))
    if fiscal_year.signed_off_at is not None:
        raise LedgerError(_l("This fiscal year has already been signed off."))
    fiscal_year.signed_off_at = utcnow()
    fiscal_year.signed_off_by_id = audit.acting_user_id(actor)
    db.session.flush()
    audit.record("finance:year:sign_off", {"year": fiscal_year.year}, obj=fiscal_year,
                 actor=actor)
    return fiscal_year


# Budgets -----------------------------------------------------------------------------


def _refuse_closed_budget_year(year: int) -> None:
    """A closed year's budget is part of its accounts (the kascommissie checked budget
    against actual): it no longer changes. A year not opened yet can be budgeted."""
    status = db.session.scalar(select(FiscalYear.status).where(FiscalYear.year == year))
    if status == FiscalYearStatus.CLOSED.value:
        raise LedgerError(
            _l("Fiscal year %(year)s is closed: its budget can no longer change.", year=year),
            "fiscal_year",
        )


def set_budget(fiscal_year: int, account: LedgerAccount, amount_cents: int,
               cost_centre: CostCentre | None = None, actor=None):
    """Set (or replace) the budget of an income or expense account for a year,
    optionally for one cost centre. Raises LedgerError for a balance sheet account, a
    year out of range or closed, or a negative amount."""

    if not 2000 <= fiscal_year <= 2100:
        raise LedgerError(_l("Enter a year between 2000 and 2100."), "fiscal_year")
    _refuse_closed_budget_year(fiscal_year)
    if account is None:
        raise LedgerError(_l("Choose an account."), "account")
    if account.kind not in (AccountKind.INCOME, AccountKind.EXPENSE):
        raise LedgerError(_l("Budgets are for income and expense accounts."), "account")
    if not _is_amount(amount_cents):
        raise LedgerError(_l("The amount cannot be negative."), "amount")
    centre_id = cost_centre.id if cost_centre is not None else None
    budget = db.session.scalar(select(Budget).where(
        Budget.fiscal_year == fiscal_year, Budget.account_id == account.id,
        Budget.cost_centre_id.is_(None) if centre_id is None
        else Budget.cost_centre_id == centre_id,
    ))
    old = budget.amount_cents if budget is not None else None
    if budget is None:
        budget = Budget(fiscal_year=fiscal_year, account_id=account.id,
                        cost_centre_id=centre_id, amount_cents=amount_cents)
        db.session.add(budget)
    else:
        budget.amount_cents = amount_cents
    db.session.flush()
    audit.record("finance:budget:set",
                 {"year": fiscal_year, "account": account.code, "cost_centre_id": centre_id,
                  "amount_cents": [old, amount_cents]}, obj=budget, actor=actor)
    return budget


def remove_budget(budget, actor=None) -> None:
    """Remove a budget line (the account then shows at a budget of zero if it has
    income or costs). Audited with the amount, so it can be put back. Raises
    LedgerError when the budget's fiscal year is closed."""
    _refuse_closed_budget_year(budget.fiscal_year)
    account = db.session.get(LedgerAccount, budget.account_id)
    details = {"year": budget.fiscal_year, "account": account.code,
               "cost_centre_id": budget.cost_centre_id, "amount_cents": budget.amount_cents}
    audit.record("finance:budget:remove", details, obj=budget, actor=actor)
    db.session.delete(budget)
    db.session.flush()
