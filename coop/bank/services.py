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
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from coop import audit, locking, timeutil
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
from coop.ledger.models import (
    AccountKind,
    AccountPurpose,
    BalanceCategory,
    CostCentre,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from coop.locking import locked
from coop.members.models import Person
from coop.settings import services as settings
from coop.settings.models import BankAccount, BankAccountKind
from coop.timeutil import utcnow
from coop.validators import normalise_iban

MAX_FILE_BYTES = 10 * 1024 * 1024
_INVOICE_NUMBER = re.compile(r"\b(\d{4}-\d{5})\b")
_CHUNK = 500


class BankError(ServiceError):
    """A refused action (see `ServiceError`)."""


# The coop's own accounts ---------------------------------------------------------------


@dataclass
class AccountValues:
    """What the treasurer fills in for one of the coop's bank accounts."""

    iban: str | None
    name: str | None
    ledger_account: LedgerAccount | None


def save_bank_accounts(values: dict[BankAccountKind, AccountValues],
                       actor=None) -> dict:
    """Set the coop's current and savings account: IBAN, name and ledger account each.
    The current account is required (invoices name it); a savings account left empty
    is removed. Audits what changed and returns it. Raises BankError at the field
    (`current_iban`, `savings_ledger_account`, …) for a missing or invalid IBAN or name,
    the same IBAN or ledger account twice, or a ledger account that is not an active
    liquid-assets account."""
    kinds = [BankAccountKind.CURRENT, BankAccountKind.SAVINGS]
    cleaned: dict[BankAccountKind, AccountValues | None] = {}
    for kind in kinds:
        given = values.get(kind) or AccountValues(None, None, None)
        prefix = kind.value
        iban = "".join((given.iban or "").split()).upper() or None
        name = (given.name or "").strip() or None
        if iban is None and name is None and given.ledger_account is None:
            if kind == BankAccountKind.CURRENT:
                raise BankError(_l("The coop's current account is required."),
                                f"{prefix}_iban")
            cleaned[kind] = None
            continue
        if iban is None:
            raise BankError(_l("Fill in the IBAN."), f"{prefix}_iban")
        try:
            iban = normalise_iban(iban)
        except ValueError as error:
            raise BankError(error.args[0], f"{prefix}_iban") from None
        if name is None:
            raise BankError(_l("Fill in the name of the account."), f"{prefix}_name")
        account = given.ledger_account
        if account is None:
            raise BankError(_l("Choose the ledger account of this bank account."),
                            f"{prefix}_ledger_account")
        if (account.kind != AccountKind.ASSET
                or account.category != BalanceCategory.LIQUID_ASSETS
                or not account.is_active):
            raise BankError(_l("Choose an active liquid-assets account (like 1100 Bank)."),
                            f"{prefix}_ledger_account")
        cleaned[kind] = AccountValues(iban, name[:100], account)
    current, savings = cleaned[BankAccountKind.CURRENT], cleaned[BankAccountKind.SAVINGS]
    if savings is not None:
        if savings.iban == current.iban:
            raise BankError(_l("The savings account has the same IBAN as the current "
                               "account."), "savings_iban")
        if savings.ledger_account.id == current.ledger_account.id:
            raise BankError(_l("Each bank account needs a ledger account of its own."),
                            "savings_ledger_account")
    existing = {BankAccountKind(a.kind): a for a in settings.bank_accounts()}
    codes = {a.id: a.code for a in db.session.scalars(select(LedgerAccount))}

    def described(iban, name, ledger_account_id):
        return {"iban": iban, "name": name, "ledger_account": codes.get(ledger_account_id)}

    changes: dict = {}
    for kind in kinds:
        row, new = existing.get(kind), cleaned[kind]
        old = described(row.iban, row.name, row.ledger_account_id) if row else None
        wanted = described(new.iban, new.name, new.ledger_account.id) if new else None
        if old != wanted:
            changes[kind.value] = [old, wanted]
    # Remove first, then write: an IBAN or a ledger account may move from one kind to
    # the other, and each is unique.
    for kind in kinds:
        row, new = existing.get(kind), cleaned[kind]
        if row is not None and (new is None or row.iban != new.iban
                                or row.ledger_account_id != new.ledger_account.id):
            db.session.delete(row)
            existing.pop(kind)
    db.session.flush()
    for kind in kinds:
        row, new = existing.get(kind), cleaned[kind]
        if new is None:
            continue
        if row is None:
            db.session.add(BankAccount(kind=kind.value, iban=new.iban, name=new.name,
                                       ledger_account_id=new.ledger_account.id))
        else:
            row.name = new.name
    db.session.flush()
    if changes:
        audit.record("finance:bank:accounts", {"changes": changes}, actor=actor)
    return changes


def own_account(iban: str) -> BankAccount | None:
    return db.session.scalar(select(BankAccount).where(BankAccount.iban == iban))


# Import -------------------------------------------------------------------------------


@dataclass
class SkippedAccount:
    """Statements in the file of an account that is not one of the coop's."""

    iban: str
    statements: int
    entries: int


@dataclass
class ImportResult:
    statements: list[BankStatement]  # those with new lines
    added: int
    already_known: int
    skipped: list[SkippedAccount] = field(default_factory=list)

    @property
    def statement(self) -> BankStatement | None:
        """The statement of a file that added lines to exactly one."""
        return self.statements[0] if len(self.statements) == 1 else None


def import_statement(data: bytes, filename: str | None = None, actor=None) -> ImportResult:
    """Import a CAMT.053/052 file: every booked entry of the coop's own accounts not
    imported before becomes an open transaction, statement by statement (a bank puts
    one per account per booking day in a file). Statements of other accounts are
    skipped and listed in the result. Raises BankError (field `file`) for a file that is
    too large, unreadable, of another type, in a foreign currency, otherwise malformed
    (see `coop.bank.camt.parse`), when the coop's accounts are not set, or when no
    statement in it is of one of them; nothing is saved then.
    """
    if len(data) > MAX_FILE_BYTES:
        raise BankError(_l("The file is larger than 10 MB."), "file")
    digest = hashlib.sha256(data).hexdigest()
    try:
        message = camt.parse(data)
    except camt.CamtError as error:
        raise BankError(error.message, "file") from None
    own = {a.iban for a in settings.bank_accounts()}
    if not own:
        raise BankError(_l("Set the coop's bank accounts first (Bank, Bank accounts): "
                           "only their statements are imported."), "file")
    skipped: dict[str, SkippedAccount] = {}
    mine = []
    for parsed in message.statements:
        if parsed.account_iban in own:
            mine.append(parsed)
            continue
        row = skipped.setdefault(parsed.account_iban,
                                 SkippedAccount(parsed.account_iban, 0, 0))
        row.statements += 1
        row.entries += len(parsed.entries)
    if not mine:
        raise BankError(
            _l("No statement in this file is of the coop's accounts (%(own)s); it holds "
               "account %(iban)s.", own=", ".join(sorted(own)),
               iban=", ".join(sorted(skipped))), "file")
    result = ImportResult([], 0, 0, list(skipped.values()))
    for parsed in mine:
        added, known = _import_one(parsed, digest, filename, actor)
        if added is not None:
            result.statements.append(added)
            result.added += added.transaction_count
        result.already_known += known
    audit.record("finance:bank:import",
                 {"message": message.message_id, "format": message.format,
                  "statements": len(result.statements), "added": result.added,
                  "already_known": result.already_known,
                  "skipped": [{"iban": s.iban, "statements": s.statements,
                               "entries": s.entries} for s in result.skipped],
                  "filename": filename}, actor=actor)
    return result


def _import_one(parsed: camt.CamtStatement, digest: str, filename: str | None,
                actor) -> tuple[BankStatement | None, int]:
    """One statement's new lines (per entry: a line imported before is skipped).
    Returns the statement row (None when nothing was new) and how many were known."""
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
        return None, len(parsed.entries)
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
    return statement, len(parsed.entries) - len(new)


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

    references = _named_references(transaction)
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


@dataclass
class PaidAlready:
    """An invoice the line names that was paid in full before: a double payment?"""

    invoice: Invoice
    paid_on: date | None  # the last payment's day


def _named_references(transaction: BankTransaction) -> set[str]:
    references = set(_INVOICE_NUMBER.findall(transaction.remittance or ""))
    if transaction.structured_reference:
        references.add(transaction.structured_reference.strip())
    return references


def paid_invoices_named(transaction: BankTransaction) -> list[PaidAlready]:
    """Dues invoices this money received names (by payment reference or invoice number)
    that are paid already: the treasurer may book the money as an overpayment to refund
    (`book_overpayment`) instead of looking for an open invoice that is not there."""
    if transaction.direction != Direction.CREDIT or transaction.status != TransactionStatus.OPEN:
        return []
    references = _named_references(transaction)
    if not references:
        return []
    last_paid = (select(func.max(Payment.paid_on)).where(Payment.invoice_id == Invoice.id)
                 .correlate(Invoice).scalar_subquery())
    rows = db.session.execute(
        select(Invoice, last_paid)
        .where(Invoice.kind == InvoiceKind.INVOICE.value,
               Invoice.status == InvoiceStatus.PAID.value,
               Invoice.payment_reference.in_(references) | Invoice.number.in_(references))
        .order_by(Invoice.number).limit(5)
    ).all()
    return [PaidAlready(invoice, paid_on) for invoice, paid_on in rows]


def _paid_already_message(invoice: Invoice):
    paid_on = db.session.scalar(select(func.max(Payment.paid_on))
                                .where(Payment.invoice_id == invoice.id))
    return _l("Invoice %(number)s was paid already on %(day)s; paid twice? Book this "
              "payment as an overpayment to refund.", number=invoice.number,
              day=format_date(paid_on) if paid_on else "?")


def _lock(transaction: BankTransaction) -> BankTransaction:
    return locking.locked(BankTransaction, transaction.id)


def invoice_by_number(number: str) -> Invoice:
    """The dues invoice a treasurer names by its number. Raises BankError at `invoice`."""
    number = (number or "").strip()
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise BankError(_l("There is no invoice %(number)s.", number=number), "invoice")
    return invoice


def match_to_invoice(transaction: BankTransaction, invoice: Invoice | None, actor=None,
                     today: date | None = None) -> Payment:
    """Record the money received as a bank payment of `invoice` (through
    `coop.dues.services.record_payment`, which posts it to the ledger) and mark the
    line matched. Raises BankError (field `invoice`) for a line that is settled already
    or is money paid out, no invoice, or what record_payment refuses (an invoice that is
    not open, an amount above what remains)."""
    transaction = locked(BankTransaction, transaction.id)
    if transaction.status != TransactionStatus.OPEN:
        raise BankError(_l("This bank line has already been matched or booked."))
    if transaction.direction != Direction.CREDIT:
        raise BankError(_l("Only money received can pay a dues invoice."), "invoice")
    if invoice is None:
        raise BankError(_l("Choose the invoice this payment is for."), "invoice")
    if invoice.kind == InvoiceKind.INVOICE and invoice.status == InvoiceStatus.PAID:
        raise BankError(_paid_already_message(invoice), "invoice")
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


def bank_ledger_account(transaction: BankTransaction) -> LedgerAccount:
    """The ledger account of the coop's bank account the line is on. Raises BankError
    when that account is no longer one of the coop's."""
    account = own_account(transaction.account_iban)
    if account is None:
        raise BankError(_l("Account %(iban)s of this line is no longer one of the coop's "
                           "bank accounts (Bank, Bank accounts).",
                           iban=transaction.account_iban))
    return db.session.get(LedgerAccount, account.ledger_account_id)


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
    banks = select(BankAccount.ledger_account_id)
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
               LedgerAccount.id.not_in(banks), LedgerAccount.is_active.is_(True))
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
    transaction = locked(BankTransaction, transaction.id)
    if transaction.status != TransactionStatus.OPEN:
        raise BankError(_l("This bank line has already been matched or booked."))
    if account is None:
        raise BankError(_l("Choose an account."), "account")
    bank = bank_ledger_account(transaction)
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


