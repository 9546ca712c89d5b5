"""Initiatives, volunteers, their hours and their allowances.

Money is integer cents. The caps of the vrijwilligersregeling are data per year
(`AllowanceCap`), seeded by migration 0021 for 2025 and 2026 and extended by the treasurer.
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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class Initiative(db.Model):
    """What the coop does with residents: burenhulp, energy café, buurttuin …"""

    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active_from: Mapped[date | None] = mapped_column(Date)
    active_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint(
            "active_from IS NULL OR active_until IS NULL OR active_until >= active_from",
            name="period_in_order",
        ),
    )


class InitiativeCoordinator(db.Model):
    """A person (with an account) who approves hours and allowances of the volunteers
    of this initiative."""

    __tablename__ = "initiative_coordinator"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id"), nullable=False, index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)

    __table_args__ = (UniqueConstraint("initiative_id", "person_id"),)


class Volunteer(db.Model):
    """A person (member or not) who works unpaid in one or more initiatives."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, unique=True)
    # Where allowances are paid to (a SEPA credit transfer).
    iban: Mapped[str | None] = mapped_column(String(34))
    account_holder: Mapped[str | None] = mapped_column(String(70))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    person = relationship("Person", lazy="raise")


class VolunteerInitiative(db.Model):
    __tablename__ = "volunteer_initiative"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), nullable=False)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id"), nullable=False, index=True)

    __table_args__ = (UniqueConstraint("volunteer_id", "initiative_id"),)


class HourStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"  # sent back to the volunteer with a reason


class HourEntry(db.Model):
    """Hours declared for one day in one initiative, in quarter hours."""

    __tablename__ = "hour_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), nullable=False)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), nullable=False)
    work_date: Mapped[date] = mapped_column(Date, nullable=False)
    quarter_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=HourStatus.SUBMITTED)
    return_reason: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    initiative = relationship(Initiative, lazy="raise")

    __table_args__ = (
        CheckConstraint("quarter_hours BETWEEN 1 AND 96", name="quarter_hours_in_a_day"),
        CheckConstraint(one_of("status", HourStatus), name="status_known"),
        CheckConstraint("(status = 'returned') = (return_reason IS NOT NULL)",
                        name="returned_with_reason"),
        Index("ix_hour_entry_volunteer_date", "volunteer_id", "work_date"),
        Index("ix_hour_entry_initiative_status", "initiative_id", "status"),
    )


class AllowanceCap(db.Model):
    """The Belastingdienst's caps of the vrijwilligersregeling for one calendar year."""

    __tablename__ = "allowance_cap"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hourly_adult_cents: Mapped[int] = mapped_column(Integer, nullable=False)  # 21 and older
    hourly_young_cents: Mapped[int] = mapped_column(Integer, nullable=False)  # under 21
    month_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    year_cents: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (
        CheckConstraint(
            "hourly_adult_cents > 0 AND hourly_young_cents > 0 AND month_cents > 0 "
            "AND year_cents >= month_cents", name="amounts_positive"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_sane"),
    )


class ArrangementKind(StrEnum):
    PER_HOUR = "per_hour"
    FIXED_MONTH = "fixed_month"
    PER_ACTIVITY = "per_activity"
    WAIVED = "waived"  # the volunteer waives the allowance (for an ANBI: a possible gift)


class AllowanceArrangement(db.Model):
    """What was agreed with a volunteer, from a date on; the latest one applies."""

    __tablename__ = "allowance_arrangement"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    rate_cents: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    waived_on: Mapped[date | None] = mapped_column(Date)  # the date the waiver was signed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", ArrangementKind), name="kind_known"),
        CheckConstraint("(kind = 'waived') = (waived_on IS NOT NULL)", name="waiver_dated"),
        CheckConstraint("(kind = 'waived') = (rate_cents IS NULL)", name="rate_unless_waived"),
        CheckConstraint("rate_cents IS NULL OR rate_cents > 0", name="rate_positive"),
    )


