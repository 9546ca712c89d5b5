"""Helpers for the payment tests."""

from sqlalchemy import select

from coop.donations import services as donations
from coop.extensions import db
from coop.ledger.models import JournalEntry, JournalLine, LedgerAccount
from coop.payments.models import OnlinePayment
from coop.payments.services import new_idempotency_key


def start_gift(amount_cents=2500, **values) -> OnlinePayment:
    """A one-off gift started through the service, committed."""
    gift = donations.Gift(amount_cents=amount_cents, **values)
    payment = donations.start_gift(gift, new_idempotency_key())
    db.session.commit()
    return payment


def reload(payment: OnlinePayment) -> OnlinePayment:
    db.session.expire_all()
    return db.session.scalars(
        select(OnlinePayment).where(OnlinePayment.id == payment.id)).one()


def balance(code: str) -> int:
    """Credit minus debit of an account over all posted lines (income grows positive)."""
    rows = db.session.execute(
        select(JournalLine.debit_cents, JournalLine.credit_cents)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(LedgerAccount.code == code)
    ).all()
    return sum(credit - debit for debit, credit in rows)


def entries_with_reference(reference: str) -> list[JournalEntry]:
    return list(db.session.scalars(
        select(JournalEntry).where(JournalEntry.reference == reference)))


def pay_invoice_online(client, fake, deliver, invoice, status="paid") -> OnlinePayment:
    """Pay a dues invoice through its pay-now link and the fake checkout; the webhook
    is delivered. Returns the online payment."""
    from coop.dues.services import pay_url

    url = pay_url(invoice).removeprefix("http://localhost")
    page = client.get(url)
    key = page.text.split('name="key" value="')[1].split('"')[0]
    response = client.post(url, data={"key": key})
    assert response.status_code == 303, response.text
    payment = db.session.scalars(
        select(OnlinePayment).where(OnlinePayment.idempotency_key == key)).one()
    fake.set_status(payment.mollie_id, status)
    deliver()
    return reload(payment)
