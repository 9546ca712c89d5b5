"""The webhook against the fake Mollie with the real client: every status transition,
idempotence, out-of-order and concurrent calls, bad ids, a differing amount, Mollie
down."""

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from coop.extensions import db
from coop.ledger.models import JournalEntry
from coop.payments.models import PaymentStatusChange
from coop.payments.services import status_history
from tests.payments.helpers import balance, entries_with_reference, reload, start_gift


def _history(payment):
    return [(change.from_status, change.to_status) for change in status_history(payment)]


def test_paid_gift_is_booked_as_income_with_the_mollie_fee_apart(fake, deliver):
    payment = start_gift(2500)

    fake.set_status(payment.mollie_id, "paid")
    responses = deliver()

    assert [r.status_code for r in responses] == [200]
    payment = reload(payment)
    assert payment.status == "paid"
    assert _history(payment) == [(None, "open"), ("open", "paid")]
    assert balance("8200") == 2500  # Giften particulieren
    assert payment.fee_cents == 29
    assert balance("4900") == -29  # Bankkosten (a cost: debit)
    assert balance("1100") == -(2500 - 29)  # bank debited with what Mollie settles
    assert len(entries_with_reference(payment.mollie_id)) == 2


@pytest.mark.parametrize("status", ["failed", "expired", "canceled"])
def test_unpaid_outcomes_change_the_status_and_book_nothing(fake, deliver, status):
    payment = start_gift(1000)

    fake.set_status(payment.mollie_id, status)
    deliver()

    payment = reload(payment)
    assert payment.status == status
    assert _history(payment) == [(None, "open"), ("open", status)]
    assert entries_with_reference(payment.mollie_id) == []


def test_an_open_payment_webhook_changes_nothing(client, fake):
    payment = start_gift(1000)

    response = client.post("/webhooks/mollie", data={"id": payment.mollie_id})

    assert response.status_code == 200
    assert _history(reload(payment)) == [(None, "open")]


def test_repeated_webhooks_book_once(client, fake, deliver):
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")
    deliver()

    for _ in range(3):
        assert client.post("/webhooks/mollie", data={"id": payment.mollie_id}).status_code == 200

    assert balance("8200") == 2500
    assert len(entries_with_reference(payment.mollie_id)) == 2
    assert _history(reload(payment)) == [(None, "open"), ("open", "paid")]


def test_a_final_status_is_never_left(client, fake, deliver):
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    # Mollie cannot go back, but a stale answer could: pretend it says "expired".
    fake.state.payments[payment.mollie_id]["status"] = "expired"

    client.post("/webhooks/mollie", data={"id": payment.mollie_id})

    payment = reload(payment)
    assert payment.status == "paid"
    assert balance("8200") == 2500


@pytest.mark.parametrize("mollie_id", ["", "tr_doesnotexist", "re_abc", "tr_<script>",
                                       "x" * 500])
def test_unknown_or_malformed_ids_are_answered_200_and_ignored(client, fake, mollie_id):
    response = client.post("/webhooks/mollie", data={"id": mollie_id})

    assert response.status_code == 200
    assert response.text == "ignored"
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_a_payment_at_mollie_that_is_not_ours_is_ignored(client, fake):
    other = fake.create_payment({"amount": {"currency": "EUR", "value": "5.00"},
                                 "description": "Elders", "redirectUrl": "https://x.test/"})
    fake.set_status(other["id"], "paid", notify=False)

    response = client.post("/webhooks/mollie", data={"id": other["id"]})

    assert response.text == "ignored"
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_amount_differing_from_ours_is_flagged_not_booked(client, fake, deliver):
    payment = start_gift(2500)
    fake.state.payments[payment.mollie_id]["amount"]["value"] = "25.01"
    fake.set_status(payment.mollie_id, "paid")

    deliver()

    payment = reload(payment)
    assert payment.status == "paid"
    assert "expected 2500" in payment.flag
    assert entries_with_reference(payment.mollie_id) == []


def test_metadata_of_another_payment_is_flagged_not_booked(client, fake, deliver):
    payment = start_gift(2500)
    fake.state.payments[payment.mollie_id]["metadata"]["reference"] = "someone-else-0000"
    fake.set_status(payment.mollie_id, "paid")

    deliver()

    payment = reload(payment)
    assert payment.status == "open"
    assert payment.flag
    assert entries_with_reference(payment.mollie_id) == []


def test_mollie_down_makes_the_webhook_ask_for_a_retry_and_the_retry_books(client, fake):
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid", notify=False)
    fake.state.failures_left = 1

    first = client.post("/webhooks/mollie", data={"id": payment.mollie_id})
    second = client.post("/webhooks/mollie", data={"id": payment.mollie_id})

    assert first.status_code == 503
    assert second.status_code == 200
    assert reload(payment).status == "paid"
    assert balance("8200") == 2500


def test_eight_concurrent_webhooks_for_one_payment_book_once(app, fake):
    payment = start_gift(2500)
    mollie_id = payment.mollie_id
    fake.set_status(mollie_id, "paid", notify=False)
    db.session.remove()
    start = threading.Barrier(8)
    statuses = []

    def call():
        client = app.test_client()
        start.wait()
        statuses.append(client.post("/webhooks/mollie", data={"id": mollie_id}).status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * 8
    assert balance("8200") == 2500
    assert len(entries_with_reference(mollie_id)) == 2
    assert db.session.scalar(select(func.count()).select_from(PaymentStatusChange).where(
        PaymentStatusChange.to_status == "paid")) == 1


def test_status_history_is_append_only_in_the_database(fake, deliver):
    payment = start_gift(2500)

    for statement in ("UPDATE payment_status_change SET to_status = 'paid'",
                      "DELETE FROM payment_status_change"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()

    assert _history(reload(payment)) == [(None, "open")]


def test_database_unavailable_makes_the_webhook_ask_for_a_retry(client, fake, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from coop.payments import services

    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid", notify=False)

    def down(mollie_id):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services, "lock_payment", down)
    response = client.post("/webhooks/mollie", data={"id": payment.mollie_id})
    monkeypatch.undo()
    retry = client.post("/webhooks/mollie", data={"id": payment.mollie_id})

    assert response.status_code == 503
    assert "Traceback" not in response.text
    assert retry.status_code == 200
    assert balance("8200") == 2500
