"""The ledger's reports, each computed by the database with GROUP BY over posted lines:
the trial balance, the general ledger of one account, the balance sheet, the statement
of income and expenditure in the RJ 650 model categories, budget versus actual, and a
cash forecast. Rows are plain dataclasses, so pages, CSV/XLSX and PDFs share them.

Signs: a balance is debit minus credit. Reports show income, liabilities and equity as
positive amounts (credit minus debit), as a treasurer reads them.

The closing entry of a year moves its result to the general reserve; the statement of
income leaves closing entries out (else a closed year would show no result), the trial
balance and the balance sheet include them.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, and_, case, false, func, literal, select, union_all

from coop.extensions import db
from coop.ledger import signals
from coop.ledger.models import (
    RAISED_INCOME,
    AccountKind,
    AccountPurpose,
    BalanceCategory,
    Budget,
    CostCategory,
    CostCentre,
    EntrySource,
    EntryStatus,
    IncomeCategory,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from coop.signals import values_from_signal

CREDIT_NORMAL = (AccountKind.LIABILITY, AccountKind.EQUITY, AccountKind.INCOME)


def _posted(start: date | None = None, end: date | None = None, *, closing: bool = True):
    conditions = [JournalEntry.status == EntryStatus.POSTED.value]
    if start is not None:
        conditions.append(JournalEntry.entry_date >= start)
    if end is not None:
        conditions.append(JournalEntry.entry_date <= end)
    if not closing:
        conditions.append(JournalEntry.source != EntrySource.YEAR_CLOSE.value)
    return and_(*conditions)


def _accounts() -> dict[int, LedgerAccount]:
    return {a.id: a for a in db.session.scalars(select(LedgerAccount).order_by(LedgerAccount.code))}


def natural(kind: str, debit_minus_credit: int) -> int:
    """A balance as the account's kind reads it: income and debts as positive figures."""
    return -debit_minus_credit if kind in CREDIT_NORMAL else debit_minus_credit


# Trial balance -----------------------------------------------------------------------


@dataclass
class TrialBalanceRow:
    code: str
    name: str
    kind: str
    account_id: int
    opening_cents: int  # debit minus credit before the period
    debit_cents: int
    credit_cents: int

    @property
    def closing_cents(self) -> int:
        return self.opening_cents + self.debit_cents - self.credit_cents


@dataclass
class TrialBalance:
    start: date
    end: date
    rows: list[TrialBalanceRow]

    @property
    def debit_cents(self) -> int:
        return sum(r.debit_cents for r in self.rows)

    @property
    def credit_cents(self) -> int:
        return sum(r.credit_cents for r in self.rows)

    @property
    def opening_cents(self) -> int:
        return sum(r.opening_cents for r in self.rows)

    @property
    def closing_cents(self) -> int:
        return sum(r.closing_cents for r in self.rows)


def trial_balance(start: date, end: date) -> TrialBalance:
    """Per account with postings up to `end`: the balance before `start`, the debits and
    credits within the period. Opening and closing totals are zero, and debits equal
    credits, in books that balance."""
    before = JournalEntry.entry_date < start
    query = (
        select(
            JournalLine.account_id,
            func.sum(case((before, JournalLine.debit_cents - JournalLine.credit_cents),
                          else_=0)),
            func.sum(case((before, 0), else_=JournalLine.debit_cents)),
            func.sum(case((before, 0), else_=JournalLine.credit_cents)),
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(_posted(end=end))
        .group_by(JournalLine.account_id)
    )
    sums = {row[0]: row[1:] for row in db.session.execute(query)}
    rows = []
    for account in _accounts().values():
        if account.id not in sums:
            continue
        opening, debit, credit = (int(value or 0) for value in sums[account.id])
        rows.append(TrialBalanceRow(account.code, account.name, account.kind, account.id,
                                    opening, debit, credit))
    return TrialBalance(start, end, rows)


# General ledger ----------------------------------------------------------------------


@dataclass
class LedgerLine:
    entry_id: int
    number: str
    entry_date: date
    description: str
    reference: str | None
    debit_cents: int
    credit_cents: int
    balance_cents: int  # running, debit minus credit, from the start of the books


def balance_before(account: LedgerAccount, day: date) -> int:
    return int(db.session.scalar(
        select(func.coalesce(func.sum(JournalLine.debit_cents - JournalLine.credit_cents), 0))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalLine.account_id == account.id, _posted(),
               JournalEntry.entry_date < day)
    ))


