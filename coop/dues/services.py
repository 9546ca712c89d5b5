"""The dues rules: generating invoices, numbering, credit notes, payments, reminders.

Services flush but do not commit; the caller commits once. A refused action raises
`DuesError` (a translated message, optionally for one form field).

Decisions the code encodes:

- A fiscal year is named after the calendar year it starts in: with the fiscal year
  starting in July, fiscal year 2026 runs from 1 July 2026 to 30 June 2027.
- Who pays dues for a year: every membership that was a membership (not an aspirant)
  on at least one day of that fiscal year, of a type with dues above zero. Suspended
  members pay (a suspension does not end the membership). A membership that ended
  during the year pays the whole year, as BW 2:36 lid 4 prescribes for a vereniging
  (and a coöperatie via 2:53a) unless the statutes say otherwise. Only the year of
  joining is pro rata, per the `dues_proration` setting.
- Invoice numbers run per fiscal year of the *issue date* (the books' year), so dues
  for 2027 issued in December 2026 are numbered `2026-…` and carry `dues_year` 2027.
- The payment reference is the invoice number: unique, short, and what a member types.
- PDFs are written only for committed invoices, once (see `invoice_pdf_path`): a file
  written inside a transaction that later rolled back would carry a number that is
  handed out again.
"""

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, case, exists, func, select

from coop import audit, timeutil
from coop.accounts.models import User
from coop.dues import posting as dues_posting
from coop.dues.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    ReminderLog,
)
from coop.errors import ServiceError
from coop.extensions import db
from coop.fiscal import fiscal_year_bounds, fiscal_year_of
from coop.ledger import services as ledger
from coop.ledger import signals as ledger_signals
from coop.ledger.models import EntrySource, JournalEntry
from coop.ledger.services import LedgerError
from coop.locking import lock_rows, locked, locked_row
from coop.mail import MailError, send_mail
from coop.members import signals as member_signals
from coop.members.models import Membership, MembershipType, Person
from coop.money import format_money
from coop.payments import services as payments
from coop.settings.models import DuesProration
from coop.settings.services import get_organisation, payment_iban
from coop.templating import money_locale
from coop.timeutil import AMSTERDAM

# Reminders: the first goes `reminder_after_days` after the due date, the second as
# long after the first; no more after that (then the board phones or writes off).
MAX_REMINDER_LEVEL = 2
# Payment methods a person records by hand; Mollie and SEPA come with the payments issue.
MANUAL_PAYMENT_METHODS = (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER)
_BATCH = 500


class DuesError(ServiceError):
    """A refused dues action. `field` names the form field the message belongs to."""


def paid_so_far():
    """Cents paid so far on `Invoice` (reversed payments left out), as a subquery
    correlated to the invoice of the enclosing query: the one home of "paid so far"."""
    return (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.invoice_id == Invoice.id, Payment.reversed_on.is_(None))
        .correlate(Invoice).scalar_subquery()
    )


def month_starts(last: date, count: int = 12) -> list[date]:
    """The first days of `count` months, oldest first, ending with the month of `last`."""
    year, month, days = last.year, last.month, []
    for _step in range(count):
        days.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return days[::-1]


def collected_per_month(months: list[date]) -> list[int]:
    """Cents of dues paid in each month starting on `months` (reversed payments left
    out), by the day they were paid, in one statement."""
    if not months:
        return []
    columns = []
    for start in months:
        end = date(start.year + 1, 1, 1) if start.month == 12 else date(
            start.year, start.month + 1, 1)
        columns.append(func.coalesce(func.sum(case(
            (and_(Payment.paid_on >= start, Payment.paid_on < end), Payment.amount_cents),
            else_=0)), 0))
    row = db.session.execute(select(*columns).where(Payment.reversed_on.is_(None))).one()
    return [int(cents) for cents in row]


@ledger_signals.open_receivables.connect
def open_receivables(_sender=None, **_kwargs):
    """The open dues invoices as (due_date, remaining_cents), for the ledger's cash
    forecast and the dashboard's ledger tile."""
    return (
        select(Invoice.due_date.label("due_date"),
               (Invoice.total_cents - paid_so_far()).label("remaining_cents"))
        .where(Invoice.kind == InvoiceKind.INVOICE.value,
               Invoice.status == InvoiceStatus.OPEN.value)
    )


