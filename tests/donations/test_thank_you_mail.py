"""The thank-you mail goes out after the webhook's commit: never for a transition that
is rolled back, once for a repeated webhook, and a failing mail server does not make
Mollie retry."""

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from coop import mail as mail_module
from coop.extensions import db
from coop.mail import MailError
from coop.payments import services as payment_services
from tests.payments.helpers import balance, reload, start_gift


@pytest.fixture
def handed_over(app, monkeypatch):
    """Recipients of the mails handed to the backend, as a mail server would see them
    (an outbox row alone would vanish with a rollback; an SMTP mail would not)."""
    recipients = []
    send = mail_module.OutboxBackend.send

    def recording_send(self, message):
        recipients.append(message["To"])
        send(self, message)

    monkeypatch.setattr(mail_module.OutboxBackend, "send", recording_send)
    return recipients


def _webhook(client, payment):
    return client.post("/webhooks/mollie", data={"id": payment.mollie_id})


def test_the_thank_you_mail_is_sent_once_the_payment_is_committed(client, fake, outbox,
                                                                   monkeypatch):
    payment = start_gift(2500, donor_name="Fatima", donor_email="fatima@example.org")
    fake.set_status(payment.mollie_id, "paid")
    seen_by_others = []
    send = mail_module.OutboxBackend.send

    def watching_send(self, message):
        # What another connection sees at the moment the mail is handed over.
        with db.engine.connect() as connection:
            seen_by_others.append(connection.execute(
                text("SELECT status FROM online_payment WHERE id = :id"),
                {"id": payment.id}).scalar_one())
        send(self, message)

    monkeypatch.setattr(mail_module.OutboxBackend, "send", watching_send)

    response = _webhook(client, payment)

    assert response.status_code == 200
    assert seen_by_others == ["paid"]
    [sent] = outbox()
    assert sent.recipient == "fatima@example.org"
    assert sent.subject == "Bedankt voor je gift"


def test_a_repeated_webhook_sends_no_second_mail(client, fake, outbox, handed_over):
    payment = start_gift(2500, donor_email="fatima@example.org")
    fake.set_status(payment.mollie_id, "paid")

    responses = [_webhook(client, payment) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert handed_over == ["fatima@example.org"]
    assert [m.recipient for m in outbox()] == ["fatima@example.org"]


def test_a_rolled_back_webhook_sends_no_mail_and_its_retry_sends_one(client, fake, outbox,
                                                                      handed_over, monkeypatch):
    payment = start_gift(2500, donor_email="fatima@example.org")
    fake.set_status(payment.mollie_id, "paid")
    apply_remote = payment_services.apply_remote

    def apply_then_lose_the_database(*args):
        apply_remote(*args)  # books the gift and queues the thank-you
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(payment_services, "apply_remote", apply_then_lose_the_database)
    failed = _webhook(client, payment)
    monkeypatch.setattr(payment_services, "apply_remote", apply_remote)

    assert failed.status_code == 503
    assert reload(payment).status == "open"
    assert handed_over == []

    retried = _webhook(client, payment)

    assert retried.status_code == 200
    assert reload(payment).status == "paid"
    assert handed_over == ["fatima@example.org"]
    assert [m.recipient for m in outbox()] == ["fatima@example.org"]


def test_a_failing_mail_server_is_logged_and_the_webhook_still_answers_200(
        client, fake, outbox, monkeypatch, caplog):
    payment = start_gift(2500, donor_email="fatima@example.org")
    fake.set_status(payment.mollie_id, "paid")

    def refuse(self, message):
        raise MailError("connection refused")

    monkeypatch.setattr(mail_module.OutboxBackend, "send", refuse)
    with caplog.at_level(logging.ERROR):
        response = _webhook(client, payment)

    assert response.status_code == 200
    assert reload(payment).status == "paid"
    assert balance("8200") == 2500  # the gift stays booked
    assert outbox() == []
    donation_id = reload(payment).donation_id
    assert f"thank-you mail for donation {donation_id} not sent" in caplog.text
    assert "fatima@example.org" not in caplog.text


def test_an_anonymous_gift_gets_no_mail(client, fake, outbox):
    payment = start_gift(2500)
    fake.set_status(payment.mollie_id, "paid")

    assert _webhook(client, payment).status_code == 200
    assert reload(payment).status == "paid"
    assert outbox() == []