def general_ledger(account: LedgerAccount, start: date, end: date, *, offset: int = 0,
                   limit: int | None = None) -> list[LedgerLine]:
    """The lines of `account` in the period, oldest first, with the running balance
    (a window sum in the database, so a page needs no earlier rows)."""
    running = func.sum(JournalLine.debit_cents - JournalLine.credit_cents).over(
        order_by=(JournalEntry.entry_date, JournalEntry.id, JournalLine.id)
    )
    inner = (
        select(
            JournalEntry.id.label("entry_id"), JournalEntry.fiscal_year, JournalEntry.number,
            JournalEntry.entry_date, JournalEntry.description, JournalEntry.reference,
            JournalLine.id.label("line_id"), JournalLine.description.label("line_description"),
            JournalLine.debit_cents, JournalLine.credit_cents, running.label("running"),
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalLine.account_id == account.id, _posted(start, end))
        .subquery()
    )
    query = select(inner).order_by(inner.c.entry_date, inner.c.entry_id, inner.c.line_id)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    opening = balance_before(account, start)
    return [
        LedgerLine(
            entry_id=row.entry_id,
            number=f"{row.fiscal_year}-{row.number:06d}",
            entry_date=row.entry_date,
            description=row.line_description or row.description,
            reference=row.reference,
            debit_cents=int(row.debit_cents),
            credit_cents=int(row.credit_cents),
            balance_cents=opening + int(row.running),
        )
        for row in db.session.execute(query)
    ]


# Balance sheet -----------------------------------------------------------------------


@dataclass
class ReportGroup:
    category: str
    accounts: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, cents

    @property
    def total_cents(self) -> int:
        return sum(cents for _c, _n, cents in self.accounts)


@dataclass
class BalanceSheet:
    as_of: date
    assets: list[ReportGroup]
    liabilities: list[ReportGroup]
    equity: list[ReportGroup]
    # Income minus expenses not yet moved to equity by a closing entry.
    unappropriated_result_cents: int

    @property
    def assets_cents(self) -> int:
        return sum(g.total_cents for g in self.assets)

    @property
    def liabilities_cents(self) -> int:
        return sum(g.total_cents for g in self.liabilities)

    @property
    def equity_cents(self) -> int:
        """Reserves and funds plus the result not yet appropriated."""
        return sum(g.total_cents for g in self.equity) + self.unappropriated_result_cents

    @property
    def balances(self) -> bool:
        return self.assets_cents == self.liabilities_cents + self.equity_cents


def _balances_up_to(end: date, start: date | None = None, *, closing: bool = True,
                     cost_centre_id: int | None = None) -> dict[int, int]:
    query = (
        select(JournalLine.account_id,
               func.sum(JournalLine.debit_cents - JournalLine.credit_cents))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(_posted(start, end, closing=closing))
        .group_by(JournalLine.account_id)
    )
    if cost_centre_id is not None:
        query = query.where(JournalLine.cost_centre_id == cost_centre_id)
    return {account_id: int(cents) for account_id, cents in db.session.execute(query)}


def _groups(accounts, balances, kind: AccountKind, order) -> list[ReportGroup]:
    groups = {str(category): ReportGroup(str(category)) for category in order}
    for account in accounts.values():
        if account.kind != kind or account.id not in balances:
            continue
        cents = natural(kind, balances[account.id])
        if cents or balances[account.id] == 0:
            groups[account.category].accounts.append((account.code, account.name, cents))
    return [g for g in groups.values() if g.accounts]


def balance_sheet(as_of: date) -> BalanceSheet:
    balances = _balances_up_to(as_of)
    accounts = _accounts()
    result = -sum(
        cents for account_id, cents in balances.items()
        if accounts[account_id].kind in (AccountKind.INCOME, AccountKind.EXPENSE)
    )
    return BalanceSheet(
        as_of=as_of,
        assets=_groups(accounts, balances, AccountKind.ASSET, (
            BalanceCategory.FIXED_ASSETS, BalanceCategory.RECEIVABLES,
            BalanceCategory.LIQUID_ASSETS)),
        liabilities=_groups(accounts, balances, AccountKind.LIABILITY, (
            BalanceCategory.LONG_TERM_DEBTS, BalanceCategory.SHORT_TERM_DEBTS)),
        equity=_groups(accounts, balances, AccountKind.EQUITY, (
            BalanceCategory.RESERVES, BalanceCategory.FUNDS)),
        unappropriated_result_cents=result,
    )