@member_signals.person_filter.connect_via("dues_open")
def _person_has_open_invoice(_sender, **_kwargs):
    """The register's "dues open" filter: the person has an open invoice."""
    return exists().where(Invoice.person_id == Person.id,
                          Invoice.status == InvoiceStatus.OPEN.value)



# Fiscal years ------------------------------------------------------------------------


def prorated_cents(
    yearly_cents: int, joined: date, fiscal_year_start: date, proration: str
) -> int:
    """The dues for the fiscal year starting on `fiscal_year_start` of a membership that
    started on `joined` (which may lie before the year: then the whole year is due).

    `monthly` charges the months from the joining month to the end of the year, the
    joining month included, rounded half up to whole cents: € 25,00 from April in a
    calendar year is 9/12 = € 18,75; € 10,00 for one month is € 0,83.
    """
    if joined < fiscal_year_start:
        return yearly_cents
    proration = DuesProration(proration)
    if proration == DuesProration.FULL:
        return yearly_cents
    if proration == DuesProration.FREE_FIRST_YEAR:
        return 0
    months_before = (joined.year - fiscal_year_start.year) * 12 + (
        joined.month - fiscal_year_start.month
    )
    months = 12 - months_before
    # Integer arithmetic, half up: no float ever touches an amount.
    return (yearly_cents * months * 2 + 12) // 24


# Numbering ---------------------------------------------------------------------------


def _lock_sequence(fiscal_year: int) -> InvoiceSequence:
    """The sequence row of `fiscal_year`, created if missing, locked until the
    transaction ends (see `locked_row`)."""
    return locked_row(InvoiceSequence, {"fiscal_year": fiscal_year}, last_number=0)


def format_number(fiscal_year: int, sequence_number: int) -> str:
    return f"{fiscal_year}-{sequence_number:05d}"


def _take_number(sequence: InvoiceSequence) -> tuple[int, str]:
    sequence.last_number += 1
    return sequence.last_number, format_number(sequence.fiscal_year, sequence.last_number)


def _address_lines(person: Person) -> str | None:
    city_line = " ".join(p for p in (person.postcode, person.city) if p)
    lines = [line for line in (person.street, city_line) if line]
    return "\n".join(lines) or None


# Generating dues ---------------------------------------------------------------------


@dataclass
class GenerationResult:
    fiscal_year: int  # the dues year
    invoice_year: int  # the fiscal year the invoices are numbered in (of the issue date)
    created: int = 0
    already_invoiced: int = 0
    not_charged: int = 0  # free first year, or a pro rata amount of zero
    numbers: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.already_invoiced + self.not_charged


def _dues_description(dues_year: int, type_name: str, months: int | None) -> str:
    # Invoices are Dutch documents whatever the treasurer's language.
    text = f"Contributie {dues_year} ({type_name})"
    if months is not None and months < 12:
        text += f", {months}/12 jaar"
    return text


def _owing_dues(year_start: date, year_end: date, membership_ids=None):
    """(Membership, MembershipType, Person) of the memberships that owe dues for the
    fiscal year from `year_start` to `year_end` (or only those of `membership_ids`)."""
    owing = (
        select(Membership, MembershipType, Person)
        .join(MembershipType, MembershipType.id == Membership.type_id)
        .join(Person, Person.id == Membership.person_id)
        .where(
            MembershipType.yearly_dues_cents > 0,
            # Only members: admitted (not an aspirant, nor one turned down) in the year.
            Membership.admitted_on.is_not(None),
            Membership.admitted_on <= year_end,
            Membership.end_date.is_(None) | (Membership.end_date >= year_start),
        )
    )
    if membership_ids is not None:
        owing = owing.where(Membership.id.in_(list(membership_ids)))
    return owing


def _invoiced_for(fiscal_year: int):
    """The membership's dues invoice of the year, as a correlated subquery. A credited
    invoice no longer counts: the member gets a corrected one."""
    return select(Invoice.id).where(
        Invoice.membership_id == Membership.id,
        Invoice.dues_year == fiscal_year,
        Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status != InvoiceStatus.CREDITED.value,
    )


