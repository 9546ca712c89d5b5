"""coop/mail.py: mail reaches a real SMTP server, or the outbox an admin can read."""

import socket
import threading
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from coop.extensions import db
from coop.mail import MailError, send_mail

RESET_LINK = "http://localhost/password/reset/abc.def-123"


class CollectingHandler:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        self.received.set()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_app(app_factory, smtp_server):
    controller, handler = smtp_server
    app = app_factory(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_TIMEOUT=5,
        MAIL_DEFAULT_SENDER="bestuur@wijkcoop.example",
    )
    return app, handler


def _text_body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_smtp_backend_delivers_the_password_reset_mail_to_a_real_server(smtp_app):
    app, handler = smtp_app
    with app.app_context():
        send_mail("anna@example.org", "Stel je wachtwoord opnieuw in", "password_reset",
                  user_name="Anna de Vries", link=RESET_LINK)

    assert len(handler.messages) == 1
    received = handler.messages[0]
    assert received["To"] == "anna@example.org"
    assert received["From"] == "bestuur@wijkcoop.example"
    assert received["Subject"] == "Stel je wachtwoord opnieuw in"
    assert received["Message-ID"].endswith("@wijkcoop.example>")
    assert received["Date"]
    body = _text_body(received)
    assert RESET_LINK in body
    assert "Anna de Vries" in body
    assert handler.envelopes[0].rcpt_tos == ["anna@example.org"]


def test_non_ascii_subject_and_name_survive_the_trip(smtp_app):
    app, handler = smtp_app
    with app.app_context():
        send_mail("zoë@example.org", "Wachtwoord van je coöperatie-account", "password_reset",
                  user_name="Zoë Çelik", link=RESET_LINK)

    received = handler.messages[0]
    assert received["Subject"] == "Wachtwoord van je coöperatie-account"
    assert "Zoë Çelik" in _text_body(received)


def test_forgot_password_page_sends_a_working_link_through_smtp(smtp_app):
    from tests import factories

    app, handler = smtp_app
    with app.app_context():
        user = factories.create_user("piet@example.org", name="Piet Jansen")
        user_id = user.id
    client = app.test_client()

    response = client.post("/password/forgot", data={"email": "piet@example.org"})

    assert response.status_code == 302
    received = handler.messages[0]
    assert received["To"] == "piet@example.org"
    assert received["Subject"] == "Stel je wachtwoord opnieuw in"
    body = _text_body(received)
    link = next(line for line in body.splitlines() if "/password/reset/" in line).strip()
    assert link.startswith("http://localhost/password/reset/")
    with app.app_context():
        from coop.accounts.services import user_for_reset_token

        token = link.rsplit("/", 1)[1]
        assert user_for_reset_token(token).id == user_id
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_unreachable_smtp_server_raises_mail_error(app_factory):
    app = app_factory(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2
    )
    with app.app_context(), pytest.raises(MailError):
        send_mail("anna@example.org", "Test", "password_reset", user_name="Anna", link=RESET_LINK)


def test_unreachable_smtp_server_shows_an_error_instead_of_crashing(app_factory):
    from tests import factories

    app = app_factory(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2
    )
    with app.app_context():
        factories.create_user("piet@example.org")

    response = app.test_client().post("/password/forgot", data={"email": "piet@example.org"})

    assert response.status_code == 503
    assert "De mail kon niet worden verstuurd" in response.text


def test_outbox_backend_stores_the_message(app, outbox):
    send_mail("anna@example.org", "Stel je wachtwoord opnieuw in", "password_reset",
              user_name="Anna de Vries", link=RESET_LINK)
    db.session.commit()

    [stored] = outbox()
    assert stored.recipient == "anna@example.org"
    assert stored.subject == "Stel je wachtwoord opnieuw in"
    assert stored.sender == app.config["MAIL_DEFAULT_SENDER"]
    assert RESET_LINK in stored.body_text
    assert stored.body_html is None  # password_reset has only a .txt template
    assert stored.created_at.tzinfo is not None