# Statement of income and expenditure --------------------------------------------------


@dataclass
class IncomeStatement:
    start: date
    end: date
    income: list[ReportGroup]
    expenses: list[ReportGroup]

    def _total(self, groups, categories=None) -> int:
        return sum(g.total_cents for g in groups
                   if categories is None or g.category in categories)

    @property
    def raised_income_cents(self) -> int:
        """Som van de geworven baten."""
        return self._total(self.income, {str(c) for c in RAISED_INCOME})

    @property
    def income_cents(self) -> int:
        return self._total(self.income)

    @property
    def expenses_cents(self) -> int:
        return self._total(self.expenses)

    @property
    def result_cents(self) -> int:
        return self.income_cents - self.expenses_cents


def income_statement(start: date, end: date,
                     cost_centre_id: int | None = None) -> IncomeStatement:
    """Income per RJ 650 category and costs per cost category over the period, leaving
    out closing entries; optionally for one cost centre."""
    balances = _balances_up_to(end, start, closing=False, cost_centre_id=cost_centre_id)
    accounts = _accounts()
    return IncomeStatement(
        start=start, end=end,
        income=_groups(accounts, balances, AccountKind.INCOME, tuple(IncomeCategory)),
        expenses=_groups(accounts, balances, AccountKind.EXPENSE, tuple(CostCategory)),
    )


def equity_including_result(as_of: date) -> int:
    """Reserves, funds and the unappropriated result on a day: what a year's result
    changes."""
    return balance_sheet(as_of).equity_cents


# Budgets -----------------------------------------------------------------------------


@dataclass
class BudgetRow:
    code: str
    name: str
    kind: str
    cost_centre: str | None
    budget_cents: int
    actual_cents: int
    budget_id: int | None = None  # None: no budget line, only income or costs

    @property
    def difference_cents(self) -> int:
        return self.actual_cents - self.budget_cents


def budget_vs_actual(fiscal_year: int, start: date, end: date) -> list[BudgetRow]:
    """Every budget line of the year beside what was actually booked on its account
    (and cost centre) in the year, closing entries left out; and accounts with
    income or costs but no budget, at a budget of zero."""
    actual_query = (
        select(JournalLine.account_id, JournalLine.cost_centre_id,
               func.sum(JournalLine.debit_cents - JournalLine.credit_cents))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(_posted(start, end, closing=False),
               LedgerAccount.kind.in_((AccountKind.INCOME.value, AccountKind.EXPENSE.value)))
        .group_by(JournalLine.account_id, JournalLine.cost_centre_id)
    )
    actual_by_centre: dict[tuple[int, int | None], int] = {}
    actual_by_account: dict[int, int] = {}
    for account_id, centre_id, cents in db.session.execute(actual_query):
        actual_by_centre[(account_id, centre_id)] = int(cents)
        actual_by_account[account_id] = actual_by_account.get(account_id, 0) + int(cents)
    accounts = _accounts()
    centres = dict(db.session.execute(select(CostCentre.id, CostCentre.code)).all())
    budgets = db.session.scalars(select(Budget).where(Budget.fiscal_year == fiscal_year))
    rows, budgeted_accounts = [], set()
    for budget in budgets:
        account = accounts[budget.account_id]
        if budget.cost_centre_id is None:
            actual = actual_by_account.get(account.id, 0)
            budgeted_accounts.add(account.id)
        else:
            actual = actual_by_centre.get((account.id, budget.cost_centre_id), 0)
        rows.append(BudgetRow(account.code, account.name, account.kind,
                              centres.get(budget.cost_centre_id), budget.amount_cents,
                              natural(account.kind, actual), budget.id))
    for account_id, actual in actual_by_account.items():
        if account_id not in budgeted_accounts and not any(
            r.code == accounts[account_id].code for r in rows
        ):
            account = accounts[account_id]
            rows.append(BudgetRow(account.code, account.name, account.kind, None, 0,
                                  natural(account.kind, actual)))
    rows.sort(key=lambda r: (r.code, r.cost_centre or ""))
    return rows


