"""SEPA direct debit (incasso) for dues: mandates, collection batches and their items.

A mandate is the member's permission to collect (signed in the portal or on paper).
A batch is one pain.008 file for one collection date; each item collects one dues
invoice under one mandate. The database keeps the rules that protect the members'
money: one active mandate per person, a unique mandate reference, and an invoice (and a
mandate) in at most one pending collection at a time.
"""

import hashlib
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class MandateKind(StrEnum):
    RECURRENT = "recurrent"  # doorlopende machtiging: the yearly dues
    ONE_OFF = "one_off"  # eenmalige machtiging: one collection, then it is used up


class MandateSource(StrEnum):
    PORTAL = "portal"  # signed electronically by the member
    PAPER = "paper"  # a signed form, registered by the treasurer


class MandateStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"  # withdrawn by the member or the coop
    ENDED = "ended"  # used up (one-off, final collection) or expired after 36 months


class SequenceType(StrEnum):
    FIRST = "FRST"
    RECURRING = "RCUR"
    FINAL = "FNAL"
    ONE_OFF = "OOFF"


class BatchStatus(StrEnum):
    PENDING = "pending"  # file made, collection not confirmed yet
    COLLECTED = "collected"
    CANCELLED = "cancelled"  # withdrawn before collection: its invoices are free again


class ItemStatus(StrEnum):
    PENDING = "pending"
    REJECTED = "rejected"  # refused by a bank before settlement: no money came
    COLLECTED = "collected"
    REVERSED = "reversed"  # storno after settlement: the money went back
    CANCELLED = "cancelled"


class Mandate(db.Model):
    __tablename__ = "direct_debit_mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    reference: Mapped[str] = mapped_column(String(35), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=MandateKind.RECURRENT)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default=MandateStatus.ACTIVE)
    # The account holder and the account; cleared when the mandate is anonymised.
    account_holder: Mapped[str] = mapped_column(String(70), nullable=False)
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    signed_on: Mapped[date] = mapped_column(Date, nullable=False)
    # The text the member agreed to, as shown (portal) or printed (paper form).
    consent_text: Mapped[str] = mapped_column(Text, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # Settles the retention: a mandate is kept 36 months after its last collection.
    last_collection_on: Mapped[date | None] = mapped_column(Date)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        # One active mandate per person for the dues.
        Index(
            "uq_direct_debit_mandate_active_person", "person_id", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
        CheckConstraint(one_of("kind", MandateKind), name="kind_known"),
        CheckConstraint(one_of("source", MandateSource), name="source_known"),
        CheckConstraint(one_of("status", MandateStatus), name="status_known"),
        CheckConstraint("(status = 'active') = (ended_on IS NULL)", name="ended_unless_active"),
        CheckConstraint("iban IS NOT NULL OR anonymised_at IS NOT NULL", name="iban_kept"),
        CheckConstraint("length(reference) BETWEEN 1 AND 35", name="reference_length"),
    )


def file_sha256(xml: str) -> str:
    """The SHA-256 of the file as downloaded (UTF-8), in hex: `sha256sum` of a copy."""
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


def _file_sha256(context) -> str:
    return file_sha256(context.get_current_parameters()["xml"])


class Batch(db.Model):
    __tablename__ = "direct_debit_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(35), nullable=False, unique=True)
    collection_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=BatchStatus.PENDING)
    creditor_id: Mapped[str] = mapped_column(String(35), nullable=False)
    transaction_count: Mapped[int] = mapped_column(Integer, nullable=False)
    total_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    # The pain.008 file as handed to the bank: stored with the batch, in the same
    # transaction, so a batch never exists without its file nor a file without its batch.
    # Its names and IBANs are removed once the batch is past its retention
    # (services.purge_batch_files); the fingerprint, message id, count and total stay,
    # so a copy kept elsewhere can still be checked against the books.
    xml: Mapped[str | None] = mapped_column(Text)
    xml_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default=_file_sha256)
    xml_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(one_of("status", BatchStatus), name="status_known"),
        CheckConstraint("transaction_count > 0", name="count_positive"),
        CheckConstraint("total_cents > 0", name="total_positive"),
        CheckConstraint("(status = 'pending') = (closed_at IS NULL)", name="closed_unless_pending"),
        CheckConstraint("(xml IS NULL) = (xml_purged_at IS NOT NULL)", name="file_or_purged"),
        CheckConstraint("status <> 'pending' OR xml IS NOT NULL", name="file_while_pending"),
        Index("ix_direct_debit_batch_collection_date", "collection_date", "id"),
    )


class BatchItem(db.Model):
    __tablename__ = "direct_debit_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("direct_debit_batch.id"), nullable=False, index=True
    )
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), nullable=False, index=True)
    mandate_id: Mapped[int] = mapped_column(
        ForeignKey("direct_debit_mandate.id"), nullable=False, index=True
    )
    sequence_type: Mapped[str] = mapped_column(String(4), nullable=False)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    end_to_end_id: Mapped[str] = mapped_column(String(35), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=ItemStatus.PENDING)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), unique=True)
    reason_code: Mapped[str | None] = mapped_column(String(4))
    returned_on: Mapped[date | None] = mapped_column(Date)
    # The pre-notification: to whom and when (None: not sent yet, or no email address).
    notified_to: Mapped[str | None] = mapped_column(String(255))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # An invoice is collected once: never in two pending batches, never collected
        # twice; after a rejection or storno it may be collected again.
        Index(
            "uq_direct_debit_item_live_invoice", "invoice_id", unique=True,
            sqlite_where=text("status IN ('pending', 'collected')"),
            postgresql_where=text("status IN ('pending', 'collected')"),
        ),
        # A mandate is in at most one pending collection, so FRST and RCUR follow the
        # outcome of the previous one.
        Index(
            "uq_direct_debit_item_pending_mandate", "mandate_id", unique=True,
            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint(one_of("sequence_type", SequenceType), name="sequence_type_known"),
        CheckConstraint(one_of("status", ItemStatus), name="status_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "(status IN ('rejected', 'reversed')) = (reason_code IS NOT NULL)",
            name="reason_when_returned",
        ),
        CheckConstraint(
            "status NOT IN ('collected', 'reversed') OR payment_id IS NOT NULL",
            name="payment_when_collected",
        ),
    )
