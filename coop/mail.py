"""Outgoing mail behind one small interface.

`send_mail()` renders `templates/email/<name>.txt` (and `.html` when present) and hands
the message to the configured backend: `smtp` (a real SMTP server) or `outbox` (stored
in the database; development and demo, readable by an admin in the UI).
"""

import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db
from coop.timeutil import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sender: Mapped[str] = mapped_column(String(255), nullable=False)
    recipient: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), nullable=False)


class MailError(Exception):
    """The mail could not be handed to the mail server."""


def build_message(recipient: str, subject: str, text: str, html: str | None = None,
                  attachments=()):
    """The message; `attachments` are (filename, "type/subtype", bytes) triples."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].split("@")[-1])
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


class SMTPBackend:
    def send(self, message: EmailMessage) -> None:
        config = current_app.config
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        try:
            with smtp_class(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
            ) as smtp:
                if config["MAIL_USE_STARTTLS"]:
                    smtp.starttls()
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(str(error)) from error


class OutboxBackend:
    def send(self, message: EmailMessage) -> None:
        html_part = message.get_body(("html",))
        db.session.add(
            OutboxMessage(
                sender=message["From"],
                recipient=message["To"],
                subject=message["Subject"],
                body_text=message.get_body(("plain",)).get_content(),
                body_html=html_part.get_content() if html_part is not None else None,
                message_id=message["Message-ID"],
            )
        )
        db.session.flush()


BACKENDS = {"smtp": SMTPBackend, "outbox": OutboxBackend}


def get_backend():
    return BACKENDS[current_app.config["MAIL_BACKEND"]]()


def send_mail(recipient: str, subject: str, template: str, locale: str | None = None,
              attachments=(), **context):
    """Render `email/<template>.txt` (+ `.html`) in `locale` and send it, with
    `attachments` ((filename, "type/subtype", bytes) triples). The outbox keeps the text
    and html only.

    Raises MailError when the SMTP server refuses or cannot be reached.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"email/{template}.txt", **context)
        try:
            html = render_template(f"email/{template}.html", **context)
        except TemplateNotFound:
            html = None
        subject = str(subject)
    message = build_message(recipient, subject, text, html, attachments)
    get_backend().send(message)
    return message