def _months_charged(joined: date, year_start: date, proration: str) -> int | None:
    """The months a member who joined during the year pays for (monthly proration),
    for the invoice line; None for a whole year."""
    if joined >= year_start and proration == DuesProration.MONTHLY:
        return 12 - ((joined.year - year_start.year) * 12 + joined.month - year_start.month)
    return None


def _dues_invoice(sequence: InvoiceSequence, issuer: dict, membership: Membership,
                  person: Person, *, description: str, amount: int, dues_year: int,
                  issue_date: date, due_date: date) -> tuple[Invoice, InvoiceLine]:
    """One membership's dues invoice of one line, numbered from `sequence` (locked)."""
    sequence_number, number = _take_number(sequence)
    invoice = Invoice(
        issuer=issuer,
        kind=InvoiceKind.INVOICE.value,
        fiscal_year=sequence.fiscal_year,
        sequence_number=sequence_number,
        number=number,
        person_id=person.id,
        membership_id=membership.id,
        dues_year=dues_year,
        issue_date=issue_date,
        due_date=due_date,
        total_cents=amount,
        status=InvoiceStatus.OPEN.value,
        payment_reference=number,
        addressee_name=person.display_name,
        addressee_address=_address_lines(person),
    )
    line = InvoiceLine(description=description, quantity=1, unit_cents=amount,
                       amount_cents=amount)
    return invoice, line


def generate_dues(
    fiscal_year: int, issue_date: date, actor=None, membership_ids=None
) -> GenerationResult:
    """Issue the dues invoices of `fiscal_year` for every membership that owes them
    (or only those of `membership_ids`, e.g. a member who joined after the run).

    Idempotent: a membership that already has an invoice for the year is skipped (and
    the database refuses a second one: unique membership and dues year). Numbers come
    from the sequence of the issue date's fiscal year, locked for the whole run, so a
    concurrent run waits and then finds everything invoiced. Raises DuesError for an
    impossible year.
    """
    if not 2000 <= fiscal_year <= 2100:
        raise DuesError(_l("Enter a year between 2000 and 2100."), "fiscal_year")
    if not 2000 <= issue_date.year <= 2100:
        raise DuesError(_l("Enter an invoice date between 2000 and 2100."), "issue_date")
    organisation = get_organisation()
    issuer = issuer_snapshot(organisation)
    start_month = organisation.fiscal_year_start_month
    year_start, year_end = fiscal_year_bounds(fiscal_year, start_month)
    due_date = issue_date + timedelta(days=organisation.payment_term_days)
    # Lock first, then look: a concurrent run's invoices are visible once we hold it.
    sequence = _lock_sequence(fiscal_year_of(issue_date, start_month))

    owing = _owing_dues(year_start, year_end, membership_ids)
    invoiced = _invoiced_for(fiscal_year)
    result = GenerationResult(fiscal_year=fiscal_year, invoice_year=sequence.fiscal_year)
    result.already_invoiced = db.session.scalar(
        select(func.count()).select_from(owing.where(invoiced.exists()).subquery())
    )
    rows = db.session.execute(
        owing.where(~invoiced.exists()).order_by(Membership.member_number)
    ).all()

    pending: list[tuple[Invoice, InvoiceLine]] = []
    for membership, membership_type, person in rows:
        joined = membership.admitted_on
        amount = prorated_cents(
            membership_type.yearly_dues_cents, joined, year_start, organisation.dues_proration
        )
        if amount <= 0:
            result.not_charged += 1
            continue
        months = _months_charged(joined, year_start, organisation.dues_proration)
        invoice, line = _dues_invoice(
            sequence, issuer, membership, person,
            description=_dues_description(fiscal_year, membership_type.name, months),
            amount=amount, dues_year=fiscal_year, issue_date=issue_date, due_date=due_date)
        pending.append((invoice, line))
        result.numbers.append(invoice.number)
        if len(pending) >= _BATCH:
            _insert_invoices(pending, actor)
            pending = []
    _insert_invoices(pending, actor)
    db.session.flush()
    audit.record(
        "finance:dues:generate",
        {
            "dues_year": fiscal_year,
            "issue_date": issue_date.isoformat(),
            "created": len(result.numbers),
            "already_invoiced": result.already_invoiced,
            "not_charged": result.not_charged,
            "first_number": result.numbers[0] if result.numbers else None,
            "last_number": result.numbers[-1] if result.numbers else None,
        },
        actor=actor,
    )
    result.created = len(result.numbers)
    return result


