"""Mailing the yearly donor statements: one mail per donor with the PDF attached, in
the donor's language, once per donor and year, after a confirmation; a failing mail
does not stop the others.

The outbox backend keeps no attachments, so these tests send through the SMTP backend
to a real (local) SMTP server and read the PDF from the mail it received."""

import io
import logging
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy import func, select

from coop import mail as mail_module
from coop.audit import AuditEvent
from coop.donations.models import DonorStatementMail
from coop.extensions import db
from coop.ledger import services as ledger
from coop.mail import MailError
from coop.settings.services import get_organisation
from tests.payments.helpers import start_gift
from tests.test_mail import CollectingHandler, free_port

NBSP = "\u00a0"
YEAR = date.today().year


@pytest.fixture
def smtp():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def app(app_factory, fake, smtp):
    controller, _handler = smtp
    app = app_factory(MOLLIE_API_ENDPOINT=fake.url, MAIL_BACKEND="smtp",
                      MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_TIMEOUT=5)
    with app.app_context():
        organisation = get_organisation()
        organisation.name = "Wijkcoöperatie Oosterlicht"
        db.session.add(organisation)
        ledger.seed_default_chart()
        ledger.open_fiscal_year(YEAR)
        db.session.commit()
        yield app
        db.session.remove()


def _statements(smtp):
    """The statement mails the server received (the thank-you mails have no PDF)."""
    return [m for m in smtp[1].messages if any(True for _ in m.iter_attachments())]


def _pdf_text(message) -> str:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"giften-{YEAR}.pdf"
    reader = PdfReader(io.BytesIO(attachment.get_content()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _paid(fake, deliver, amount, **values):
    payment = start_gift(amount, **values)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    return payment


def _gifts(fake, deliver):
    _paid(fake, deliver, 2500, donor_name="Fatima Bakker", donor_email="fatima@example.org")
    _paid(fake, deliver, 1000, donor_name="Fatima Bakker", donor_email="fatima@example.org")
    _paid(fake, deliver, 4000, donor_name="John Smith", donor_email="john@example.org",
          locale="en")
    _paid(fake, deliver, 5000)  # anonymous: no statement


def _log_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DonorStatementMail))


def test_the_confirmation_page_lists_the_donors_and_sends_nothing(client, login_as, make_user,
                                                                  fake, deliver, smtp):
    _gifts(fake, deliver)
    login_as(make_user(roles=["treasurer"], two_factor=True))

    page = client.get(f"/donations/statements/{YEAR}/mail")

    assert page.status_code == 200
    assert "fatima@example.org" in page.text and "john@example.org" in page.text
    assert "Nu 2 jaaroverzicht(en) versturen" in page.text
    assert _statements(smtp) == []
    assert _log_count() == 0


def test_each_donor_gets_their_statement_in_their_language(client, login_as, make_user, fake,
                                                           deliver, smtp):
    _gifts(fake, deliver)
    login_as(make_user(roles=["treasurer"], two_factor=True))

    done = client.post(f"/donations/statements/{YEAR}/mail", follow_redirects=True)

    assert "2 jaaroverzicht(en) gemaild." in done.text
    mails = {m["To"]: m for m in _statements(smtp)}
    assert sorted(mails) == ["fatima@example.org", "john@example.org"]
    dutch, english = mails["fatima@example.org"], mails["john@example.org"]
    assert dutch["Subject"] == f"Je giften aan Wijkcoöperatie Oosterlicht in {YEAR}"
    assert english["Subject"] == f"Your gifts to Wijkcoöperatie Oosterlicht in {YEAR}"
    assert f"€{NBSP}35,00" in dutch.get_body(("plain",)).get_content()
    dutch_pdf, english_pdf = _pdf_text(dutch), _pdf_text(english)
    assert f"Overzicht van je giften in {YEAR}" in dutch_pdf
    assert f"Totaal {YEAR}" in dutch_pdf and f"€{NBSP}35,00" in dutch_pdf
    assert f"Overview of your gifts in {YEAR}" in english_pdf
    assert f"Total {YEAR}" in english_pdf and "40.00" in english_pdf
    # The page shows who was mailed when; the mailing is audited without addresses.
    listing = client.get(f"/donations/statements?year={YEAR}")
    assert "nog niet" not in listing.text
    assert "Iedere gever met een e-mailadres heeft dit overzicht per mail gehad." in listing.text
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.tag.like("donations:statement:%"))).all()
    assert sorted(e.tag for e in events) == ["donations:statement:mail"] * 2 + [
        "donations:statement:mail_run"]
    assert all("example.org" not in str(e.details) for e in events)


