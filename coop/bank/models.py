"""Imported bank statements (CAMT.053, CAMT.052) and their transactions.

A transaction is imported once: `(account_iban, entry_key)` is unique, the key being the
bank's own reference for the entry (AcctSvcrRef) or, when the bank gives none, a hash
of what identifies the entry. Each transaction ends matched to a dues payment or booked
by a journal entry; until then it stays open and visible.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
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


class StatementFormat(StrEnum):
    CAMT_053 = "camt.053"  # end-of-day statement
    CAMT_052 = "camt.052"  # intraday account report


class Direction(StrEnum):
    CREDIT = "credit"  # money in
    DEBIT = "debit"  # money out


class TransactionStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"  # to a dues payment
    BOOKED = "booked"  # by a journal entry of its own


class BankStatement(db.Model):
    __tablename__ = "bank_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(10), nullable=False)
    message_id: Mapped[str] = mapped_column(String(35), nullable=False)  # GrpHdr/MsgId
    statement_id: Mapped[str] = mapped_column(String(35), nullable=False)  # Stmt/Id
    account_iban: Mapped[str] = mapped_column(String(34), nullable=False)
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    opening_balance_cents: Mapped[int | None] = mapped_column(BigInteger)
    closing_balance_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The whole file's SHA-256 (one file may hold statements of several accounts and
    # days: each statement with new lines is a row of its own).
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    transaction_count: Mapped[int] = mapped_column(Integer, nullable=False)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("format", StatementFormat), name="format_known"),
        CheckConstraint("transaction_count >= 0", name="count_nonnegative"),
        Index("ix_bank_statement_imported", "imported_at", "id"),
    )


class BankTransaction(db.Model):
    __tablename__ = "bank_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("bank_statement.id"), nullable=False, index=True
    )
    account_iban: Mapped[str] = mapped_column(String(34), nullable=False)
    entry_key: Mapped[str] = mapped_column(String(80), nullable=False)
    booking_date: Mapped[date] = mapped_column(Date, nullable=False)
    value_date: Mapped[date | None] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(6), nullable=False)
    amount_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    counterparty_name: Mapped[str | None] = mapped_column(String(140))
    counterparty_iban: Mapped[str | None] = mapped_column(String(34))
    # CdtrRefInf/Ref (a structured payment reference) and the free text (Ustrd).
    structured_reference: Mapped[str | None] = mapped_column(String(35))
    remittance: Mapped[str | None] = mapped_column(Text)
    bank_reference: Mapped[str | None] = mapped_column(String(35))  # AcctSvcrRef
    end_to_end_id: Mapped[str | None] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, default=TransactionStatus.OPEN
    )
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), unique=True)
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id"), unique=True
    )
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("account_iban", "entry_key", name="uq_bank_transaction_entry"),
        CheckConstraint(one_of("direction", Direction), name="direction_known"),
        CheckConstraint(one_of("status", TransactionStatus), name="status_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "(status = 'open' AND payment_id IS NULL AND journal_entry_id IS NULL)"
            " OR (status = 'matched' AND payment_id IS NOT NULL AND journal_entry_id IS NULL)"
            " OR (status = 'booked' AND journal_entry_id IS NOT NULL AND payment_id IS NULL)",
            name="status_fits_links",
        ),
        # The open lines, newest first; earlier bookings of a counterparty.
        Index("ix_bank_transaction_status_date", "status", "booking_date", "id"),
        Index("ix_bank_transaction_counterparty", "counterparty_iban", "booking_date"),
    )
