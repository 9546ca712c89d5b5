"""Bank statement import, matching to dues invoices and manual booking.

- `import_statement` reads a CAMT file and adds the transactions not seen before, all or
  nothing: a refused file saves nothing, the same file (or an overlapping one) again
  adds nothing.
- `suggestions` proposes open dues invoices for money received: by payment reference,
  by the payer's IBAN seen on an earlier matched payment, or by the payer's name, each
  with the right amount. The treasurer confirms with `match_to_invoice`, which records
  the payment through the dues service (which posts it to the ledger).
- `book_transaction` books any other line through the ledger's `post_entry`, against the
  bank account; `account_suggestions` offers what earlier lines of the same
  counterparty were booked to.

Services flush but do not commit. A refused action raises `BankError` (a translated
message and the form field it belongs to).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from coop import audit, timeutil
from coop.bank import camt
from coop.bank.models import (
    BankStatement,
    BankTransaction,
    Direction,
    TransactionStatus,
)
from coop.dues import services as dues
from coop.dues.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from coop.errors import ServiceError
from coop.extensions import db
from coop.funders.models import FunderAgreement
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, CostCentre, JournalEntry, JournalLine, LedgerAccount
from coop.settings.services import get_organisation
from coop.timeutil import utcnow

MAX_FILE_BYTES = 10 * 1024 * 1024
_INVOICE_NUMBER = re.compile(r"\b(\d{4}-\d{5})\b")
_CHUNK = 500


class BankError(ServiceError):
    """A refused action (see `ServiceError`)."""


# Import -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    statement: BankStatement | None  # None when nothing was new
    added: int
    already_known: int


def import_statement(data: bytes, filename: str | None = None, actor=None) -> ImportResult:
    """Import a CAMT.053/052 file: every booked entry not imported before becomes an
    open transaction. Raises BankError (field `file`) for a file that is too large,
    unreadable, of another type, in a foreign currency, of another account than the
    coop's, or otherwise malformed (see `coop.bank.camt.parse`); nothing is saved then.
    """
    if len(data) > MAX_FILE_BYTES:
        raise BankError(_l("The file is larger than 10 MB."), "file")
    digest = hashlib.sha256(data).hexdigest()
    try:
        parsed = camt.parse(data)
    except camt.CamtError as error:
        raise BankError(error.message, "file") from None
    own_iban = (get_organisation().iban or "").replace(" ", "").upper()
    if own_iban and parsed.account_iban != own_iban:
        raise BankError(
            _l("This statement is of account %(iban)s, not of the coop's account "
               "%(own)s (organisation settings).", iban=parsed.account_iban, own=own_iban),
            "file",
        )
    if db.session.scalar(select(BankStatement.id).where(BankStatement.file_sha256 == digest)):
        return ImportResult(None, 0, len(parsed.entries))
    keys = [entry.entry_key for entry in parsed.entries]
    known: set[str] = set()
    for offset in range(0, len(keys), _CHUNK):
        known.update(db.session.scalars(
            select(BankTransaction.entry_key).where(
                BankTransaction.account_iban == parsed.account_iban,
                BankTransaction.entry_key.in_(keys[offset:offset + _CHUNK]))
        ))
    new = [entry for entry in parsed.entries if entry.entry_key not in known]
    if not new:
        return ImportResult(None, 0, len(parsed.entries))
    statement = BankStatement(
        format=parsed.format, message_id=parsed.message_id,
        statement_id=parsed.statement_id, account_iban=parsed.account_iban,
        from_date=parsed.from_date, to_date=parsed.to_date,
        opening_balance_cents=parsed.opening_balance_cents,
        closing_balance_cents=parsed.closing_balance_cents,
        file_sha256=digest, filename=(filename or "")[:255] or None,
        transaction_count=len(new), imported_by_id=audit.acting_user_id(actor),
    )
    db.session.add(statement)
    db.session.flush()
    db.session.add_all([
        BankTransaction(
            statement_id=statement.id, account_iban=parsed.account_iban,
            entry_key=entry.entry_key, booking_date=entry.booking_date,
            value_date=entry.value_date, direction=entry.direction,
            amount_cents=entry.amount_cents, counterparty_name=entry.counterparty_name,
            counterparty_iban=entry.counterparty_iban,
            structured_reference=entry.structured_reference,
            remittance=entry.remittance, bank_reference=entry.bank_reference,
            end_to_end_id=entry.end_to_end_id, status=TransactionStatus.OPEN.value,
        )
        for entry in new
    ])
    db.session.flush()
    audit.record("finance:bank:import",
                 {"statement": parsed.statement_id, "iban": parsed.account_iban,
                  "format": parsed.format, "added": len(new),
                  "already_known": len(parsed.entries) - len(new), "filename": filename},
                 obj=statement, actor=actor)
    return ImportResult(statement, len(new), len(parsed.entries) - len(new))


# Matching to dues invoices ------------------------------------------------------------


@dataclass
class Suggestion:
    invoice: Invoice
    remaining_cents: int
    reason: str  # "reference", "iban", "name"


def _remaining():
    paid = (select(func.coalesce(func.sum(Payment.amount_cents), 0))
            .where(Payment.invoice_id == Invoice.id).correlate(Invoice).scalar_subquery())
    return Invoice.total_cents - paid


def _open_invoices(*conditions, limit: int = 10):
    remaining = _remaining()
    return db.session.execute(
        select(Invoice, remaining)
        .where(Invoice.kind == InvoiceKind.INVOICE.value,
               Invoice.status == InvoiceStatus.OPEN.value, *conditions)
        .order_by(Invoice.due_date, Invoice.id).limit(limit)
    ).all()


def suggestions(transaction: BankTransaction) -> list[Suggestion]:
    """Open dues invoices this money received may pay, best first: the payment
    reference (structured, or an invoice number in the description) with any amount up
    to what remains; then, for exactly the remaining amount, invoices of the person an
    earlier payment from the same IBAN was matched to, and invoices addressed to the
    payer's name."""
    if transaction.direction != Direction.CREDIT or transaction.status != TransactionStatus.OPEN:
        return []
    found: dict[int, Suggestion] = {}

    def add(rows, reason, exact_amount):
        for invoice, remaining in rows:
            remaining = int(remaining)
            if invoice.id in found or remaining <= 0:
                continue
            if remaining < transaction.amount_cents or (
                    exact_amount and remaining != transaction.amount_cents):
                continue
            found[invoice.id] = Suggestion(invoice, remaining, reason)

    references = set(_INVOICE_NUMBER.findall(transaction.remittance or ""))
    if transaction.structured_reference:
        references.add(transaction.structured_reference.strip())
    if references:
        add(_open_invoices(Invoice.payment_reference.in_(references)), "reference", False)
    if transaction.counterparty_iban:
        persons = (
            select(Invoice.person_id)
            .join(Payment, Payment.invoice_id == Invoice.id)
            .join(BankTransaction, BankTransaction.payment_id == Payment.id)
            .where(BankTransaction.counterparty_iban == transaction.counterparty_iban)
        )
        add(_open_invoices(Invoice.person_id.in_(persons),
                           _remaining() == transaction.amount_cents), "iban", True)
    if transaction.counterparty_name:
        add(_open_invoices(
            func.lower(Invoice.addressee_name) == transaction.counterparty_name.lower(),
            _remaining() == transaction.amount_cents), "name", True)
    return list(found.values())


