"""Donations: campaigns, gifts, monthly gifts (Mollie subscriptions) and periodic-gift
agreements (periodieke giften, only for an ANBI).

A `Donation` is one gift: a one-off gift, or one month of a monthly gift. Its money
side (status, refunds, chargebacks, booking) lives on its `OnlinePayment`.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class Frequency(StrEnum):
    ONE_OFF = "one_off"
    MONTHLY = "monthly"


class DonorKind(StrEnum):
    """Which RJ 650 income line the gift goes to."""

    PRIVATE = "private"  # baten van particulieren
    COMPANY = "company"  # baten van bedrijven


class RecurringStatus(StrEnum):
    PENDING = "pending"  # waiting for the first payment
    ACTIVE = "active"
    CANCELED = "canceled"
    FAILED = "failed"  # the first payment did not go through


class Campaign(db.Model):
    """An earmark donors can choose: an initiative or a fundraising campaign."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    target_cents: Mapped[int | None] = mapped_column(Integer)
    # The earmark in the books: gifts go to this cost centre (and account, when set).
    cost_centre_id: Mapped[int | None] = mapped_column(ForeignKey("cost_centre.id"))
    income_account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_account.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("target_cents IS NULL OR target_cents > 0", name="target_positive"),
        CheckConstraint("slug <> ''", name="slug_not_empty"),
    )


class _Gift:
    """The columns a gift and a monthly gift share: the amount and who gives it."""

    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    donor_name: Mapped[str | None] = mapped_column(String(200))
    donor_email: Mapped[str | None] = mapped_column(String(255))
    donor_kind: Mapped[str] = mapped_column(String(10), nullable=False, default=DonorKind.PRIVATE)
    public_consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="nl")


class RecurringDonation(_Gift, db.Model):
    """A monthly gift: a Mollie customer, its mandate and subscription."""

    __tablename__ = "recurring_donation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, default=RecurringStatus.PENDING)
    mollie_customer_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    mollie_mandate_id: Mapped[str | None] = mapped_column(String(40))
    mollie_subscription_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the donor's name and email were removed (retention or their request).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(one_of("status", RecurringStatus), name="status_known"),
        CheckConstraint(one_of("donor_kind", DonorKind), name="donor_kind_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "status <> 'active' OR mollie_subscription_id IS NOT NULL",
            name="active_has_subscription",
        ),
    )


class Donation(_Gift, db.Model):
    """One gift."""

    __tablename__ = "donation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    recurring_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_donation.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(10), nullable=False, default=Frequency.ONE_OFF)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Set when the donor's name and email were removed; amount and booking stay.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(one_of("frequency", Frequency), name="frequency_known"),
        CheckConstraint(one_of("donor_kind", DonorKind), name="donor_kind_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_donation_campaign_id", "campaign_id"),
        Index("ix_donation_donor_email", "donor_email"),
    )


class PeriodicGiftAgreement(db.Model):
    """A written agreement to give the same yearly amount for at least five years
    (periodieke gift); only an ANBI records them."""

    __tablename__ = "periodic_gift_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    donor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    donor_email: Mapped[str | None] = mapped_column(String(255))
    donor_address: Mapped[str | None] = mapped_column(Text)
    yearly_amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    years: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    signed_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Set when the donor's name, email and address were removed, after the agreement's
    # term plus the fiscal retention (the transaction number and amounts stay).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("yearly_amount_cents > 0", name="amount_positive"),
        CheckConstraint("years >= 5", name="at_least_five_years"),
    )


class DonorStatementMail(db.Model):
    """A yearly statement mailed to a donor: once per donor and year, so sending the
    statements again reaches only the donors not mailed yet."""

    __tablename__ = "donor_statement_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    # Cleared when the donor is anonymised; the row still says a statement went out.
    donor_email: Mapped[str | None] = mapped_column(String(255))
    total_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        UniqueConstraint("year", "donor_email"),  # once per donor and year
    )