class AllowanceKind(StrEnum):
    ALLOWANCE = "allowance"  # vrijwilligersvergoeding (may include proven costs)
    EXPENSES = "expenses"  # proven costs with receipts only
    GIFT_VOUCHER = "gift_voucher"  # verstrekking: cadeaubon
    OUTING = "outing"  # verstrekking: uitje
    OTHER_GIFT = "other_gift"  # another verstrekking
    # An allowance the volunteer waived (arrangement "waived"): it counts for the caps
    # (the Belastingdienst treats it as received and given back) and, for an ANBI, is a
    # gift of the volunteer on the donor statement. Booked as expense against gifts
    # income; never paid out.
    WAIVED = "waived"


# Kinds that are a verstrekking: they count toward the caps like an allowance.
GIFT_KINDS = frozenset({AllowanceKind.GIFT_VOUCHER, AllowanceKind.OUTING,
                        AllowanceKind.OTHER_GIFT})
# Kinds never paid to the volunteer: a verstrekking (paid to a business) and a waiver.
UNPAID_KINDS = GIFT_KINDS | {AllowanceKind.WAIVED}


class Allowance(db.Model):
    """An approved allowance, cost reimbursement or verstrekking to one volunteer.

    `work_date` is the day of the work it pays for (or the day of the gift): the month
    and year caps count by it (see `coop.volunteers.services.counting_date_decision`).
    `amount_cents` is the allowance or the gift's value; `expense_cents` proven costs
    with receipts, outside the caps when paid alone, added up with an allowance in the
    same month and year.
    """

    __tablename__ = "allowance"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), nullable=False)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    work_date: Mapped[date] = mapped_column(Date, nullable=False)
    quarter_hours: Mapped[int | None] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    expense_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    description: Mapped[str | None] = mapped_column(String(300))
    # For a gift voucher: the local business it was bought from (booked as payable to it).
    supplier: Mapped[str | None] = mapped_column(String(200))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # The entry that booked it: an allowance or costs as expense against payable to the
    # volunteer; a verstrekking as expense against payable to the supplier (no person).
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id"), unique=True)
    payment_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("allowance_payment_batch.id"), index=True)

    __table_args__ = (
        CheckConstraint(one_of("kind", AllowanceKind), name="kind_known"),
        CheckConstraint("amount_cents >= 0 AND expense_cents >= 0", name="amounts_not_negative"),
        CheckConstraint("amount_cents + expense_cents > 0", name="something_given"),
        CheckConstraint("kind <> 'expenses' OR amount_cents = 0", name="expenses_only_costs"),
        CheckConstraint("quarter_hours IS NULL OR quarter_hours > 0", name="hours_positive"),
        Index("ix_allowance_volunteer_date", "volunteer_id", "work_date"),
    )


class PaymentBatchStatus(StrEnum):
    PENDING = "pending"  # the file is made, not yet confirmed paid
    PAID = "paid"  # the bank executed it: the payment is booked


class AllowancePaymentBatch(db.Model):
    """One SEPA credit transfer file (pain.001.001.03) paying a selection of approved
    allowances."""

    __tablename__ = "allowance_payment_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(35), nullable=False, unique=True)
    execution_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False,
                                        default=PaymentBatchStatus.PENDING)
    transaction_count: Mapped[int] = mapped_column(Integer, nullable=False)
    total_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    xml: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"),
                                                      unique=True)

    __table_args__ = (
        CheckConstraint(one_of("status", PaymentBatchStatus), name="status_known"),
        CheckConstraint("total_cents > 0 AND transaction_count > 0", name="not_empty"),
        CheckConstraint("(status = 'paid') = (paid_entry_id IS NOT NULL)", name="paid_booked"),
    )


class CoachingConversation(db.Model):
    """One conversation of a coaching trajectory (booklet, "Waardering voor ieders
    inzet": after six conversations the direction should be clear)."""

    __tablename__ = "coaching_conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    coach: Mapped[str] = mapped_column(String(200), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    cost_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The entry that booked the cost (None when it cost nothing).
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("coach <> ''", name="coach_named"),
    )


class EventSponsorship(db.Model):
    """The coop sponsors a neighbourhood event (a street party, a clean-up day …) that
    an initiative supports: booked as an expense, payable to the organiser."""

    __tablename__ = "event_sponsorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id"), nullable=False, index=True)
    event_name: Mapped[str] = mapped_column(String(200), nullable=False)
    organiser: Mapped[str] = mapped_column(String(200), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    cost_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    journal_entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entry.id"), nullable=False, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("cost_cents > 0", name="cost_positive"),
        CheckConstraint("event_name <> '' AND organiser <> ''", name="named"),
    )