def _lock(transaction: BankTransaction) -> BankTransaction:
    return db.session.scalars(
        select(BankTransaction).where(BankTransaction.id == transaction.id)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def match_to_invoice(transaction: BankTransaction, invoice: Invoice | None, actor=None,
                     today: date | None = None) -> Payment:
    """Record the money received as a bank payment of `invoice` (through
    `coop.dues.services.record_payment`, which posts it to the ledger) and mark the
    line matched. Raises BankError (field `invoice`) for a line that is settled already
    or is money paid out, no invoice, or what record_payment refuses (an invoice that is
    not open, an amount above what remains)."""
    transaction = _lock(transaction)
    if transaction.status != TransactionStatus.OPEN:
        raise BankError(_l("This bank line has already been matched or booked."))
    if transaction.direction != Direction.CREDIT:
        raise BankError(_l("Only money received can pay a dues invoice."), "invoice")
    if invoice is None:
        raise BankError(_l("Choose the invoice this payment is for."), "invoice")
    reference = transaction.bank_reference or transaction.structured_reference or (
        transaction.remittance or "")[:140] or None
    try:
        payment = dues.record_payment(
            invoice, transaction.amount_cents, transaction.booking_date,
            PaymentMethod.BANK_TRANSFER.value, reference=reference, actor=actor,
            today=max(today or timeutil.local_today(), transaction.booking_date),
        )
    except dues.DuesError as error:
        raise BankError(error.message, "invoice") from None
    transaction.status = TransactionStatus.MATCHED.value
    transaction.payment_id = payment.id
    transaction.settled_by_id = audit.acting_user_id(actor)
    transaction.settled_at = utcnow()
    db.session.flush()
    audit.record("finance:bank:match",
                 {"transaction_id": transaction.id, "invoice": invoice.number,
                  "amount_cents": transaction.amount_cents}, obj=transaction, actor=actor)
    return payment


# Booking by hand ----------------------------------------------------------------------


@dataclass
class AccountSuggestion:
    account_id: int
    code: str
    name: str
    cost_centre_id: int | None
    agreement_id: int | None
    times: int


def account_suggestions(transaction: BankTransaction, limit: int = 3) -> list[AccountSuggestion]:
    """What earlier booked lines of the same counterparty IBAN were booked to (the
    other side of their entry than the bank), most often first."""
    if not transaction.counterparty_iban:
        return []
    bank = db.session.scalar(
        select(LedgerAccount.id).where(LedgerAccount.purpose == AccountPurpose.BANK.value))
    times = func.count(JournalLine.id)
    rows = db.session.execute(
        select(LedgerAccount.id, LedgerAccount.code, LedgerAccount.name,
               JournalLine.cost_centre_id, JournalLine.agreement_id, times)
        .select_from(BankTransaction)
        .join(JournalLine, JournalLine.entry_id == BankTransaction.journal_entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(BankTransaction.counterparty_iban == transaction.counterparty_iban,
               BankTransaction.status == TransactionStatus.BOOKED.value,
               BankTransaction.id != transaction.id,
               LedgerAccount.id != bank, LedgerAccount.is_active.is_(True))
        .group_by(LedgerAccount.id, LedgerAccount.code, LedgerAccount.name,
                  JournalLine.cost_centre_id, JournalLine.agreement_id)
        .order_by(times.desc(), LedgerAccount.code)
        .limit(limit)
    ).all()
    return [AccountSuggestion(*row) for row in rows]


def book_transaction(transaction: BankTransaction, account: LedgerAccount | None,
                     description: str, *, cost_centre: CostCentre | None = None,
                     agreement: FunderAgreement | None = None, actor=None) -> JournalEntry:
    """Book the line against `account` with the bank account on the other side (money
    in: debit bank; money out: credit bank), optionally for a cost centre and a funder
    agreement, through `post_entry`, and mark it booked. Raises BankError for a line
    already settled, no account or the bank account itself, and what the ledger
    refuses (field names of the booking form: `account`, `description`)."""
    transaction = _lock(transaction)
    if transaction.status != TransactionStatus.OPEN:
        raise BankError(_l("This bank line has already been matched or booked."))
    if account is None:
        raise BankError(_l("Choose an account."), "account")
    try:
        bank = ledger.account_for(AccountPurpose.BANK)
    except ledger.LedgerError as error:
        raise BankError(error.message, "account") from None
    if account.id == bank.id:
        raise BankError(_l("Choose the account on the other side of the bank."), "account")
    description = (description or "").strip()
    cents = transaction.amount_cents
    links = {"agreement_id": agreement.id} if agreement is not None else {}
    centre_id = cost_centre.id if cost_centre is not None else None
    counter = ledger.Line(account, cost_centre_id=centre_id, links=links)
    if transaction.direction == Direction.CREDIT:
        counter.credit_cents = cents
        lines = [ledger.Line(bank, debit_cents=cents), counter]
    else:
        counter.debit_cents = cents
        lines = [counter, ledger.Line(bank, credit_cents=cents)]
    reference = transaction.bank_reference or transaction.structured_reference
    try:
        entry = ledger.post_entry(transaction.booking_date, description, lines,
                                  reference=reference, actor=actor)
    except ledger.LedgerError as error:
        field = error.field if error.field in ("description",) else (
            "account" if error.field and error.field.startswith("lines") else None)
        if error.field == "entry_date":
            field = None
        raise BankError(error.message, field) from None
    transaction.status = TransactionStatus.BOOKED.value
    transaction.journal_entry_id = entry.id
    transaction.settled_by_id = audit.acting_user_id(actor)
    transaction.settled_at = utcnow()
    db.session.flush()
    audit.record("finance:bank:book",
                 {"transaction_id": transaction.id, "entry": entry.display_number,
                  "account": account.code, "amount_cents": cents,
                  "agreement_id": agreement.id if agreement is not None else None},
                 obj=transaction, actor=actor)
    return entry


def open_count() -> int:
    return db.session.scalar(
        select(func.count(BankTransaction.id))
        .where(BankTransaction.status == TransactionStatus.OPEN.value))
