"""The double-entry ledger: chart of accounts, cost centres, fiscal years, journal
entries and their lines, budgets and the kascommissie's findings.

A journal entry is written as a draft with its lines and then posted in the same
transaction. From the moment it is posted the database guards it (triggers below, on
SQLite and PostgreSQL alike):

- posting is refused unless the entry has two or more lines whose debits equal their
  credits, and its date lies in its fiscal year while that year is open;
- an entry cannot be inserted as posted (it would have no lines when checked);
- a posted entry and its lines can no longer be updated or deleted, nor can lines be
  added to it. A mistake is corrected by a reversing entry.

Amounts are integer cents, each line either a debit or a credit, never both.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class IncomeCategory(StrEnum):
    """The income side of the RJ 650 / Richtlijn C2 model statement."""

    PRIVATE_INDIVIDUALS = "private_individuals"  # baten van particulieren
    COMPANIES = "companies"  # baten van bedrijven
    LOTTERIES = "lotteries"  # baten van loterijorganisaties
    GOVERNMENT_GRANTS = "government_grants"  # baten van subsidies van overheden
    AFFILIATED_NONPROFITS = "affiliated_nonprofits"  # verbonden organisaties z.w.
    OTHER_NONPROFITS = "other_nonprofits"  # andere organisaties zonder winststreven
    GOODS_AND_SERVICES = "goods_and_services"  # baten als tegenprestatie
    OTHER_INCOME = "other_income"  # overige baten


# The first six together are "som van de geworven baten".
RAISED_INCOME = (
    IncomeCategory.PRIVATE_INDIVIDUALS,
    IncomeCategory.COMPANIES,
    IncomeCategory.LOTTERIES,
    IncomeCategory.GOVERNMENT_GRANTS,
    IncomeCategory.AFFILIATED_NONPROFITS,
    IncomeCategory.OTHER_NONPROFITS,
)


class CostCategory(StrEnum):
    """The expenditure side of the RJ 650 model (lasten by destination)."""

    OBJECTIVES = "objectives"  # besteed aan doelstellingen
    FUNDRAISING = "fundraising"  # wervingskosten
    MANAGEMENT = "management"  # kosten beheer en administratie
    FINANCIAL = "financial"  # financiële baten en lasten (bank costs, interest)


class BalanceCategory(StrEnum):
    """Where an asset, liability or equity account sits on the balance sheet."""

    FIXED_ASSETS = "fixed_assets"  # materiële vaste activa
    RECEIVABLES = "receivables"  # vorderingen
    LIQUID_ASSETS = "liquid_assets"  # liquide middelen
    RESERVES = "reserves"  # reserves
    FUNDS = "funds"  # fondsen (bestemmingsfondsen)
    LONG_TERM_DEBTS = "long_term_debts"  # langlopende schulden
    SHORT_TERM_DEBTS = "short_term_debts"  # kortlopende schulden


CATEGORIES_BY_KIND: dict[AccountKind, tuple[str, ...]] = {
    AccountKind.ASSET: (
        BalanceCategory.FIXED_ASSETS, BalanceCategory.RECEIVABLES,
        BalanceCategory.LIQUID_ASSETS,
    ),
    AccountKind.LIABILITY: (BalanceCategory.LONG_TERM_DEBTS, BalanceCategory.SHORT_TERM_DEBTS),
    AccountKind.EQUITY: (BalanceCategory.RESERVES, BalanceCategory.FUNDS),
    AccountKind.INCOME: tuple(IncomeCategory),
    AccountKind.EXPENSE: tuple(CostCategory),
}


class AccountPurpose(StrEnum):
    """The accounts automatic postings use; at most one account per purpose."""

    CASH = "cash"
    BANK = "bank"
    RECEIVABLES = "receivables"
    PAYABLES = "payables"
    DUES_INCOME = "dues_income"
    BAD_DEBTS = "bad_debts"
    GENERAL_RESERVE = "general_reserve"  # where a closed year's result goes
    DONATIONS_PRIVATE = "donations_private"  # online gifts from private persons
    DONATIONS_COMPANY = "donations_company"  # online gifts from companies
    PAYMENT_FEES = "payment_fees"  # what Mollie keeps of a payment
    VOLUNTEER_ALLOWANCES = "volunteer_allowances"  # approved allowances and their costs
    VOLUNTEER_APPRECIATION = "appreciation"  # coaching, sponsored events
    JOB_FEES = "job_fees"  # fees paid to interns and freelancers


class EntrySource(StrEnum):
    """What made an entry; with `source_id` it is unique, so an event posts once."""

    MANUAL = "manual"
    REVERSAL = "reversal"
    YEAR_CLOSE = "year_close"
    DUES_INVOICE = "dues_invoice"  # an issued dues invoice or credit note
    DUES_PAYMENT = "dues_payment"
    DUES_WRITE_OFF = "dues_write_off"


class EntryStatus(StrEnum):
    DRAFT = "draft"  # only inside the transaction that posts it
    POSTED = "posted"


class FiscalYearStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def _category_check() -> str:
    parts = []
    for kind, categories in CATEGORIES_BY_KIND.items():
        values = ", ".join(repr(str(c)) for c in categories)
        parts.append(f"(kind = '{kind.value}' AND category IN ({values}))")
    return " OR ".join(parts)


class LedgerAccount(db.Model):
    """An account of the chart (grootboekrekening)."""

    __tablename__ = "ledger_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    # The RJ 650 line (income), cost category (expense) or balance sheet group.
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    purpose: Mapped[str | None] = mapped_column(String(20), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", AccountKind), name="kind_known"),
        CheckConstraint(_category_check(), name="category_fits_kind"),
        CheckConstraint(
            f"purpose IS NULL OR {one_of('purpose', AccountPurpose)}", name="purpose_known"
        ),
        CheckConstraint("code <> ''", name="code_not_empty"),
    )

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow with a debit; the others with a credit."""
        return self.kind in (AccountKind.ASSET, AccountKind.EXPENSE)