def _insert_invoices(pending: list[tuple[Invoice, InvoiceLine]], actor) -> None:
    if not pending:
        return
    db.session.add_all(invoice for invoice, _line in pending)
    db.session.flush()
    for invoice, line in pending:
        line.invoice_id = invoice.id
        db.session.add(line)
    db.session.flush()
    for invoice, _line in pending:
        _audit_issue(invoice, actor, flush=False)
    db.session.flush()
    _to_ledger(dues_posting.post_invoices, [invoice for invoice, _line in pending], actor,
               field="issue_date")


def _to_ledger(post, *arguments, field: str | None = None):
    """Post to the ledger in the same transaction; a refusal (a closed fiscal year, an
    account missing from the chart) refuses the dues action too, at `field`."""
    try:
        return post(*arguments)
    except LedgerError as error:
        raise DuesError(error.message, field) from None


def _audit_issue(invoice: Invoice, actor, flush: bool = True) -> None:
    audit.record(
        "finance:invoice:issue",
        {
            "number": invoice.number,
            "kind": invoice.kind,
            "total_cents": invoice.total_cents,
            "person_id": invoice.person_id,
            "membership_id": invoice.membership_id,
            "dues_year": invoice.dues_year,
            "credits": invoice.credits_invoice_id,
        },
        obj=invoice,
        actor=actor,
        flush=flush,
    )


# Amounts and status ------------------------------------------------------------------


