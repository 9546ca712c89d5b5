"""Refunds and chargebacks of dues paid through Mollie: the dues payment is reversed
(the invoice is open again for what went back, reminders apply again), its booking is
reversed once, Mollie's fee stands, and the board reads on the invoice page what
happened. When the invoice was written off since, or the year is closed, nothing is
booked and the treasurer is told why."""

import re
import threading

from sqlalchemy import func, select

from coop.dues import services as dues
from coop.dues.models import Invoice, Payment
from coop.dues.services import pay_url
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import FiscalYear, JournalEntry
from coop.payments.models import MoneyBack
from tests import factories
from tests.payments.helpers import balance, pay_invoice_online, reload

NBSP = "\u00a0"


def _reload(invoice) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def _payments(invoice) -> list[Payment]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)))


def _entries() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def _reversals_of(payment: Payment) -> list[JournalEntry]:
    entry = dues.payment_entry(payment)
    return list(db.session.scalars(
        select(JournalEntry).where(JournalEntry.reverses_entry_id == entry.id)))


def _webhook(client, payment, times=1):
    for _ in range(times):
        assert client.post("/webhooks/mollie", data={"id": payment.mollie_id}).status_code == 200


def test_a_chargeback_reopens_the_invoice_and_reverses_its_booking_once(
        client, fake, deliver, login_as, treasurer, outbox):
    invoice = factories.create_invoice(email="lid@example.org")
    receivables_unpaid = balance("1300")
    payment = pay_invoice_online(client, fake, deliver, invoice)
    assert _reload(invoice).status == "paid"
    assert dues.send_reminders().sent == 0  # a paid invoice is not reminded

    fake.chargeback(payment.mollie_id)
    deliver()
    _webhook(client, payment, times=2)  # Mollie repeats itself

    invoice = _reload(invoice)
    assert invoice.status == "open"
    assert dues.remaining_cents(invoice) == 2500
    [recorded] = _payments(invoice)
    assert recorded.reversed_on is not None
    assert "Chargeback Mollie chb_" in recorded.reversal_reason
    [reversal] = _reversals_of(recorded)
    [back] = db.session.scalars(select(MoneyBack)).all()
    assert back.entry_id == reversal.id
    assert balance("1300") == receivables_unpaid  # the member owes the dues again
    assert balance("4900") == -29  # Mollie keeps its fee: the fee's entry stands
    assert reload(payment).flag is None
    # Reminders apply again.
    assert dues.send_reminders().sent == 1
    db.session.commit()
    assert pay_url(invoice) in outbox()[-1].body_text

    login_as(treasurer)
    page = client.get(f"/dues/{invoice.id}").text
    assert "teruggeboekt" in page
    assert "Teruggeboekt door de bank van de betaler op" in page
    assert "MD06 Refund request" in page
    assert "niet geboekt" not in page


def test_partial_refunds_reopen_the_invoice_for_what_went_back(client, fake, deliver,
                                                                login_as, treasurer):
    invoice = factories.create_invoice()
    receivables_unpaid = balance("1300")
    payment = pay_invoice_online(client, fake, deliver, invoice)

    fake.create_refund(payment.mollie_id, {"amount": {"currency": "EUR", "value": "10.00"},
                                           "description": "Dubbel betaald"})
    _webhook(client, payment, times=2)

    invoice = _reload(invoice)
    assert invoice.status == "open"
    assert dues.remaining_cents(invoice) == 1000
    first, kept = _payments(invoice)
    assert first.reversed_on is not None and first.amount_cents == 2500
    assert (kept.reversed_on, kept.amount_cents, kept.method, kept.reference) == (
        None, 1500, "mollie", payment.mollie_id)
    assert balance("1300") == receivables_unpaid + 1500
    login_as(treasurer)
    page = client.get(f"/dues/{invoice.id}").text
    assert "Terugbetaald op" in page and "door Mollie: Dubbel betaald" in page
    assert "deels terugbetaald" in page

    fake.create_refund(payment.mollie_id, {"amount": {"currency": "EUR", "value": "15.00"},
                                           "description": "Rest ook terug"})
    _webhook(client, payment, times=2)

    invoice = _reload(invoice)
    assert dues.remaining_cents(invoice) == 2500
    assert all(p.reversed_on is not None for p in _payments(invoice))
    assert balance("1300") == receivables_unpaid
    assert balance("4900") == -29
    assert db.session.scalar(select(func.count()).select_from(MoneyBack).where(
        MoneyBack.entry_id.is_not(None))) == 2

    # The member pays what is due again, through the same link.
    again = pay_invoice_online(client, fake, deliver, invoice)
    assert again.amount_cents == 2500
    assert _reload(invoice).status == "paid"