class VolunteerStatementMail(db.Model):
    """A yearly statement mailed to a volunteer: at most once per volunteer and year."""

    __tablename__ = "volunteer_statement_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("volunteer_id", "year"),)


class VolunteerCapYear(db.Model):
    """One row per volunteer and year, locked while an allowance for that year is
    checked and approved: two coordinators approving at once cannot together pass a
    cap."""

    __tablename__ = "volunteer_cap_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (UniqueConstraint("volunteer_id", "year"),)


__all__ = [
    "GIFT_KINDS",
    "UNPAID_KINDS",
    "Allowance",
    "AllowanceArrangement",
    "AllowanceCap",
    "AllowanceKind",
    "ArrangementKind",
    "HourEntry",
    "HourStatus",
    "Initiative",
    "InitiativeCoordinator",
    "Volunteer",
    "VolunteerCapYear",
    "VolunteerInitiative",
]


# Buurtbanen and other paid work -------------------------------------------------------


class EmployerKind(StrEnum):
    COOP = "coop"  # the coop itself employs
    PARTNER = "partner"  # "via wijkpartners": a partner organisation employs


class ContractType(StrEnum):
    EMPLOYMENT = "employment"  # dienstverband: the WML applies
    INTERNSHIP = "internship"  # stage: a fee per month
    FREELANCE = "freelance"  # zzp-opdracht: a project fee


class Job(db.Model):
    """Paid work of a resident: a buurtbaan (employment), an internship or a freelance
    assignment, in the coop or via a partner.

    `labour_distance` (distance to the labour market) is kept only with the worker's
    recorded consent (`labour_distance_consent_on`) and shown to the board only.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), nullable=False)
    employer_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    partner_name: Mapped[str | None] = mapped_column(String(200))
    contract_type: Mapped[str] = mapped_column(String(12), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date)
    quarter_hours_per_week: Mapped[int] = mapped_column(Integer, nullable=False)
    hourly_wage_cents: Mapped[int | None] = mapped_column(Integer)  # gross, employment
    fee_cents: Mapped[int | None] = mapped_column(Integer)  # internship per month; project fee
    mbo_level: Mapped[int | None] = mapped_column(Integer)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("funder_agreement.id"))
    labour_distance: Mapped[bool | None] = mapped_column(Boolean)
    labour_distance_consent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("employer_kind", EmployerKind), name="employer_known"),
        CheckConstraint(one_of("contract_type", ContractType), name="contract_known"),
        CheckConstraint("(employer_kind = 'partner') = (partner_name IS NOT NULL)",
                        name="partner_named"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period_in_order"),
        CheckConstraint("quarter_hours_per_week BETWEEN 1 AND 240", name="hours_per_week_sane"),
        CheckConstraint("contract_type <> 'employment' OR hourly_wage_cents > 0",
                        name="employment_has_wage"),
        CheckConstraint("contract_type = 'employment' OR fee_cents > 0", name="others_have_fee"),
        CheckConstraint("mbo_level IS NULL OR mbo_level BETWEEN 1 AND 4", name="mbo_level_known"),
        CheckConstraint("labour_distance IS NULL OR labour_distance_consent_on IS NOT NULL",
                        name="labour_distance_with_consent"),
        Index("ix_job_person_initiative", "person_id", "initiative_id"),
    )


class MinimumWage(db.Model):
    """The statutory minimum wage (WML), gross per hour, from a date, per age (21 for
    21 and older; 15 to 20 the youth rates)."""

    __tablename__ = "minimum_wage"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    age: Mapped[int] = mapped_column(Integer, nullable=False)
    hourly_cents: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (
        UniqueConstraint("valid_from", "age"),
        CheckConstraint("age BETWEEN 15 AND 21", name="age_known"),
        CheckConstraint("hourly_cents > 0", name="amount_positive"),
    )


class JobPayment(db.Model):
    """A fee actually paid for an internship or a freelance assignment of the coop
    (booked: expense, payable to the worker). These payments, not the contract's fee,
    make the yearly "uitbetaalde bedragen aan derden" list."""

    __tablename__ = "job_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), nullable=False, index=True)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    journal_entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entry.id"), nullable=False, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_job_payment_paid_on", "paid_on"),
    )
