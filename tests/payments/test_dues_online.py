"""Paying a dues invoice online: the "pay now" link in the reminder and the portal, the
Mollie payment, and the invoice marked paid and booked exactly once."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from coop.dues import services as dues
from coop.dues.models import Invoice, Payment
from coop.dues.services import pay_url
from coop.extensions import db
from coop.members.models import Membership
from coop.payments.models import OnlinePayment
from coop.payments.services import new_idempotency_key
from coop.timeutil import utcnow
from tests import factories
from tests.payments.helpers import balance
from tests.portal.helpers import create_member_with_account

NBSP = "\u00a0"


def _invoice(**values) -> Invoice:
    return factories.create_invoice(**values)


def _pay(client, invoice):
    url = pay_url(invoice).removeprefix("http://localhost")
    page = client.get(url)
    key = page.text.split('name="key" value="')[1].split('"')[0]
    return page, client.post(url, data={"key": key}), key


def _reload(invoice) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def test_paying_online_marks_the_invoice_paid_and_books_it_once(client, fake, deliver):
    invoice = _invoice()
    receivables_before = balance("1300")

    page, response, _key = _pay(client, invoice)
    assert f"Betaal nu €{NBSP}25,00" in page.text
    assert response.status_code == 303
    assert response.location.startswith(f"{fake.url}/checkout/")
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    for _ in range(2):
        client.post("/webhooks/mollie", data={"id": payment.mollie_id})

    invoice = _reload(invoice)
    assert invoice.status == "paid"
    [recorded] = db.session.scalars(select(Payment).where(Payment.invoice_id == invoice.id))
    assert (recorded.method, recorded.amount_cents, recorded.reference) == (
        "mollie", 2500, payment.mollie_id)
    assert balance("1300") - receivables_before == 2500  # receivables credited once
    returned = client.get(f"/pay/done/{payment.idempotency_key}")
    assert f"je betaling van €{NBSP}25,00 is ontvangen" in returned.text


def test_a_failed_online_payment_leaves_the_invoice_open_and_offers_a_retry(
        client, fake, deliver):
    invoice = _invoice()
    _page, _response, key = _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "failed")
    deliver()

    returned = client.get(f"/pay/done/{key}")

    assert _reload(invoice).status == "open"
    assert "De betaling is niet gelukt" in returned.text
    assert "/pay/invoice/" in returned.text


def test_an_invoice_paid_by_bank_meanwhile_is_flagged_not_paid_twice(client, fake, deliver):
    invoice = _invoice()
    _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    dues.record_payment(_reload(invoice), 2500, date(2026, 11, 1), "bank_transfer")
    db.session.commit()

    fake.set_status(payment.mollie_id, "paid")
    deliver()

    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    payment = db.session.scalars(select(OnlinePayment)).one()
    assert payment.status == "paid"
    assert "Not booked on invoice" in payment.flag


def test_a_paid_invoice_has_nothing_to_pay(client, fake):
    invoice = _invoice()
    dues.record_payment(invoice, 2500, date(2026, 11, 1), "bank_transfer")
    db.session.commit()

    page = client.get(pay_url(invoice).removeprefix("http://localhost"))

    assert "Deze factuur is betaald; er staat niets meer open." in page.text
    assert "Betaal nu" not in page.text


def test_a_tampered_pay_link_is_404(client):
    invoice = _invoice()
    url = pay_url(invoice).removeprefix("http://localhost")

    assert client.get(url[:-2] + "xx").status_code == 404


def test_mollie_down_on_pay_now_shows_a_friendly_error(client, fake):
    invoice = _invoice()
    fake.state.failures_left = 5

    _page, response, _key = _pay(client, invoice)

    assert response.status_code == 422
    assert "Online betalen lukt nu even niet" in response.text
    assert db.session.scalar(select(func.count()).select_from(OnlinePayment)) == 0


def test_the_reminder_mail_carries_the_pay_now_link(app, outbox):
    invoice = _invoice(email="lid@example.org")

    dues.send_reminders(date(2026, 3, 31))
    db.session.commit()

    [mail] = outbox()
    assert pay_url(invoice) in mail.body_text


def test_the_portal_offers_pay_now_for_open_invoices(client, login_as):
    user, person = create_member_with_account()
    membership_invoice = factories.create_invoice(
        db.session.scalar(select(Membership).where(Membership.person_id == person.id)))
    login_as(user)

    page = client.get("/portal/")

    assert f"Betaal {membership_invoice.number} nu" in page.text
    assert pay_url(membership_invoice).removeprefix("http://localhost") in page.text



def test_a_key_from_another_invoices_form_does_not_lead_to_its_payment(client, fake):
    first, second = _invoice(), _invoice()
    _page, response, key = _pay(client, first)

    other = client.post(pay_url(second).removeprefix("http://localhost"), data={"key": key})

    assert response.status_code == 303
    assert other.status_code == 422
    assert response.location not in other.text
    assert db.session.scalar(select(func.count()).select_from(OnlinePayment)) == 1


# A pay-now link behaves like a payment page --------------------------------------------


def _form(client, invoice) -> tuple[str, str]:
    url = pay_url(invoice).removeprefix("http://localhost")
    page = client.get(url)
    return url, page.text.split('name="key" value="')[1].split('"')[0]


def _online_payments() -> int:
    return db.session.scalar(select(func.count()).select_from(OnlinePayment))


def test_a_second_visit_goes_to_the_checkout_started_before(client, fake):
    invoice = _invoice()

    _page, first, _key = _pay(client, invoice)
    _page, second, _key = _pay(client, invoice)  # the mail link clicked again, another tab

    assert first.status_code == second.status_code == 303
    assert second.location == first.location
    assert _online_payments() == 1 and len(fake.state.payments) == 1


def test_an_open_payment_older_than_the_window_is_not_reused(app, client, fake):
    invoice = _invoice()
    _page, first, _key = _pay(client, invoice)
    minutes = app.config["MOLLIE_CHECKOUT_REUSE_MINUTES"]
    db.session.execute(update(OnlinePayment).values(
        created_at=utcnow() - timedelta(minutes=minutes, seconds=5)))
    db.session.commit()

    _page, second, _key = _pay(client, invoice)

    assert second.status_code == 303 and second.location != first.location
    assert _online_payments() == 2


def test_a_payment_expired_at_mollie_is_not_reused(client, fake):
    invoice = _invoice()
    _page, first, _key = _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "expired", notify=False)  # the webhook is late

    _page, second, _key = _pay(client, invoice)

    assert second.status_code == 303 and second.location != first.location


def test_a_payment_on_its_way_is_not_paid_again(client, fake, deliver):
    invoice = _invoice()
    url, old_key = _form(client, invoice)  # a tab opened before
    _page, _first, _key = _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.state.payments[payment.mollie_id]["status"] = "pending"  # Mollie sends no webhook

    response = client.post(url, data={"key": old_key})

    assert response.status_code == 200
    assert "Er wordt al een betaling van deze factuur verwerkt" in response.text
    assert "Betaal nu" not in response.text
    assert _online_payments() == 1
    # Once we know it (a webhook), the page itself says so.
    client.post("/webhooks/mollie", data={"id": payment.mollie_id})
    page = client.get(url)
    assert "Er wordt al een betaling van deze factuur verwerkt" in page.text
    assert 'name="key"' not in page.text


def test_a_pending_payment_whose_last_webhook_was_lost_blocks_paying_for_a_day_only(
        client, fake, deliver):
    invoice = _invoice()
    url, _key = _form(client, invoice)
    _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.state.payments[payment.mollie_id]["status"] = "pending"
    client.post("/webhooks/mollie", data={"id": payment.mollie_id})  # the last we hear
    assert "Er wordt al een betaling van deze factuur verwerkt" in client.get(url).text

    db.session.execute(update(OnlinePayment).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()

    page = client.get(url)
    assert "Er wordt al een betaling van deze factuur verwerkt" not in page.text
    _page, again, _key = _pay(client, invoice)
    assert again.status_code == 303 and _online_payments() == 2


def test_paid_at_mollie_before_the_webhook_arrives_is_not_paid_again(client, fake, deliver):
    invoice = _invoice()
    url, old_key = _form(client, invoice)
    _page, _first, _key = _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "paid", notify=False)

    response = client.post(url, data={"key": old_key})

    assert "Er wordt al een betaling van deze factuur verwerkt" in response.text
    assert _online_payments() == 1
    assert len(fake.state.payments) == 1


def test_the_other_tab_after_paying_says_the_invoice_is_paid(client, fake, deliver):
    invoice = _invoice()
    url, old_key = _form(client, invoice)
    _page, _first, _key = _pay(client, invoice)
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "paid")
    deliver()

    response = client.post(url, data={"key": old_key})

    assert response.status_code == 200
    assert "Deze factuur is betaald; er staat niets meer open." in response.text
    assert "error-summary" not in response.text
    assert _online_payments() == 1


@pytest.mark.parametrize("same_key", [True, False], ids=["double-click", "two-tabs"])
def test_concurrent_starts_make_one_mollie_payment(app, fake, same_key):
    invoice = _invoice()
    url = pay_url(invoice).removeprefix("http://localhost")
    keys = [new_idempotency_key()] * 4 if same_key else [new_idempotency_key() for _ in range(4)]
    fake.state.delay_seconds = 0.1  # Mollie takes its time: the starts overlap
    db.session.remove()
    start = threading.Barrier(len(keys))
    responses = []

    def post(key):
        other = app.test_client()
        start.wait()
        responses.append(other.post(url, data={"key": key}))

    threads = [threading.Thread(target=post, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [303] * len(keys)
    assert len({r.location for r in responses}) == 1
    assert _online_payments() == 1
    assert len(fake.state.payments) == 1
