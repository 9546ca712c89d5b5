"""Funders (gemeente, provincie, fondsen, woningcorporaties, sponsors …) and their
agreements: grant decisions (subsidiebeschikking), Right-to-Challenge contracts, fund
grants and sponsorship, with the deadlines of the reports each asks for.

Money received from and spent against an agreement is never stored here: journal lines
carry `agreement_id` (see `coop.ledger.models.JournalLine`), so the ledger is the one
source of those figures.

KPI targets are not here either: the KPI module links its targets to an agreement by
`FunderAgreement.id` (a `kpi_target.agreement_id` foreign key of its own).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class FunderKind(StrEnum):
    MUNICIPALITY = "municipality"  # gemeente
    PROVINCE = "province"  # provincie
    NATIONAL_GOVERNMENT = "national_government"  # rijk
    FUND = "fund"  # vermogensfonds (Oranje Fonds, Fonds 1818 …)
    LOTTERY = "lottery"  # loterij (Postcodeloterij …)
    HOUSING_CORPORATION = "housing_corporation"  # woningcorporatie
    ENTREPRENEURS_FUND = "entrepreneurs_fund"  # ondernemersfonds
    COMPANY = "company"  # sponsor, bedrijf
    NONPROFIT = "nonprofit"  # andere organisatie zonder winststreven
    OTHER = "other"


class AgreementKind(StrEnum):
    GRANT_DECISION = "grant_decision"  # subsidiebeschikking
    RIGHT_TO_CHALLENGE = "right_to_challenge"
    FUND_GRANT = "fund_grant"  # toekenning van een fonds
    SPONSORSHIP = "sponsorship"
    OTHER = "other"


class Funder(db.Model):
    __tablename__ = "funder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", FunderKind), name="kind_known"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )


class FunderAgreement(db.Model):
    """One agreement with a funder: what it pays, for which period, and what it may be
    spent on (a cost centre, i.e. an initiative, and/or a description of the costs)."""

    __tablename__ = "funder_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("funder.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    # The funder's number: "Beschikking 2026-0102", "RtC-2026-03".
    reference: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    # Earmarking: the initiative it pays for, and in words which costs it may pay.
    cost_centre_id: Mapped[int | None] = mapped_column(ForeignKey("cost_centre.id"))
    earmark: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", AgreementKind), name="kind_known"),
        CheckConstraint("amount_cents >= 0", name="amount_nonnegative"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint("reference <> ''", name="reference_not_empty"),
        Index("ix_funder_agreement_period", "start_date", "end_date"),
    )

    @property
    def label(self) -> str:
        return f"{self.reference} · {self.title}"


class ReportingDeadline(db.Model):
    """A report (inhoudelijk or financieel verantwoording) an agreement asks for by a
    date; done once the treasurer records it as submitted."""

    __tablename__ = "reporting_deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("funder_agreement.id"), nullable=False, index=True
    )
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        CheckConstraint("description <> ''", name="description_not_empty"),
        # The dashboard asks for the open deadlines by date.
        Index("ix_reporting_deadline_open_due", "submitted_on", "due_date"),
    )
