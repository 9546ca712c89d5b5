"""Dues invoices, credit notes, payments and write-offs post to the ledger in the same
transaction as the dues action itself, one entry per event (the database's unique
`(source, source_id)` makes a second posting of the same event fail, not double).

- issued invoice: debit receivables, credit dues income, on the issue date;
- credit note: the reverse, on the credit note's date;
- payment: debit bank (cash for a cash payment), credit receivables, on the payment date;
- write-off: debit bad debts, credit receivables, on the day of the write-off.

These are automatic postings: when the chart of accounts is still empty the default
chart is seeded, and the fiscal year of the date is opened when it does not exist yet
(never before a closed year). A closed year refuses them like any other posting.

An entry is described by the invoice number, never the member's name: a posted entry
cannot be changed, and the name must be erasable when a former member is anonymised
(coop.privacy.services). The lines link the person and the invoice, so the ledger pages
show the name at display time (`coop.ledger.services.persons_of_entries`).
"""

from collections.abc import Sequence
from datetime import date

from coop.dues.models import Invoice, InvoiceKind, Payment, PaymentMethod
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, EntrySource, JournalEntry
from coop.ledger.services import EntrySpec, Line


def _invoice_spec(invoice: Invoice, receivables, income) -> EntrySpec | None:
    amount = abs(invoice.total_cents)
    if amount == 0:
        return None
    links = {"person_id": invoice.person_id, "invoice_id": invoice.id}
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        description = f"Creditnota {invoice.number}"
        lines = [Line(income, debit_cents=amount, **links),
                 Line(receivables, credit_cents=amount, **links)]
    else:
        description = f"Contributiefactuur {invoice.number}"
        lines = [Line(receivables, debit_cents=amount, **links),
                 Line(income, credit_cents=amount, **links)]
    return EntrySpec(
        entry_date=invoice.issue_date, description=description[:300], lines=lines,
        reference=invoice.number, source=EntrySource.DUES_INVOICE, source_id=invoice.id,
    )


def post_invoices(invoices: Sequence[Invoice], actor=None) -> list[JournalEntry]:
    """Post issued invoices and credit notes (receivable against dues income).
    Raises LedgerError when the chart lacks the accounts or the year is closed."""
    if not invoices:
        return []
    ledger.ensure_chart()
    receivables = ledger.account_for(AccountPurpose.RECEIVABLES)
    income = ledger.account_for(AccountPurpose.DUES_INCOME)
    specs = [spec for invoice in invoices
             if (spec := _invoice_spec(invoice, receivables, income)) is not None]
    return ledger.post_entries(specs, actor=actor, open_missing_year=True, audit_tag=None)


def post_payment(payment: Payment, invoice: Invoice, actor=None) -> JournalEntry:
    """Post a dues payment: bank or cash against receivables. Raises LedgerError."""
    ledger.ensure_chart()
    money = AccountPurpose.CASH if payment.method == PaymentMethod.CASH else AccountPurpose.BANK
    links = {"person_id": invoice.person_id, "invoice_id": invoice.id}
    spec = EntrySpec(
        entry_date=payment.paid_on,
        description=f"Betaling contributiefactuur {invoice.number}",
        lines=[
            Line(ledger.account_for(money), debit_cents=payment.amount_cents, **links),
            Line(ledger.account_for(AccountPurpose.RECEIVABLES),
                 credit_cents=payment.amount_cents, **links),
        ],
        reference=payment.reference or invoice.number,
        source=EntrySource.DUES_PAYMENT, source_id=payment.id,
    )
    return ledger.post_entries([spec], actor=actor, open_missing_year=True, audit_tag=None)[0]


def post_write_off(invoice: Invoice, amount_cents: int, day: date,
                   actor=None) -> JournalEntry | None:
    """Post a write-off of what remained of an invoice: bad debts against receivables.
    Nothing to post for a remainder of zero. Raises LedgerError."""
    if amount_cents <= 0:
        return None
    ledger.ensure_chart()
    links = {"person_id": invoice.person_id, "invoice_id": invoice.id}
    spec = EntrySpec(
        entry_date=day,
        description=f"Afboeking oninbare contributie {invoice.number}",
        lines=[
            Line(ledger.account_for(AccountPurpose.BAD_DEBTS), debit_cents=amount_cents,
                 **links),
            Line(ledger.account_for(AccountPurpose.RECEIVABLES), credit_cents=amount_cents,
                 **links),
        ],
        reference=invoice.number,
        source=EntrySource.DUES_WRITE_OFF, source_id=invoice.id,
    )
    return ledger.post_entries([spec], actor=actor, open_missing_year=True, audit_tag=None)[0]
