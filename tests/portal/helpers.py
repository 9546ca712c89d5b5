"""Test data for the portal: a member with an account, invoices with lines and payments."""

import itertools
from datetime import date, timedelta
from pathlib import Path

from flask import current_app

from coop.dues.models import Invoice, InvoiceLine, Payment
from coop.extensions import db
from coop.members.models import Person
from tests import factories

_numbers = itertools.count(1)


def create_member_with_account(**person_values):
    """A person with an active membership and a linked member account; returns (user, person)."""
    membership = factories.create_member(**person_values)
    person = db.session.get(Person, membership.person_id)
    user = factories.create_user(person.email, roles=["member"], name=person.display_name)
    person.user_id = user.id
    db.session.commit()
    return user, person


def create_invoice(person, *, total_cents=2500, issue_date=None, due_days=30, status="open",
                   paid_cents=0, pdf_bytes: bytes | None = b"%PDF-1.4 test invoice\n"):
    """An issued invoice with one line (and a payment when `paid_cents`); archived PDF."""
    n = next(_numbers)
    issue_date = issue_date or date(2026, 1, 15)
    invoice = Invoice(
        issuer={"name": "Wijkcoöperatie Test"},
        fiscal_year=issue_date.year, sequence_number=n, number=f"{issue_date.year}-{n:05d}",
        person_id=person.id, issue_date=issue_date,
        due_date=issue_date + timedelta(days=due_days), total_cents=total_cents, status=status,
        payment_reference=f"REF{issue_date.year}{n:06d}",
        addressee_name=person.display_name,
        addressee_address=f"{person.street}\n{person.postcode} {person.city}",
    )
    db.session.add(invoice)
    db.session.flush()
    db.session.add(InvoiceLine(invoice_id=invoice.id, description="Contributie",
                               quantity=1, unit_cents=total_cents, amount_cents=total_cents))
    if paid_cents:
        db.session.add(Payment(invoice_id=invoice.id, amount_cents=paid_cents,
                               method="bank_transfer", paid_on=issue_date + timedelta(days=3),
                               reference="overboeking"))
    if pdf_bytes is not None:
        invoice.pdf_filename = f"{invoice.number}.pdf"
        directory = Path(current_app.config["INVOICES_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / invoice.pdf_filename).write_bytes(pdf_bytes)
    db.session.commit()
    return invoice