def book_overpayment(transaction: BankTransaction, invoice: Invoice | None,
                     actor=None) -> JournalEntry:
    """Book money received for an invoice that was paid already as an overpayment to
    refund: the bank account against the payables (a debt to the member, linked to the
    person and the invoice, so the treasurer sees whom to pay back). The entry names
    the invoice, never the member. Raises BankError for a line already settled or paid
    out, no invoice, an invoice that is not a paid dues invoice, or what the ledger
    refuses."""
    transaction = _lock(transaction)
    if transaction.status != TransactionStatus.OPEN:
        raise BankError(_l("This bank line has already been matched or booked."))
    if transaction.direction != Direction.CREDIT:
        raise BankError(_l("Only money received can be an overpayment."), "invoice")
    if invoice is None or invoice.kind != InvoiceKind.INVOICE:
        raise BankError(_l("Choose the invoice this payment is for."), "invoice")
    if invoice.status != InvoiceStatus.PAID:
        raise BankError(_l("Invoice %(number)s is not paid yet: match the payment to it.",
                           number=invoice.number), "invoice")
    bank = bank_ledger_account(transaction)
    cents = transaction.amount_cents
    links = {"person_id": invoice.person_id, "invoice_id": invoice.id}
    try:
        payables = ledger.account_for(AccountPurpose.PAYABLES)
        entry = ledger.post_entry(
            transaction.booking_date,
            f"Dubbel betaald: factuur {invoice.number}, terug te betalen",
            [ledger.Line(bank, debit_cents=cents, **links),
             ledger.Line(payables, credit_cents=cents, **links)],
            reference=transaction.bank_reference or invoice.number, actor=actor)
    except ledger.LedgerError as error:
        raise BankError(error.message) from None
    transaction.status = TransactionStatus.BOOKED.value
    transaction.journal_entry_id = entry.id
    transaction.settled_by_id = audit.acting_user_id(actor)
    transaction.settled_at = utcnow()
    db.session.flush()
    audit.record("finance:bank:overpayment",
                 {"transaction_id": transaction.id, "invoice": invoice.number,
                  "entry": entry.display_number, "amount_cents": cents},
                 obj=transaction, actor=actor)
    return entry


@dataclass
class Overpayment:
    transaction: BankTransaction
    invoice: Invoice
    person_name: str
    entry: JournalEntry


def overpayments(limit: int = 50) -> list[Overpayment]:
    """Money received twice and booked as a debt to the member, newest first: what
    the treasurer has to pay back (a refund is booked on the payables account)."""
    payables = select(LedgerAccount.id).where(
        LedgerAccount.purpose == AccountPurpose.PAYABLES.value).scalar_subquery()
    rows = db.session.execute(
        select(BankTransaction, Invoice, Person, JournalEntry)
        .join(JournalEntry, JournalEntry.id == BankTransaction.journal_entry_id)
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .join(Person, Person.id == Invoice.person_id)
        .where(JournalLine.account_id == payables, JournalLine.credit_cents > 0)
        .order_by(BankTransaction.booking_date.desc(), BankTransaction.id.desc())
        .limit(limit)
    ).all()
    return [Overpayment(t, invoice, person.display_name, entry)
            for t, invoice, person, entry in rows]


def open_count() -> int:
    return db.session.scalar(
        select(func.count(BankTransaction.id))
        .where(BankTransaction.status == TransactionStatus.OPEN.value))