def test_a_second_run_mails_only_the_donors_not_mailed_yet(client, login_as, make_user, fake,
                                                           deliver, smtp):
    _gifts(fake, deliver)
    login_as(make_user(roles=["treasurer"], two_factor=True))
    client.post(f"/donations/statements/{YEAR}/mail")
    _paid(fake, deliver, 1500, donor_name="Piet", donor_email="piet@example.org")

    listing = client.get(f"/donations/statements?year={YEAR}")
    again = client.post(f"/donations/statements/{YEAR}/mail", follow_redirects=True)
    third = client.post(f"/donations/statements/{YEAR}/mail", follow_redirects=True)

    assert "nog niet" in listing.text  # Piet
    assert "(1 gevers nog niet gemaild)" in listing.text
    assert "1 jaaroverzicht(en) gemaild." in again.text
    assert "Iedere gever met een e-mailadres heeft dit overzicht per mail gehad." in third.text
    assert sorted(m["To"] for m in _statements(smtp)) == [
        "fatima@example.org", "john@example.org", "piet@example.org"]
    assert _log_count() == 3


def test_a_failing_mail_does_not_stop_the_others_and_is_shown(client, login_as, make_user,
                                                              fake, deliver, smtp,
                                                              monkeypatch, caplog):
    _gifts(fake, deliver)
    login_as(make_user(roles=["treasurer"], two_factor=True))
    send = mail_module.SMTPBackend.send

    def refuse_fatima(self, message):
        if message["To"] == "fatima@example.org":
            raise MailError("550 mailbox unavailable")
        send(self, message)

    monkeypatch.setattr(mail_module.SMTPBackend, "send", refuse_fatima)
    with caplog.at_level(logging.WARNING):
        done = client.post(f"/donations/statements/{YEAR}/mail", follow_redirects=True)

    assert "1 jaaroverzicht(en) gemaild." in done.text
    assert ("Deze jaaroverzichten konden niet worden gemaild (probeer het later opnieuw): "
            "fatima@example.org") in done.text
    assert [m["To"] for m in _statements(smtp)] == ["john@example.org"]
    assert db.session.scalars(select(DonorStatementMail.donor_email)).all() == [
        "john@example.org"]
    assert "550 mailbox unavailable" in caplog.text

    monkeypatch.setattr(mail_module.SMTPBackend, "send", send)
    client.post(f"/donations/statements/{YEAR}/mail")

    assert [m["To"] for m in _statements(smtp)] == ["john@example.org", "fatima@example.org"]


def test_a_reader_without_finance_rights_cannot_mail(client, login_as, make_user, fake,
                                                      deliver, smtp):
    _gifts(fake, deliver)
    login_as(make_user(roles=["member"]))

    response = client.post(f"/donations/statements/{YEAR}/mail")

    assert response.status_code == 403
    assert _statements(smtp) == []


def test_only_the_treasurer_mails_statements(client, login_as, make_user, fake, deliver,
                                             smtp):
    _gifts(fake, deliver)
    login_as(make_user(roles=["board"]))

    assert client.get(f"/donations/statements/{YEAR}/mail").status_code == 403
    assert client.post(f"/donations/statements/{YEAR}/mail").status_code == 403
    overview = client.get(f"/donations/statements?year={YEAR}")
    assert overview.status_code == 200 and "fatima@example.org" in overview.text
    assert f"/donations/statements/{YEAR}/mail" not in overview.text
    assert _statements(smtp) == [] and _log_count() == 0
