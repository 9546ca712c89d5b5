"""Online payments through Mollie: one row per Mollie payment, its status history and
the money that went back (refunds, chargebacks).

The database makes a double booking impossible rather than unlikely:

- `online_payment.mollie_id` and `idempotency_key` are unique: one row per payment;
- the status history has one row per (payment, status): a transition happens once;
- `income_entry_id`, `fee_entry_id` and `money_back.entry_id` are unique: one journal
  entry books one event, and a refund or chargeback (`re_…`, `chb_…`) has one row;
- the status history is append-only (triggers on SQLite and PostgreSQL).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class PaymentStatus(StrEnum):
    """Mollie's payment statuses (https://docs.mollie.com/payments/status-changes)."""

    OPEN = "open"
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"


FINAL_STATUSES = frozenset({PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.CANCELED,
                            PaymentStatus.EXPIRED})
# Which status may follow which. A final status is never left: a webhook that arrives
# late with an older state (it cannot, we fetch the current one, but a stale read
# could) changes nothing.
TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.OPEN: frozenset(FINAL_STATUSES | {PaymentStatus.PENDING,
                                                    PaymentStatus.AUTHORIZED}),
    PaymentStatus.PENDING: frozenset(FINAL_STATUSES | {PaymentStatus.AUTHORIZED}),
    PaymentStatus.AUTHORIZED: frozenset(FINAL_STATUSES),
}


class PaymentPurpose(StrEnum):
    DONATION = "donation"
    DUES = "dues"


class SequenceType(StrEnum):
    ONEOFF = "oneoff"
    FIRST = "first"
    RECURRING = "recurring"


class MoneyBackKind(StrEnum):
    REFUND = "refund"
    CHARGEBACK = "chargeback"


class OnlinePayment(db.Model):
    __tablename__ = "online_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    mollie_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    # Sent with the create call and in the metadata as `reference`: a retry of the same
    # form reuses it, so Mollie answers the payment it made the first time.
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    purpose: Mapped[str] = mapped_column(String(12), nullable=False)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donation.id"), unique=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=PaymentStatus.OPEN)
    sequence_type: Mapped[str] = mapped_column(
        String(10), nullable=False, default=SequenceType.ONEOFF)
    checkout_url: Mapped[str | None] = mapped_column(String(500))
    refunded_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    charged_back_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    fee_cents: Mapped[int | None] = mapped_column(Integer)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    income_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id"), unique=True)
    fee_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"), unique=True)
    dues_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), unique=True)
    # Why the payment was not booked although Mollie says paid (amount differs, the
    # invoice was settled otherwise, the year is closed): the treasurer looks at it.
    flag: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(one_of("purpose", PaymentPurpose), name="purpose_known"),
        CheckConstraint(one_of("status", PaymentStatus), name="status_known"),
        CheckConstraint(one_of("sequence_type", SequenceType), name="sequence_type_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_cents >= 0 AND charged_back_cents >= 0"
            " AND refunded_cents + charged_back_cents <= amount_cents",
            name="money_back_within_amount",
        ),
        CheckConstraint("fee_cents IS NULL OR fee_cents >= 0", name="fee_not_negative"),
        CheckConstraint(
            "(purpose = 'donation' AND donation_id IS NOT NULL AND invoice_id IS NULL)"
            " OR (purpose = 'dues' AND invoice_id IS NOT NULL AND donation_id IS NULL)",
            name="purpose_names_its_record",
        ),
        CheckConstraint("income_entry_id IS NULL OR status = 'paid'", name="booked_only_paid"),
        Index("ix_online_payment_status_created", "status", "created_at"),
    )


class PaymentStatusChange(db.Model):
    """Append-only: each status a payment reached, once."""

    __tablename__ = "payment_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("online_payment.id"), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("payment_id", "to_status", name="uq_payment_status_change_once"),
        CheckConstraint(one_of("to_status", PaymentStatus), name="to_status_known"),
    )


class MoneyBack(db.Model):
    """A refund or a chargeback of a paid payment, booked once."""

    __tablename__ = "money_back"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("online_payment.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    mollie_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"), unique=True)
    # A chargeback the bank reversed (Mollie's `reversedAt`): the money came back, booked
    # once by the entry in `reversal_entry_id`.
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", MoneyBackKind), name="kind_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("reversed_at IS NULL OR kind = 'chargeback'",
                        name="only_chargebacks_reversed"),
    )


# The status history is evidence: the database refuses to rewrite it.
PG_FUNCTION = """CREATE OR REPLACE FUNCTION payment_status_change_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'payment_status_change is append-only';
END;
$$ LANGUAGE plpgsql"""
PG_TRIGGER = ("CREATE TRIGGER payment_status_change_append_only BEFORE UPDATE OR DELETE "
              "ON payment_status_change FOR EACH ROW "
              "EXECUTE FUNCTION payment_status_change_refuse()")
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER payment_status_change_no_{op.lower()} BEFORE {op} ON "
    "payment_status_change BEGIN SELECT RAISE(ABORT, "
    "'payment_status_change is append-only'); END"
    for op in ("UPDATE", "DELETE")
]

_table = PaymentStatusChange.__table__
event.listen(_table, "after_create", DDL(PG_FUNCTION).execute_if(dialect="postgresql"))
event.listen(_table, "after_create", DDL(PG_TRIGGER).execute_if(dialect="postgresql"))
for _sql in SQLITE_TRIGGERS:
    event.listen(_table, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