def test_a_chargeback_after_a_write_off_is_flagged_and_books_nothing(client, fake, deliver,
                                                                     login_as, treasurer):
    invoice = factories.create_invoice()
    payment = pay_invoice_online(client, fake, deliver, invoice)
    fake.create_refund(payment.mollie_id, {"amount": {"currency": "EUR", "value": "10.00"},
                                           "description": "Deels terug"})
    _webhook(client, payment)
    dues.write_off(_reload(invoice), "Lid vertrokken")
    db.session.commit()
    entries = _entries()

    fake.chargeback(payment.mollie_id)  # the € 15,00 that stayed paid
    deliver()
    _webhook(client, payment)

    assert _entries() == entries
    invoice = _reload(invoice)
    assert invoice.status == "written_off"
    assert [p.reversed_on is None for p in _payments(invoice)] == [False, True]
    chargeback = db.session.scalars(select(MoneyBack).where(MoneyBack.kind == "chargeback")).one()
    assert chargeback.entry_id is None
    flag = reload(payment).flag
    assert f"not booked on invoice {invoice.number}" in flag
    assert "gecrediteerd of afgeboekt" in flag
    login_as(treasurer)
    page = client.get(f"/dues/{invoice.id}").text
    assert "niet geboekt" in page and "Vraagt aandacht" in page


def test_a_chargeback_in_a_closed_year_is_flagged_and_books_nothing(client, fake, deliver):
    invoice = factories.create_invoice()
    payment = pay_invoice_online(client, fake, deliver, invoice)
    for year in db.session.scalars(select(FiscalYear).where(FiscalYear.status == "open")
                                   .order_by(FiscalYear.year)).all():
        ledger.close_fiscal_year(year)
    db.session.commit()
    entries = _entries()

    fake.chargeback(payment.mollie_id)
    deliver()

    assert _entries() == entries
    invoice = _reload(invoice)
    assert invoice.status == "paid"
    assert _payments(invoice)[0].reversed_on is None
    flag = reload(payment).flag
    assert "chargeback" in flag and "not booked" in flag


def test_concurrent_chargeback_webhooks_reverse_the_payment_once(app, client, fake, deliver):
    invoice = factories.create_invoice()
    payment = pay_invoice_online(client, fake, deliver, invoice)
    mollie_id, invoice_id = payment.mollie_id, invoice.id
    fake.chargeback(mollie_id, notify=False)
    db.session.remove()
    start = threading.Barrier(4)
    statuses = []

    def call():
        other = app.test_client()
        start.wait()
        statuses.append(other.post("/webhooks/mollie", data={"id": mollie_id}).status_code)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * 4
    invoice = db.session.get(Invoice, invoice_id)
    [recorded] = _payments(invoice)
    assert len(_reversals_of(recorded)) == 1
    assert db.session.scalar(select(func.count()).select_from(MoneyBack)) == 1
    assert dues.remaining_cents(_reload(invoice)) == 2500


# The treasurer refunds from the invoice page -------------------------------------------


def _refund(client, invoice, amount, reason="Lid opgezegd voor het jaar begon", key=None):
    page = client.get(f"/dues/{invoice.id}").text
    key = key or re.search(r'name="refund-key" type="hidden" value="([0-9a-f]+)"',
                           page).group(1)
    response = client.post(f"/dues/{invoice.id}/refund", data={
        "refund-amount": amount, "refund-reason": reason, "refund-key": key})
    return response, key


def test_the_treasurer_refunds_part_of_a_dues_payment_through_mollie(
        client, fake, deliver, login_as, treasurer):
    invoice = factories.create_invoice()
    payment = pay_invoice_online(client, fake, deliver, invoice)
    login_as(treasurer)

    response, key = _refund(client, invoice, "10,00")
    again, _key = _refund(client, invoice, "10,00", key=key)  # the form sent twice
    _webhook(client, payment, times=2)  # and Mollie tells us about the refund

    assert response.status_code == again.status_code == 302
    assert len(fake.state.refunds) == 1
    invoice = _reload(invoice)
    assert dues.remaining_cents(invoice) == 1000
    page = client.get(response.location).text
    assert "Terugbetaald op" in page
    assert f"door {treasurer.name}: Lid opgezegd voor het jaar begon" in page
    assert f"nog ten hoogste €{NBSP}15,00 worden terugbetaald" in page


def test_refunding_more_than_was_paid_online_is_refused_at_the_field(
        client, fake, deliver, login_as, treasurer):
    invoice = factories.create_invoice()
    pay_invoice_online(client, fake, deliver, invoice)
    login_as(treasurer)

    response, _key = _refund(client, invoice, "25,01")

    assert response.status_code == 422
    error = re.search(r'id="refund-amount-error">(.*?)</p>', response.text, re.S).group(1)
    assert f"Er kan nog ten hoogste €{NBSP}25,00 worden terugbetaald." in error
    assert fake.state.refunds == {}
    assert _reload(invoice).status == "paid"


def test_only_the_treasurer_refunds_dues(client, fake, deliver, login_as, make_user):
    invoice = factories.create_invoice()
    pay_invoice_online(client, fake, deliver, invoice)
    login_as(make_user(roles=["board"]))

    response = client.post(f"/dues/{invoice.id}/refund", data={
        "refund-amount": "5,00", "refund-reason": "x", "refund-key": "k" * 32})

    assert response.status_code == 403
    assert fake.state.refunds == {}
