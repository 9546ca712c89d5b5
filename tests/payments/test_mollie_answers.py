"""What Mollie really answers, beyond the fake's happy path: an amount in another
currency, fields the fake never sends (shaped like Mollie's own recorded responses),
a chargeback the bank reversed, and refunds and chargebacks on more than one page."""

from sqlalchemy import func, select

from coop.dues import services as dues
from coop.dues.models import Invoice
from coop.extensions import db
from coop.payments.models import MoneyBack
from tests import factories
from tests.payments.helpers import (
    balance,
    entries_with_reference,
    pay_invoice_online,
    reload,
    start_gift,
)


def _backs() -> int:
    return db.session.scalar(select(func.count()).select_from(MoneyBack))


def _webhook(client, payment, times=1):
    return [client.post("/webhooks/mollie", data={"id": payment.mollie_id}).status_code
            for _ in range(times)]


# Another currency, other fields -----------------------------------------------------


def test_a_payment_answered_in_another_currency_is_flagged_with_200_and_not_booked(
        client, fake, deliver):
    payment = start_gift(2500)
    fake.state.answer_overrides[payment.mollie_id] = {
        "amount": {"currency": "USD", "value": "25.00"},
        "settlementAmount": {"currency": "EUR", "value": "22.71"},
    }
    fake.set_status(payment.mollie_id, "paid")

    responses = [*deliver(), client.post("/webhooks/mollie", data={"id": payment.mollie_id})]

    assert [r.status_code for r in responses] == [200, 200]
    payment = reload(payment)
    assert payment.status == "paid"  # Mollie's state is followed, so it stops retrying
    assert "25.00 USD" in payment.flag and "not booked" in payment.flag
    assert entries_with_reference(payment.mollie_id) == []
    assert balance("8200") == 0


def test_an_unreadable_amount_is_flagged_with_200(client, fake, deliver):
    payment = start_gift(2500)
    fake.state.answer_overrides[payment.mollie_id] = {
        "amount": {"currency": "EUR", "value": "25.005"}}
    fake.set_status(payment.mollie_id, "paid")

    [response] = deliver()

    assert response.status_code == 200
    assert "not booked" in reload(payment).flag
    assert balance("8200") == 0


def test_a_paid_payment_shaped_like_mollies_recorded_answer_is_booked(fake, deliver):
    # Fields from Mollie's recorded responses (mollie-api-python tests/responses) that
    # the fake never sends: details, amountRemaining, amountCaptured, a settlement in
    # another currency (the fee is then unknown), times with fractions and a Z.
    payment = start_gift(2500)
    fake.state.answer_overrides[payment.mollie_id] = {
        "createdAt": "2026-03-14T17:00:52.0Z",
        "paidAt": "2026-03-14T17:09:52.0Z",
        "authorizedAt": None,
        "countryCode": "NL",
        "locale": "nl_NL",
        "restrictPaymentMethodsToCountry": "NL",
        "amountRemaining": {"currency": "EUR", "value": "25.00"},
        "amountCaptured": {"currency": "EUR", "value": "25.00"},
        "amountRefunded": {"currency": "EUR", "value": "0.00"},
        "settlementAmount": {"currency": "GBP", "value": "21.43"},
        "applicationFee": {"amount": {"currency": "EUR", "value": "0.10"},
                           "description": "Platform fee"},
        "details": {"consumerName": "Hr E G H Küppers en/of MW M.J. Küppers-Veeneman",
                    "consumerAccount": "NL53INGB0618365937", "consumerBic": "INGBNL2A"},
        "lines": None,
        "settlementId": "stl_jDk30akdN",
        "orderId": None,
    }
    fake.set_status(payment.mollie_id, "paid")

    [response] = deliver()

    assert response.status_code == 200
    payment = reload(payment)
    assert payment.flag is None
    assert payment.fee_cents is None  # settled in pounds: Mollie's fee is not known
    assert balance("8200") == 2500
    assert len(entries_with_reference(payment.mollie_id)) == 1


# A reversed chargeback --------------------------------------------------------------


