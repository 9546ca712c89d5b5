from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.fraction import fraction_of
from coop.timeutil import UTCDateTime, utcnow


def share_check(prefix: str) -> str:
    """SQL: `<prefix>_numerator/<prefix>_denominator` is a share above 0, at most 1."""
    return (f"{prefix}_numerator > 0 AND {prefix}_denominator > 0"
            f" AND {prefix}_numerator <= {prefix}_denominator")


def share_property(prefix: str) -> property:
    """The Fraction kept in `<prefix>_numerator` and `<prefix>_denominator` (None: both
    NULL)."""

    def get(self) -> Fraction | None:
        return fraction_of(getattr(self, f"{prefix}_numerator"),
                           getattr(self, f"{prefix}_denominator"))

    def set_(self, value: Fraction | None) -> None:
        value = Fraction(value) if value is not None else None
        setattr(self, f"{prefix}_numerator", value.numerator if value is not None else None)
        setattr(self, f"{prefix}_denominator",
                value.denominator if value is not None else None)

    return property(get, set_)


class LegalForm(StrEnum):
    COOPERATIE_UA = "cooperatie_ua"
    VERENIGING = "vereniging"
    STICHTING = "stichting"


class DuesProration(StrEnum):
    """What a member who joins during the year pays for that year."""

    FULL = "full"
    MONTHLY = "monthly"  # pro rata per month, the month of joining included
    FREE_FIRST_YEAR = "free_first_year"


class TieOnPersons(StrEnum):
    RE_VOTE = "re_vote"
    LOT = "lot"


class Organisation(db.Model):
    """The coop itself: one row. Statute settings override the law's defaults."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    legal_form: Mapped[str] = mapped_column(String(20), nullable=False)
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    rsin: Mapped[str | None] = mapped_column(String(9))
    # The coop's own IBANs are in `bank_account` (migration 0015 moved the one that was
    # here): the current account is the one printed on invoices.
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(255))
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    anbi_status: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sbbi_status: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A buurtbaan (any job) must name the funder agreement that pays it.
    jobs_need_funding: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Statute settings (statuten), with the law's defaults (BW 2:38-2:43).
    convocation_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    amendment_convocation_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    amendment_inspection_days: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    proxy_cap_per_holder: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Quorum and majorities are fractions (numerator/denominator; coop.fraction): one
    # third of the members, two thirds of the votes cast. No quorum: both NULL.
    quorum_numerator: Mapped[int | None] = mapped_column(Integer)
    quorum_denominator: Mapped[int | None] = mapped_column(Integer)
    default_majority_numerator: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    default_majority_denominator: Mapped[int] = mapped_column(
        Integer, nullable=False, default=2)
    amendment_majority_numerator: Mapped[int] = mapped_column(
        Integer, nullable=False, default=2)
    amendment_majority_denominator: Mapped[int] = mapped_column(
        Integer, nullable=False, default=3)
    electronic_voting_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    vote_change_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    persons_secret_ballot: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    tie_on_persons: Mapped[str] = mapped_column(
        String(10), nullable=False, default=TieOnPersons.RE_VOTE
    )

    # Dues and the register.
    dues_proration: Mapped[str] = mapped_column(
        String(20), nullable=False, default=DuesProration.MONTHLY
    )
    payment_term_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    reminder_after_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    # How long personal data of former members is kept after the membership ended.
    retention_years: Mapped[int] = mapped_column(Integer, nullable=False, default=2)

    # Statute settings: terms of office (rooster van aftreden); a body may override them.
    term_years: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    max_terms: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    # "Terstond herbenoembaar": may someone whose term ends be reappointed right away?
    immediately_reeligible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # SEPA direct debit: the incassant-ID (NLccZZZ + KvK number + 0000), the BIC of the
    # coop's bank (pain.008.001.02 names it) and the pre-notification term.
    creditor_id: Mapped[str | None] = mapped_column(String(35))
    bic: Mapped[str | None] = mapped_column(String(11))
    direct_debit_notice_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    # Revenue streams: warn when one funder brings in more than this share of the income.
    funder_share_warning_percent: Mapped[int] = mapped_column(
        Integer, nullable=False, default=50
    )

    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        CheckConstraint(one_of("legal_form", LegalForm), name="legal_form_known"),
        CheckConstraint(share_check("default_majority"), name="default_majority_share"),
        CheckConstraint(share_check("amendment_majority"), name="amendment_majority_share"),
        CheckConstraint(one_of("tie_on_persons", TieOnPersons), name="tie_on_persons_known"),
        CheckConstraint(one_of("dues_proration", DuesProration), name="dues_proration_known"),
        CheckConstraint("payment_term_days BETWEEN 1 AND 365", name="payment_term_range"),
        CheckConstraint("reminder_after_days BETWEEN 1 AND 365", name="reminder_after_range"),
        CheckConstraint("retention_years BETWEEN 0 AND 10", name="retention_years_range"),
        CheckConstraint("term_years BETWEEN 1 AND 10", name="term_years_range"),
        CheckConstraint("max_terms BETWEEN 1 AND 10", name="max_terms_range"),
        CheckConstraint(
            "direct_debit_notice_days BETWEEN 2 AND 60", name="direct_debit_notice_days_range"
        ),
        CheckConstraint(
            "funder_share_warning_percent BETWEEN 1 AND 100", name="funder_share_warning_range"
        ),
        CheckConstraint(
            "fiscal_year_start_month BETWEEN 1 AND 12", name="fiscal_year_start_month_range"
        ),
        CheckConstraint("amendment_convocation_days >= 7", name="amendment_convocation_min"),
        CheckConstraint("amendment_inspection_days >= 5", name="amendment_inspection_min"),
        CheckConstraint("proxy_cap_per_holder >= 0", name="proxy_cap_nonnegative"),
        CheckConstraint(
            "(quorum_numerator IS NULL AND quorum_denominator IS NULL) OR "
            + share_check("quorum"), name="quorum_share"
        ),
        CheckConstraint(
            f"NOT (anbi_status AND legal_form = '{LegalForm.COOPERATIE_UA.value}')",
            name="cooperatie_not_anbi",
        ),
    )

    quorum = share_property("quorum")
    default_majority = share_property("default_majority")
    amendment_majority = share_property("amendment_majority")

    @property
    def can_be_anbi(self) -> bool:
        return self.legal_form != LegalForm.COOPERATIE_UA


class BankAccountKind(StrEnum):
    CURRENT = "current"  # betaalrekening: invoices name it, direct debits collect on it
    SAVINGS = "savings"  # spaarrekening


class BankAccount(db.Model):
    """One of the coop's own bank accounts: a setting, at most one of each kind. Each is
    linked to its account in the ledger (the bank import books its lines there);
    statements of any other IBAN are not the coop's and are skipped on import."""

    __tablename__ = "bank_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    iban: Mapped[str] = mapped_column(String(34), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # By table name: the ledger sits above the settings (coop.bank edits this link).
    ledger_account_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_account.id"), nullable=False, unique=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        CheckConstraint(one_of("kind", BankAccountKind), name="kind_known"),
        CheckConstraint("iban <> ''", name="iban_not_empty"),
    )