class CostCentre(db.Model):
    """An initiative or activity that costs and income can be booked to (kostenplaats)."""

    __tablename__ = "cost_centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class FiscalYear(db.Model):
    """A book year, named after the calendar year it starts in (as dues invoices are)."""

    __tablename__ = "fiscal_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, default=FiscalYearStatus.OPEN
    )
    last_entry_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        CheckConstraint(one_of("status", FiscalYearStatus), name="status_known"),
        CheckConstraint("end_date > start_date", name="end_after_start"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name="closed_iff_closed_at"
        ),
    )


class JournalEntry(db.Model):
    """A journal entry (boeking): a date, a description and two or more lines."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("fiscal_year.year"), nullable=False)
    # Gap-free per fiscal year, as the kascommissie expects: 2026-000042.
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_date: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(140))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=EntryStatus.DRAFT)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default=EntrySource.MANUAL)
    source_id: Mapped[int | None] = mapped_column(Integer)
    # A reversal, or the undoing of a year's closing entry when the year is reopened.
    reverses_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("status", EntryStatus), name="status_known"),
        CheckConstraint(one_of("source", EntrySource), name="source_known"),
        CheckConstraint("number > 0", name="number_positive"),
        # Events from elsewhere (a dues invoice, a payment) name their row.
        CheckConstraint(
            "(source IN ('manual', 'reversal', 'year_close')) = (source_id IS NULL)",
            name="source_id_for_events",
        ),
        CheckConstraint(
            "source <> 'reversal' OR reverses_entry_id IS NOT NULL",
            name="reversal_names_its_entry",
        ),
        UniqueConstraint("fiscal_year", "number", name="uq_journal_entry_year_number"),
        # One entry per source event: posting the same invoice twice is refused.
        Index(
            "uq_journal_entry_source", "source", "source_id", unique=True,
            sqlite_where=text("source_id IS NOT NULL"),
            postgresql_where=text("source_id IS NOT NULL"),
        ),
        # Reports filter entries by date, status and source and join their lines: with
        # these in the index the entry rows themselves are never read.
        Index("ix_journal_entry_date_id", "entry_date", "id", "status", "source"),
    )

    @property
    def display_number(self) -> str:
        return f"{self.fiscal_year}-{self.number:06d}"


class JournalLine(db.Model):
    """One side of an entry: an account, a debit or a credit, and optional links."""

    __tablename__ = "journal_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), nullable=False)
    debit_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    credit_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    description: Mapped[str | None] = mapped_column(String(300))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    cost_centre_id: Mapped[int | None] = mapped_column(ForeignKey("cost_centre.id"))
    # The funder agreement the money came from or was spent against (coop.funders;
    # column added by migration 0009_funders_bank).
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("funder_agreement.id"))

    __table_args__ = (
        CheckConstraint(
            "debit_cents >= 0 AND credit_cents >= 0 AND (debit_cents = 0) <> (credit_cents = 0)",
            name="one_side_positive",
        ),
        # Reports group lines per account over a period: account first, then the entry.
        Index("ix_journal_line_account_entry", "account_id", "entry_id"),
        # Covering: a report reads account and amounts of an entry's lines from the index.
        Index("ix_journal_line_entry_id", "entry_id", "account_id", "debit_cents",
              "credit_cents"),
        Index("ix_journal_line_cost_centre_account", "cost_centre_id", "account_id"),
        # Income and spending per agreement.
        Index("ix_journal_line_agreement_account", "agreement_id", "account_id"),
    )


class Budget(db.Model):
    """A year's budget for one account, optionally for one cost centre; the amount is in
    the account's own direction (income as income, costs as costs)."""

    __tablename__ = "budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), nullable=False)
    cost_centre_id: Mapped[int | None] = mapped_column(ForeignKey("cost_centre.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_nonnegative"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="year_range"),
        # NULL is never equal to NULL in a UNIQUE constraint: two partial indexes.
        Index(
            "uq_budget_year_account", "fiscal_year", "account_id", unique=True,
            sqlite_where=text("cost_centre_id IS NULL"),
            postgresql_where=text("cost_centre_id IS NULL"),
        ),
        Index(
            "uq_budget_year_account_centre", "fiscal_year", "account_id", "cost_centre_id",
            unique=True,
            sqlite_where=text("cost_centre_id IS NOT NULL"),
            postgresql_where=text("cost_centre_id IS NOT NULL"),
        ),
    )