def test_a_reversed_chargeback_books_the_gift_again_once(client, fake, deliver):
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    chargeback = fake.chargeback(payment.mollie_id)
    deliver()
    assert balance("8200") == 0

    fake.reverse_chargeback(chargeback["id"])
    deliver()
    assert _webhook(client, payment, times=2) == [200, 200]  # Mollie repeats itself

    payment = reload(payment)
    assert balance("8200") == 2500  # the money is back in
    assert payment.charged_back_cents == 0
    [back] = db.session.scalars(select(MoneyBack)).all()
    assert back.reversed_at is not None and back.reversal_entry_id is not None
    # The chargeback's entry and its reversal: two entries, never three.
    assert len(entries_with_reference(chargeback["id"])) == 2
    assert payment.flag is None


def test_a_chargeback_first_seen_already_reversed_books_nothing_net(client, fake, deliver):
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    chargeback = fake.chargeback(payment.mollie_id, notify=False)
    fake.reverse_chargeback(chargeback["id"], notify=False)
    # Mollie may keep counting a reversed chargeback in amountChargedBack.
    fake.state.answer_overrides[payment.mollie_id] = {
        "amountChargedBack": {"currency": "EUR", "value": "25.00"}}

    assert _webhook(client, payment, times=2) == [200, 200]

    assert balance("8200") == 2500
    assert _backs() == 1
    assert len(entries_with_reference(chargeback["id"])) == 2


def test_a_reversed_chargeback_of_dues_pays_the_invoice_again(
        client, fake, deliver, login_as, treasurer):
    invoice = factories.create_invoice(email="lid@example.org")
    payment = pay_invoice_online(client, fake, deliver, invoice)
    chargeback = fake.chargeback(payment.mollie_id)
    deliver()
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "open"

    fake.reverse_chargeback(chargeback["id"])
    deliver()
    _webhook(client, payment, times=2)

    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.status == "paid"
    assert dues.remaining_cents(invoice) == 0
    assert reload(payment).flag is None
    login_as(treasurer)
    page = client.get(f"/dues/{invoice.id}")
    assert "de bank heeft deze terugboeking teruggedraaid" in page.text


# More than one page -----------------------------------------------------------------


def test_refunds_on_a_second_page_are_booked(client, fake, deliver):
    fake.state.page_size = 1
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    for value in ("5.00", "7.00"):  # made in Mollie's dashboard
        fake.create_refund(payment.mollie_id, {"amount": {"currency": "EUR", "value": value},
                                               "description": "Via dashboard"})

    assert _webhook(client, payment, times=2) == [200, 200]

    assert _backs() == 2
    assert reload(payment).refunded_cents == 1200
    assert balance("8200") == 1300


def test_chargebacks_on_a_second_page_are_booked(client, fake, deliver):
    fake.state.page_size = 1
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    fake.chargeback(payment.mollie_id, "10.00", notify=False)
    fake.chargeback(payment.mollie_id, "4.00", notify=False)

    assert _webhook(client, payment) == [200]

    assert _backs() == 2
    assert reload(payment).charged_back_cents == 1400
    assert balance("8200") == 1100


def test_the_fake_pages_lists_and_links_each_page_to_itself(fake):
    import requests

    payment = fake.create_payment({"amount": {"currency": "EUR", "value": "30.00"},
                                   "description": "x", "redirectUrl": "https://e.org/"})
    fake.set_status(payment["id"], "paid", notify=False)
    for value in ("1.00", "2.00", "3.00"):
        fake.create_refund(payment["id"], {"amount": {"currency": "EUR", "value": value}})
    headers = {"Authorization": "Bearer test_abc"}
    url = f"{fake.url}/v2/payments/{payment['id']}/refunds?limit=2"

    first = requests.get(url, headers=headers, timeout=5).json()
    second = requests.get(first["_links"]["next"]["href"], headers=headers, timeout=5).json()

    assert [r["amount"]["value"] for r in first["_embedded"]["refunds"]] == ["1.00", "2.00"]
    assert [r["amount"]["value"] for r in second["_embedded"]["refunds"]] == ["3.00"]
    assert second["_links"]["next"] is None
    assert second["_links"]["self"]["href"] == first["_links"]["next"]["href"]