# Cash forecast -----------------------------------------------------------------------


@dataclass
class ForecastMonth:
    month: date  # first day
    receivables_cents: int  # open dues falling due in the month (overdue: first month)
    payables_cents: int  # open payables (all in the first month: they carry no due date)
    balance_cents: int  # expected liquid assets at the end of the month


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _open_receivables():
    """The open items of every domain with money to come in (`signals.open_receivables`)
    as one subquery of (due_date, remaining_cents)."""
    sources = values_from_signal(signals.open_receivables)
    if not sources:
        return select(literal(None, Date).label("due_date"),
                      literal(0).label("remaining_cents")).where(false()).subquery()
    return (sources[0] if len(sources) == 1 else union_all(*sources)).subquery()


def cash_forecast(today: date, months: int = 12) -> tuple[int, list[ForecastMonth]]:
    """Liquid assets today, then month by month: plus the open dues invoices by due
    month (overdue ones in the first), minus open payables (in the first month)."""
    balances = _balances_up_to(today)
    accounts = _accounts()
    liquid = sum(cents for account_id, cents in balances.items()
                 if accounts[account_id].category == BalanceCategory.LIQUID_ASSETS)
    payables = sum(natural(accounts[a].kind, cents) for a, cents in balances.items()
                   if accounts[a].category == BalanceCategory.SHORT_TERM_DEBTS)
    first = date(today.year, today.month, 1)
    receivables = _open_receivables()
    due_month = case((receivables.c.due_date < first, first), else_=receivables.c.due_date)
    open_rows = db.session.execute(
        select(due_month, receivables.c.remaining_cents)
        .where(receivables.c.due_date < _add_months(first, months))
    ).all()
    by_month: dict[date, int] = {}
    for day, remaining in open_rows:
        if isinstance(day, str):  # SQLite returns the CASE's date as text
            day = date.fromisoformat(day)
        key = date(day.year, day.month, 1)
        by_month[key] = by_month.get(key, 0) + int(remaining)
    result, running = [], liquid
    for n in range(months):
        month = _add_months(first, n)
        receivable = by_month.get(month, 0)
        payable = payables if n == 0 else 0
        running += receivable - payable
        result.append(ForecastMonth(month, receivable, payable, running))
    return liquid, result


def last_day_of_month(day: date) -> date:
    return _add_months(day, 1) - timedelta(days=1)


# The dashboard's ledger tile ---------------------------------------------------------


@dataclass
class LedgerTile:
    bank_account_id: int | None  # None: no account has the bank purpose
    bank_cents: int  # the bank account's balance today
    fiscal_year: int
    result_cents: int  # income minus costs from the start of the fiscal year to today
    receivables_cents: int  # still to be paid on open dues invoices


def ledger_tile(today: date, fiscal_year: int, year_start: date) -> LedgerTile:
    """Three figures for the dashboard in one SELECT of scalar subqueries: the bank
    balance, this fiscal year's result so far (closing entries left out) and the open
    dues receivables (as the cash forecast counts them)."""
    bank_id = (select(LedgerAccount.id)
               .where(LedgerAccount.purpose == AccountPurpose.BANK.value)
               .scalar_subquery())
    bank = (
        select(func.coalesce(func.sum(JournalLine.debit_cents - JournalLine.credit_cents), 0))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalLine.account_id == bank_id, _posted(end=today))
        .scalar_subquery()
    )
    result = (
        select(func.coalesce(func.sum(JournalLine.credit_cents - JournalLine.debit_cents), 0))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(LedgerAccount.kind.in_((AccountKind.INCOME.value, AccountKind.EXPENSE.value)),
               _posted(year_start, today, closing=False))
        .scalar_subquery()
    )
    receivables = _open_receivables()
    still_to_come = (select(func.coalesce(func.sum(receivables.c.remaining_cents), 0))
                     .scalar_subquery())
    row = db.session.execute(select(bank_id, bank, result, still_to_come)).one()
    return LedgerTile(row[0], int(row[1]), fiscal_year, int(row[2]), int(row[3]))