class AuditFinding(db.Model):
    """What the kascommissie found when checking a year's books."""

    __tablename__ = "audit_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("fiscal_year.year"), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_label: Mapped[str] = mapped_column(String(255), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_audit_finding_year", "fiscal_year", "id"),)


# The database guards ------------------------------------------------------------------
# Kept as plain SQL strings so the migration runs exactly the same statements.

# Messages: "journal entry does not balance", "posted journal entries are immutable",
# "fiscal year is closed or the date lies outside it".

SQLITE_TRIGGERS = [
    # Posting: balanced, two lines or more, in an open year that holds the date.
    """CREATE TRIGGER journal_entry_post_check BEFORE UPDATE OF status ON journal_entry
    WHEN OLD.status = 'draft' AND NEW.status = 'posted'
    BEGIN
        SELECT RAISE(ABORT, 'journal entry does not balance')
        WHERE (SELECT COUNT(*) FROM journal_line WHERE entry_id = NEW.id) < 2
           OR (SELECT SUM(debit_cents) - SUM(credit_cents) FROM journal_line
               WHERE entry_id = NEW.id) <> 0;
        SELECT RAISE(ABORT, 'fiscal year is closed or the date lies outside it')
        WHERE NOT EXISTS (SELECT 1 FROM fiscal_year f WHERE f.year = NEW.fiscal_year
            AND f.status = 'open' AND NEW.entry_date BETWEEN f.start_date AND f.end_date);
    END""",
    """CREATE TRIGGER journal_entry_insert_check BEFORE INSERT ON journal_entry
    BEGIN
        SELECT RAISE(ABORT, 'journal entry does not balance') WHERE NEW.status <> 'draft';
        SELECT RAISE(ABORT, 'fiscal year is closed or the date lies outside it')
        WHERE NOT EXISTS (SELECT 1 FROM fiscal_year f WHERE f.year = NEW.fiscal_year
            AND f.status = 'open' AND NEW.entry_date BETWEEN f.start_date AND f.end_date);
    END""",
    """CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_entry
    WHEN OLD.status = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry
    WHEN OLD.status = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_line_no_insert BEFORE INSERT ON journal_line
    WHEN (SELECT status FROM journal_entry WHERE id = NEW.entry_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_line_no_update BEFORE UPDATE ON journal_line
    WHEN (SELECT status FROM journal_entry WHERE id IN (OLD.entry_id, NEW.entry_id)
          AND status = 'posted') IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_line_no_delete BEFORE DELETE ON journal_line
    WHEN (SELECT status FROM journal_entry WHERE id = OLD.entry_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
]
SQLITE_TRIGGER_NAMES = [
    "journal_entry_post_check", "journal_entry_insert_check", "journal_entry_no_update",
    "journal_entry_no_delete", "journal_line_no_insert", "journal_line_no_update",
    "journal_line_no_delete",
]

POSTGRES_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION journal_entry_guard() RETURNS trigger AS $$
    DECLARE
        line_count integer;
        difference bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status = 'posted' THEN
                RAISE EXCEPTION 'posted journal entries are immutable';
            END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status = 'posted' THEN
            RAISE EXCEPTION 'posted journal entries are immutable';
        END IF;
        IF TG_OP = 'INSERT' AND NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'journal entry does not balance';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM fiscal_year f WHERE f.year = NEW.fiscal_year
                AND f.status = 'open' AND NEW.entry_date BETWEEN f.start_date AND f.end_date)
        THEN
            RAISE EXCEPTION 'fiscal year is closed or the date lies outside it';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.status = 'posted' THEN
            SELECT COUNT(*), COALESCE(SUM(debit_cents) - SUM(credit_cents), 0)
              INTO line_count, difference FROM journal_line WHERE entry_id = NEW.id;
            IF line_count < 2 OR difference <> 0 THEN
                RAISE EXCEPTION 'journal entry does not balance';
            END IF;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION journal_line_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM journal_entry
                WHERE id = OLD.entry_id AND status = 'posted') THEN
            RAISE EXCEPTION 'posted journal entries are immutable';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM journal_entry
                WHERE id = NEW.entry_id AND status = 'posted') THEN
            RAISE EXCEPTION 'posted journal entries are immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    # Belt and braces: at commit, every posted entry touched in the transaction still
    # balances (a constraint trigger, deferred, so it sees all lines of the entry).
    """CREATE OR REPLACE FUNCTION journal_entry_balanced() RETURNS trigger AS $$
    BEGIN
        IF NEW.status = 'posted' AND (
            SELECT COALESCE(SUM(debit_cents) - SUM(credit_cents), 1)
            FROM journal_line WHERE entry_id = NEW.id) <> 0 THEN
            RAISE EXCEPTION 'journal entry does not balance';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
]
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER journal_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_entry "
    "FOR EACH ROW EXECUTE FUNCTION journal_entry_guard()",
    "CREATE TRIGGER journal_line_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_line "
    "FOR EACH ROW EXECUTE FUNCTION journal_line_guard()",
    "CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT OR UPDATE ON journal_entry "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced()",
]
POSTGRES_FUNCTION_NAMES = ["journal_entry_guard", "journal_line_guard", "journal_entry_balanced"]

for _sql in SQLITE_TRIGGERS:
    event.listen(
        JournalLine.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite")
    )
for _sql in POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS:
    event.listen(
        JournalLine.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql")
    )