def paid_cents(invoice: Invoice) -> int:
    """What was paid on the invoice; a reversed payment (storno) does not count."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.invoice_id == invoice.id, Payment.reversed_on.is_(None)
        )
    )


def remaining_cents(invoice: Invoice) -> int:
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.OPEN:
        return 0
    return invoice.total_cents - paid_cents(invoice)


# "Overdue" is not stored: an open invoice past its due date. Its one home is here.
OVERDUE = "overdue"


def overdue_condition(today: date):
    """The SQL condition for an overdue invoice (lists, filters)."""
    return and_(Invoice.status == InvoiceStatus.OPEN.value, Invoice.due_date < today)


def is_overdue(invoice: Invoice, today: date | None = None) -> bool:
    today = today or timeutil.local_today()
    return invoice.status == InvoiceStatus.OPEN and invoice.due_date < today


def display_status(invoice: Invoice, today: date | None = None) -> str:
    """The stored status, or `overdue` for an open invoice past its due date."""
    return OVERDUE if is_overdue(invoice, today) else invoice.status


def _lock_invoice(invoice: Invoice) -> Invoice:
    """The invoice locked and re-read, so two clerks cannot both settle it."""
    return locked(Invoice, invoice.id)


def credit_note_of(invoice: Invoice) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.credits_invoice_id == invoice.id))


# Credit notes ------------------------------------------------------------------------


def credit_invoice(
    invoice: Invoice, issue_date: date, reason: str | None = None, actor=None
) -> Invoice:
    """Issue a credit note for the full amount of an open invoice and mark the invoice
    credited. The credit note takes the next number of its issue date's fiscal year.

    Raises DuesError when the invoice is not open, is itself a credit note, or has
    payments (a partly paid invoice is settled by a write-off or a refund, not a credit
    note that would leave money owed to the member unexplained).
    """
    invoice = _lock_invoice(invoice)
    if invoice.kind != InvoiceKind.INVOICE:
        raise DuesError(_l("A credit note cannot be credited."))
    if invoice.status != InvoiceStatus.OPEN:
        raise DuesError(_l("Only an open invoice can be credited."))
    if paid_cents(invoice):
        raise DuesError(
            _l("This invoice has payments; write off the rest instead of crediting it.")
        )
    if issue_date < invoice.issue_date:
        raise DuesError(_l("A credit note cannot be dated before the invoice."), "issue_date")
    organisation = get_organisation()
    sequence = _lock_sequence(fiscal_year_of(issue_date, organisation.fiscal_year_start_month))
    lines = db.session.scalars(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)
    ).all()
    sequence_number, number = _take_number(sequence)
    credit_note = Invoice(
        issuer=issuer_snapshot(get_organisation()),
        kind=InvoiceKind.CREDIT_NOTE.value,
        fiscal_year=sequence.fiscal_year,
        sequence_number=sequence_number,
        number=number,
        person_id=invoice.person_id,
        membership_id=invoice.membership_id,
        dues_year=None,  # the original keeps the membership's dues year
        credits_invoice_id=invoice.id,
        issue_date=issue_date,
        due_date=issue_date,
        total_cents=-invoice.total_cents,
        # Nothing is to be paid on a credit note: it settles the original at once.
        status=InvoiceStatus.PAID.value,
        payment_reference=number,
        addressee_name=invoice.addressee_name,
        addressee_address=invoice.addressee_address,
    )
    db.session.add(credit_note)
    db.session.flush()
    for line in lines:
        db.session.add(
            InvoiceLine(
                invoice_id=credit_note.id,
                description=f"Creditering: {line.description}",
                quantity=line.quantity,
                unit_cents=-line.unit_cents,
                amount_cents=-line.amount_cents,
            )
        )
    invoice.status = InvoiceStatus.CREDITED.value
    db.session.flush()
    _audit_issue(credit_note, actor)
    _to_ledger(dues_posting.post_invoices, [credit_note], actor, field="issue_date")
    audit.record(
        "finance:invoice:credit",
        {"number": invoice.number, "credit_note": number, "total_cents": invoice.total_cents,
         "reason": reason},
        obj=invoice,
        actor=actor,
    )
    return credit_note


# Payments and write-offs -------------------------------------------------------------


def record_payment(
    invoice: Invoice,
    amount_cents: int,
    paid_on: date,
    method: str,
    reference: str | None = None,
    actor=None,
    today: date | None = None,
    methods=MANUAL_PAYMENT_METHODS,
    by_provider: bool = False,
) -> Payment:
    """Record a payment received. A payment of the whole remaining amount marks the
    invoice paid; less leaves it open with the rest still due. `methods` are those the
    caller may record: by default the ones a person records by hand; a collection
    (direct debit) passes its own, and `by_provider` allows every method (a payment a
    provider such as Mollie confirmed).

    Raises DuesError for an invoice that is not open, an amount of zero or more than
    what remains, a date in the future, or a method not among `methods`.
    """
    invoice = _lock_invoice(invoice)
    if invoice.kind != InvoiceKind.INVOICE:
        raise DuesError(_l("Nothing is paid on a credit note."))
    if invoice.status != InvoiceStatus.OPEN:
        raise DuesError(_l("This invoice is not open: no payment can be recorded."))
    allowed = PaymentMethod if by_provider else methods
    if method not in {m.value for m in allowed}:
        raise DuesError(_l("Choose cash or bank transfer."), "method")
    if amount_cents <= 0:
        raise DuesError(_l("The amount must be more than zero."), "amount")
    remaining = invoice.total_cents - paid_cents(invoice)
    if amount_cents > remaining:
        raise DuesError(
            _l("That is more than the %(remaining)s still due.",
               remaining=format_money(remaining, money_locale())),
            "amount",
        )
    if paid_on > (today or timeutil.local_today()):
        raise DuesError(_l("The payment date cannot be in the future."), "paid_on")
    payment = Payment(
        invoice_id=invoice.id,
        amount_cents=amount_cents,
        method=method,
        paid_on=paid_on,
        reference=(reference or "").strip() or None,
        recorded_by_id=audit.acting_user_id(actor),
    )
    db.session.add(payment)
    if amount_cents == remaining:
        invoice.status = InvoiceStatus.PAID.value
    db.session.flush()
    _to_ledger(dues_posting.post_payment, payment, invoice, actor, field="paid_on")
    audit.record(
        "finance:payment:record",
        {"number": invoice.number, "amount_cents": amount_cents, "method": method,
         "paid_on": paid_on.isoformat(), "remaining_cents": remaining - amount_cents,
         "status": invoice.status},
        obj=invoice,
        actor=actor,
    )
    return payment


def reverse_payment(
    payment: Payment, day: date, reason: str, actor=None, today: date | None = None
) -> Payment:
    """A payment went back (a direct debit storno): it stops counting, its booking is
    reversed by a correcting entry dated `day` (posted entries are never changed), and
    a paid invoice is open again.

    Raises DuesError for a payment already reversed, an invoice that is neither paid nor
    open (credited or written off since), a date before the payment or in the future,
    no reason, or when the ledger refuses the correction (a closed year), at `day`.
    """

    reason = (reason or "").strip()
    if not reason:
        raise DuesError(_l("Give a reason."), "reason")
    invoice = _lock_invoice(payment.invoice)
    payment = locked(Payment, payment.id)
    if payment.reversed_on is not None:
        raise DuesError(_l("This payment has already been reversed."))
    if invoice.status not in (InvoiceStatus.PAID, InvoiceStatus.OPEN):
        raise DuesError(_l("This invoice was credited or written off: its payment cannot "
                           "be reversed here."))
    if day < payment.paid_on:
        raise DuesError(_l("A reversal cannot be dated before the payment."), "day")
    if day > (today or timeutil.local_today()):
        raise DuesError(_l("The date cannot be in the future."), "day")
    entry = payment_entry(payment)
    if entry is not None:
        try:
            ledger.reverse_entry(entry, day, reason[:200], actor=actor)
        except LedgerError as error:
            raise DuesError(error.message, "day") from None
    payment.reversed_on = day
    payment.reversal_reason = reason[:200]
    invoice.status = InvoiceStatus.OPEN.value
    db.session.flush()
    audit.record(
        "finance:payment:reverse",
        {"number": invoice.number, "amount_cents": payment.amount_cents,
         "method": payment.method, "paid_on": payment.paid_on.isoformat(),
         "reversed_on": day.isoformat(), "reason": reason},
        obj=invoice,
        actor=actor,
    )
    return payment


def payment_entry(payment: Payment):
    """The journal entry that booked `payment` (None for one booked before the ledger)."""

    return db.session.scalar(
        select(JournalEntry).where(
            JournalEntry.source == EntrySource.DUES_PAYMENT, JournalEntry.source_id == payment.id
        )
    )


def reverse_payment_part(
    payment: Payment, amount_cents: int, day: date, reason: str, actor=None,
    today: date | None = None,
) -> Payment | None:
    """Part of a payment went back (a partial refund or chargeback by the payment
    provider). Payments are whole records, so the payment is reversed as a whole (see
    `reverse_payment`: a correcting entry, the invoice open again) and what stays paid
    is recorded again as a new payment of the same method and reference, dated `day`
    like the correction (so nothing is posted in an earlier period). Returns that new
    payment, or None when all of it went back.

    Raises DuesError (nothing changed then) for an amount of zero or more than the
    payment, and for everything `reverse_payment` and `record_payment` refuse.
    """
    if amount_cents <= 0:
        raise DuesError(_l("The amount must be more than zero."), "amount")
    if amount_cents > payment.amount_cents:
        raise DuesError(_l("That is more than the payment."), "amount")
    kept = payment.amount_cents - amount_cents
    with db.session.begin_nested():  # both steps or neither
        reversed_payment = reverse_payment(payment, day, reason, actor=actor, today=today)
        if kept == 0:
            return None
        return record_payment(
            reversed_payment.invoice, kept, day, reversed_payment.method,
            reference=reversed_payment.reference, actor=actor, today=today, by_provider=True,
        )


def write_off(invoice: Invoice, reason: str, actor=None, today: date | None = None) -> int:
    """Write off what remains of an open invoice, posted to bad debts on `today`;
    returns the amount written off. Raises DuesError without a reason, for an invoice
    that is not open, or when the ledger refuses the posting (a closed year)."""
    reason = (reason or "").strip()
    if not reason:
        raise DuesError(_l("Give a reason."), "reason")
    invoice = _lock_invoice(invoice)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.OPEN:
        raise DuesError(_l("Only an open invoice can be written off."))
    remaining = invoice.total_cents - paid_cents(invoice)
    invoice.status = InvoiceStatus.WRITTEN_OFF.value
    db.session.flush()
    day = today or timeutil.local_today()
    _to_ledger(dues_posting.post_write_off, invoice, remaining, day, actor)
    audit.record(
        "finance:invoice:write_off",
        {"number": invoice.number, "amount_cents": remaining, "reason": reason},
        obj=invoice,
        actor=actor,
    )
    return remaining


# Reminders ---------------------------------------------------------------------------


@dataclass
class ReminderResult:
    sent: int = 0
    no_email: int = 0
    failed: int = 0
    numbers: list[str] = field(default_factory=list)


def _reminder_level_due(
    due_date: date, sent_levels: list[tuple[int, date]], today: date, after_days: int
) -> int | None:
    """The reminder level to send today, or None. Level n is due `n * after_days` after
    the due date and at least `after_days` after the previous reminder."""
    level = len(sent_levels) + 1
    if level > MAX_REMINDER_LEVEL:
        return None
    if today < due_date + timedelta(days=level * after_days):
        return None
    if sent_levels and today < max(day for _lvl, day in sent_levels) + timedelta(days=after_days):
        return None
    return level


def send_reminders(today: date | None = None, actor=None) -> ReminderResult:
    """Mail a reminder for every overdue invoice whose next reminder level is due (see
    `_reminder_level_due`) and log it; a level is never sent twice for one invoice, so
    running this again the same day sends nothing new. A person without an email
    address is counted, not mailed. A mail server error skips that invoice (it is
    tried again on the next run) and is counted as failed.
    """

    today = today or timeutil.local_today()
    organisation = get_organisation()
    after_days = organisation.reminder_after_days
    first_due_before = today - timedelta(days=after_days)
    # Locked, skipping rows another run holds: two runs at once do not mail twice.
    rows = db.session.execute(lock_rows(
        select(Invoice, Person)
        .join(Person, Person.id == Invoice.person_id)
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.due_date <= first_due_before,
        )
        .order_by(Invoice.due_date, Invoice.id),
        of=Invoice, skip_locked=True,
    )).all()
    result = ReminderResult()
    if not rows:
        return result
    invoice_ids = [invoice.id for invoice, _person in rows]
    sent: dict[int, list[tuple[int, date]]] = {}
    for log in db.session.scalars(
        select(ReminderLog).where(ReminderLog.invoice_id.in_(invoice_ids))
    ):
        sent.setdefault(log.invoice_id, []).append(
            (log.level, log.sent_at.astimezone(AMSTERDAM).date())
        )
    paid = dict(
        db.session.execute(
            select(Payment.invoice_id, func.sum(Payment.amount_cents))
            .where(Payment.invoice_id.in_(invoice_ids), Payment.reversed_on.is_(None))
            .group_by(Payment.invoice_id)
        ).all()
    )
    locales = dict(
        db.session.execute(
            select(Person.id, User.locale)
            .join(User, User.id == Person.user_id)
            .where(Person.id.in_({person.id for _invoice, person in rows}))
        ).all()
    )
    for invoice, person in rows:
        level = _reminder_level_due(invoice.due_date, sent.get(invoice.id, []), today, after_days)
        if level is None:
            continue
        if not person.email or person.anonymised_at is not None:
            result.no_email += 1
            continue
        locale = locales.get(person.id) or "nl"
        try:
            send_mail(
                person.email,
                _l("Reminder: invoice %(number)s", number=invoice.number),
                "dues_reminder",
                locale=locale,
                name=person.display_name,
                level=level,
                number=invoice.number,
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                remaining_cents=invoice.total_cents - paid.get(invoice.id, 0),
                payment_reference=invoice.payment_reference,
                organisation_name=organisation.name,
                iban=format_iban(payment_iban()),
                pay_url=pay_url(invoice),
            )
        except MailError:
            current_app.logger.exception("reminder for invoice %s failed", invoice.number)
            result.failed += 1
            continue
        db.session.add(ReminderLog(invoice_id=invoice.id, level=level, recipient=person.email))
        db.session.flush()
        audit.record(
            "finance:invoice:remind",
            {"number": invoice.number, "level": level},
            obj=invoice,
            actor=actor,
            personal={"recipient": person.email},
            person_id=person.id,
        )
        result.sent += 1
        result.numbers.append(invoice.number)
    return result


# The invoice PDF and its archive -----------------------------------------------------


def format_iban(iban: str | None) -> str | None:
    if not iban:
        return None
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def issuer_snapshot(organisation) -> dict:
    """The coop's details an invoice keeps from the day it is issued."""
    return {
        "name": organisation.name,
        "kvk_number": organisation.kvk_number,
        "iban": payment_iban(),
        "street": organisation.street,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "email": organisation.email,
        "website": organisation.website,
    }


