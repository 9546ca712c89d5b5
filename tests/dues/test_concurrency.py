"""Paying one invoice at the same moment from several screens: what remains is counted
under a lock, so the invoice is never paid twice and nobody sees a server error, on
SQLite and PostgreSQL."""

from sqlalchemy import select

from coop.dues.models import Invoice, Payment
from coop.extensions import db
from tests import factories
from tests.concurrency import at_once


def test_six_full_payments_of_one_invoice_at_once_record_one(app, organisation):
    organisation()
    invoice = factories.create_invoice()  # € 25,00
    treasurer = factories.create_user(roles=["treasurer"], two_factor=True, locale="en")
    invoice_id = invoice.id
    url = f"/dues/{invoice_id}/payments"
    form = {"amount": "25,00", "paid_on": "2026-01-20", "method": "bank_transfer"}

    responses = at_once(app, [lambda client: client.post(url, data=form)] * 6,
                        as_user=treasurer)

    assert sorted(r.status_code for r in responses) == [302] + [422] * 5
    assert len(db.session.scalars(select(Payment)).all()) == 1
    assert db.session.get(Invoice, invoice_id).status == "paid"