def test_admin_reads_an_outbox_message(app, client, outbox, make_user, login_as):
    send_mail("anna@example.org", "Stel je wachtwoord opnieuw in", "password_reset",
              user_name="Anna de Vries", link=RESET_LINK)
    db.session.commit()
    [stored] = outbox()
    login_as(make_user(roles=["admin"]))

    listing = client.get("/admin/outbox")
    response = client.get(f"/admin/outbox/{stored.id}")

    assert listing.status_code == 200
    assert "anna@example.org" in listing.text
    assert response.status_code == 200
    assert "anna@example.org" in response.text
    assert "Stel je wachtwoord opnieuw in" in response.text
    assert RESET_LINK in response.text
    assert "Anna de Vries" in response.text


def test_outbox_message_is_not_for_members(app, client, outbox, make_user, login_as):
    send_mail("anna@example.org", "Geheim", "password_reset", user_name="Anna", link=RESET_LINK)
    db.session.commit()
    [stored] = outbox()
    login_as(make_user(roles=["member"]))

    assert client.get(f"/admin/outbox/{stored.id}").status_code == 403


def test_missing_outbox_message_is_404_for_the_admin(app, client, make_user, login_as):
    login_as(make_user(roles=["admin"]))
    assert client.get("/admin/outbox/999").status_code == 404


def test_mail_is_dutch_by_default(app, outbox):
    send_mail("anna@example.org", "Onderwerp", "password_reset",
              user_name="Anna", link=RESET_LINK)

    body = outbox()[0].body_text
    assert "Hallo Anna," in body
    assert "Hello" not in body


def test_mail_is_rendered_in_the_recipients_locale(app, outbox):
    from flask_babel import lazy_gettext as _l

    send_mail("anna@example.org", _l("Reset your password"), "password_reset", locale="en",
              user_name="Anna", link=RESET_LINK)
    send_mail("piet@example.org", _l("Reset your password"), "password_reset", locale="nl",
              user_name="Piet", link=RESET_LINK)

    english, dutch = outbox()
    assert english.subject == "Reset your password"
    assert "Hello Anna," in english.body_text
    assert "reset the password of your coop account" in english.body_text
    assert dutch.subject == "Stel je wachtwoord opnieuw in"
    assert "Hallo Piet," in dutch.body_text
    assert RESET_LINK in english.body_text
    assert RESET_LINK in dutch.body_text


def test_english_recipient_gets_english_mail_from_a_dutch_page(app, client, outbox):
    from tests import factories

    factories.create_user("jane@example.org", name="Jane", locale="en")

    response = client.post("/password/forgot", data={"email": "jane@example.org"})

    assert response.status_code == 302
    [mail] = outbox()
    assert mail.subject == "Reset your password"
    assert "Hello Jane," in mail.body_text



# Mail after commit ----------------------------------------------------------------------


def _queue(recipient):
    from coop.mail import send_after_commit

    send_after_commit(recipient, "Hallo", "password_reset", user_name="Anna", link=RESET_LINK)


def test_a_queued_mail_waits_for_the_commit(app, outbox):
    from coop.mail import send_queued

    with app.app_context():
        _queue("anna@example.org")
        assert send_queued() == []  # not committed yet: nothing goes out
        db.session.commit()
        [(mail, error)] = send_queued()

        assert (mail.recipient, error) == ("anna@example.org", None)
        assert [m.recipient for m in outbox()] == ["anna@example.org"]
        assert send_queued() == []  # sent once


def test_a_rollback_drops_the_queued_mail(app, outbox):
    from coop.mail import send_queued

    with app.app_context():
        _queue("anna@example.org")
        db.session.rollback()
        db.session.commit()

        assert send_queued() == []
        assert outbox() == []


def test_a_rolled_back_savepoint_drops_only_its_own_mails(app, outbox):
    from coop.mail import send_queued

    with app.app_context():
        _queue("kept@example.org")
        savepoint = db.session.begin_nested()
        _queue("dropped@example.org")
        savepoint.rollback()
        with db.session.begin_nested():
            _queue("released@example.org")
        db.session.commit()
        send_queued()

        assert [m.recipient for m in outbox()] == ["kept@example.org", "released@example.org"]