def invoice_document(invoice: Invoice) -> dict:
    """The plain values the invoice PDF shows: the coop as it was on the day of issue."""
    issuer = invoice.issuer
    lines = db.session.scalars(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)
    ).all()
    credited = None
    if invoice.credits_invoice_id is not None:
        original = db.session.get(Invoice, invoice.credits_invoice_id)
        credited = {"number": original.number, "issue_date": original.issue_date}
    return {
        "organisation": {**issuer, "iban": format_iban(issuer.get("iban"))},
        "invoice": {
            "is_credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
            "number": invoice.number,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "dues_year": invoice.dues_year,
            "total_cents": invoice.total_cents,
            "payment_reference": invoice.payment_reference,
            "addressee_name": invoice.addressee_name,
            "addressee_lines": (invoice.addressee_address or "").splitlines(),
            "credits": credited,
        },
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_cents": line.unit_cents,
                "amount_cents": line.amount_cents,
            }
            for line in lines
        ],
    }


def render_invoice_pdf(invoice: Invoice) -> bytes:
    # Deferred on purpose: WeasyPrint takes about two seconds to import.
    from coop.pdf import render_pdf

    document = invoice_document(invoice)
    # The invoice is a Dutch document: Dutch dates and amounts, whoever downloads it.
    with force_locale("nl"):
        return render_pdf("pdf/invoice.html", **document)


