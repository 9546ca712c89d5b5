"""Dues invoices, credit notes, payments and reminders.

An issued invoice is never edited: a credit note corrects it. Numbers run per fiscal
year without gaps (`InvoiceSequence`, locked while a number is taken). The payment side
is open: `Payment.method` covers cash and bank transfer now, Mollie and SEPA later.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    CREDITED = "credited"
    WRITTEN_OFF = "written_off"
    # "overdue" is not stored: it is an open invoice past its due date.


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    MOLLIE = "mollie"
    SEPA_DIRECT_DEBIT = "sepa_direct_debit"


class InvoiceSequence(db.Model):
    """The last invoice number per fiscal year; its row is locked while a number is taken."""

    __tablename__ = "invoice_sequence"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Invoice(db.Model):
    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=InvoiceKind.INVOICE)
    fiscal_year: Mapped[int] = mapped_column(Integer, nullable=False)
    sequence_number: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # 2026-00042
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))
    # The dues year this invoice charges: one dues invoice per membership and year.
    dues_year: Mapped[int | None] = mapped_column(Integer)
    credits_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    issue_date: Mapped[date] = mapped_column(Date, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    total_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=InvoiceStatus.OPEN)
    payment_reference: Mapped[str] = mapped_column(String(35), nullable=False, unique=True)
    # Snapshot of the addressee at issue time: the archived PDF and the books must not
    # change when the person moves or is anonymised.
    addressee_name: Mapped[str] = mapped_column(String(330), nullable=False)
    addressee_address: Mapped[str | None] = mapped_column(Text)
    # The coop's details as they were on the day of issue (name, KvK, IBAN, address):
    # the PDF, rendered whenever it is first archived, must show those, not today's.
    issuer: Mapped[dict] = mapped_column(JSON, nullable=False)
    pdf_filename: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id", lazy="raise"
    )
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="invoice", order_by="Payment.id", lazy="raise"
    )

    __table_args__ = (
        UniqueConstraint("fiscal_year", "sequence_number", name="uq_invoice_year_sequence"),
        # One live dues invoice per membership and year; a credited one may be replaced.
        Index(
            "uq_invoice_membership_dues_year", "membership_id", "dues_year", unique=True,
            sqlite_where=text("kind = 'invoice' AND status <> 'credited'"),
            postgresql_where=text("kind = 'invoice' AND status <> 'credited'"),
        ),
        CheckConstraint(one_of("kind", InvoiceKind), name="kind_known"),
        CheckConstraint(one_of("status", InvoiceStatus), name="status_known"),
        CheckConstraint("sequence_number > 0", name="sequence_positive"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint(
            "(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)",
            name="credit_note_credits_an_invoice",
        ),
        CheckConstraint(
            "(kind = 'invoice' AND total_cents >= 0)"
            " OR (kind = 'credit_note' AND total_cents <= 0)",
            name="total_sign_matches_kind",
        ),
        Index("ix_invoice_status_due_date", "status", "due_date"),
    )


class InvoiceLine(db.Model):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), nullable=False, index=True)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    unit_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "amount_cents = quantity * unit_cents", name="amount_is_quantity_times_unit"
        ),
    )


class Payment(db.Model):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), nullable=False, index=True)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    reference: Mapped[str | None] = mapped_column(String(140))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # A payment that went back (a direct debit storno): it no longer counts as paid; its
    # booking is reversed by a correcting entry, the row stays as the record.
    reversed_on: Mapped[date | None] = mapped_column(Date)
    reversal_reason: Mapped[str | None] = mapped_column(String(200))

    invoice: Mapped[Invoice] = relationship(back_populates="payments")

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(one_of("method", PaymentMethod), name="method_known"),
        CheckConstraint(
            "(reversed_on IS NULL) = (reversal_reason IS NULL)", name="reversal_has_reason"
        ),
    )


class ReminderLog(db.Model):
    """Which reminder went to whom, when: never sent twice by accident, shown to the board."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False)  # 1st, 2nd reminder …
    # Erased (NULL) when the person is anonymised; the log of what was sent when stays.
    recipient: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("invoice_id", "level", name="uq_reminder_invoice_level"),)
