"""Refunds (the treasurer, through Mollie, partial allowed) and chargebacks reverse the
gift's booking once, and the gift shows as refunded or charged back."""

import re

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.payments.models import MoneyBack
from tests.payments.helpers import balance, entries_with_reference, reload, start_gift


@pytest.fixture
def paid_gift(fake, deliver):
    payment = start_gift(2500, donor_name="Fatima")
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    return reload(payment)


def _refund(client, payment, amount, reason="Dubbel gegeven", key=None):
    page = client.get(f"/donations/gifts/{payment.donation_id}")
    key = key or re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', page.text).group(1)
    return client.post(f"/donations/gifts/{payment.donation_id}/refund",
                       data={"amount": amount, "reason": reason, "key": key}), key


def _backs() -> int:
    return db.session.scalar(select(func.count()).select_from(MoneyBack))


def test_partial_then_full_refund_reverse_the_income_and_show_on_the_gift(
        client, login_as, treasurer, fake, paid_gift):
    login_as(treasurer)

    first, _key = _refund(client, paid_gift, "10,00")
    assert first.status_code == 302
    assert balance("8200") == 1500
    assert "deels terugbetaald" in client.get(first.location).text

    second, _key = _refund(client, paid_gift, "15,00", reason="Toch alles terug")
    page = client.get(second.location)

    assert balance("8200") == 0
    assert "terugbetaald" in page.text and "Toch alles terug" in page.text
    assert len([r for r in fake.state.refunds.values()
                if r["paymentId"] == paid_gift.mollie_id]) == 2
    assert reload(paid_gift).refunded_cents == 2500
    assert "Terugbetalen via Mollie" not in page.text  # nothing left to refund


def test_refunding_more_than_remains_is_refused_at_the_field(client, login_as, treasurer, fake,
                                                             paid_gift):
    login_as(treasurer)

    response, _key = _refund(client, paid_gift, "25,01")

    assert response.status_code == 422
    error = re.search(r'id="amount-error">(.*?)</p>', response.text, re.S).group(1)
    assert "Er kan nog ten hoogste €\u00a025,00 worden terugbetaald." in error
    assert fake.state.refunds == {} and _backs() == 0


def test_a_refund_needs_a_reason(client, login_as, treasurer, paid_gift):
    login_as(treasurer)

    response, _key = _refund(client, paid_gift, "5,00", reason="  ")

    assert response.status_code == 422
    assert _backs() == 0


def test_mollie_down_refunds_nothing_and_the_retry_with_the_same_form_refunds_once(
        client, login_as, treasurer, fake, paid_gift):
    login_as(treasurer)
    fake.state.failures_left = 2  # the lookup of the payment and the refund itself

    failed, key = _refund(client, paid_gift, "5,00")
    fake.state.failures_left = 0
    retried, _key = _refund(client, paid_gift, "5,00", key=key)
    again, _key = _refund(client, paid_gift, "5,00", key=key)

    assert failed.status_code == 422
    assert "Mollie is nu niet bereikbaar; er is niets terugbetaald." in failed.text
    assert retried.status_code == 302 and again.status_code == 302
    assert len(fake.state.refunds) == 1 and _backs() == 1
    assert balance("8200") == 2000


def test_webhooks_after_a_refund_book_nothing_more(client, login_as, treasurer, paid_gift):
    login_as(treasurer)
    _refund(client, paid_gift, "5,00")

    for _ in range(2):
        client.post("/webhooks/mollie", data={"id": paid_gift.mollie_id})

    assert _backs() == 1
    assert balance("8200") == 2000


def test_a_refund_made_in_the_mollie_dashboard_is_booked_by_the_webhook(client, fake,
                                                                        paid_gift):
    fake.create_refund(paid_gift.mollie_id, {"amount": {"currency": "EUR", "value": "7.50"},
                                             "description": "Via dashboard"})

    client.post("/webhooks/mollie", data={"id": paid_gift.mollie_id})
    client.post("/webhooks/mollie", data={"id": paid_gift.mollie_id})

    assert balance("8200") == 1750
    assert _backs() == 1


def test_a_chargeback_reverses_the_gift_once_and_shows_on_the_board_page(
        client, login_as, treasurer, fake, deliver, paid_gift):
    fake.chargeback(paid_gift.mollie_id)
    deliver()
    client.post("/webhooks/mollie", data={"id": paid_gift.mollie_id})
    login_as(treasurer)

    page = client.get(f"/donations/gifts/{paid_gift.donation_id}")

    assert balance("8200") == 0
    assert reload(paid_gift).charged_back_cents == 2500
    chargeback_id = next(iter(fake.state.chargebacks))
    assert len(entries_with_reference(chargeback_id)) == 1
    assert "teruggeboekt" in page.text
    assert "Terugbetalen via Mollie" not in page.text


def test_only_the_treasurer_refunds(client, login_as, make_user, paid_gift):
    login_as(make_user(roles=["board"]))

    response = client.post(f"/donations/gifts/{paid_gift.donation_id}/refund",
                           data={"amount": "5,00", "reason": "x", "key": "k" * 32})

    assert response.status_code == 403
    assert _backs() == 0