def invoice_pdf_path(invoice: Invoice) -> Path:
    """The archived PDF of a committed invoice, rendered and written once if missing.

    The archive is immutable: an existing file is never overwritten (not even by a
    concurrent request that rendered the same invoice; the first file stands). Sets
    `pdf_filename` and flushes; the caller commits.
    """
    directory = Path(current_app.config["INVOICES_DIR"])
    path = directory / f"{invoice.number}.pdf"
    if not path.exists():
        _write_once(path, render_invoice_pdf(invoice))
    if invoice.pdf_filename != path.name:
        invoice.pdf_filename = path.name
        db.session.flush()
    return path


def _write_once(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it exists; True when this call wrote it.

    The bytes go to a private temporary file (opened `xb`) first and are then linked
    into place, so a reader never sees a half-written PDF and an existing file is
    never replaced (`os.link` refuses an existing target).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    os.chmod(path, 0o444)
    return True


# The "pay now" link ------------------------------------------------------------------

PAY_SALT = "dues-pay-now"


def _pay_serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PAY_SALT)


def pay_token(invoice) -> str:
    """The token in a dues invoice's "pay now" link (mail and portal): it names the
    invoice and cannot be guessed or changed into another invoice's."""
    return _pay_serializer().dumps({"i": invoice.id, "n": invoice.number})


def pay_url(invoice) -> str:
    return payments.external_url("pay.pay_invoice", pay_token=pay_token(invoice))


def invoice_from_token(token: str):
    try:
        data = _pay_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    invoice = db.session.get(Invoice, data.get("i")) if isinstance(data.get("i"), int) else None
    if invoice is None or invoice.number != data.get("n"):
        return None
    return invoice
