"""Outgoing mail behind one small interface.

`send_mail()` renders `templates/email/<name>.txt` (and `.html` when present) and hands
the message to the configured backend: `smtp` (a real SMTP server) or `outbox` (stored
in the database; development and demo, readable by an admin in the UI).

A mail that belongs to a change (a thank-you for a booked gift) is queued with
`send_after_commit()` and sent by `send_queued()` once the transaction has committed: no
SMTP round-trip while rows are locked, and no mail for a change that was rolled back.
"""

import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

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


# Mail after commit -------------------------------------------------------------------

_QUEUED = "coop.mail.queued"  # (transaction, mail) pairs of the open transaction
_READY = "coop.mail.ready"  # mails whose transaction committed, not sent yet


@dataclass
class QueuedMail:
    recipient: str
    subject: str
    template: str
    locale: str | None
    label: str  # what the log says when it fails (no address: logs are not erasable)
    context: dict = field(default_factory=dict)
    attachments: tuple = ()


def send_after_commit(recipient: str, subject, template: str, locale: str | None = None,
                      label: str = "", attachments=(), **context) -> QueuedMail:
    """Queue a mail on the current transaction. It is sent by `send_queued()` after the
    transaction commits; a rollback (of the transaction, or of the savepoint it was
    queued in) drops it."""
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # the mail belongs to a transaction: a rollback must find it
    transaction = session.get_nested_transaction() or session.get_transaction()
    mail = QueuedMail(recipient, subject, template, locale, label or template, context,
                      tuple(attachments))
    session.info.setdefault(_QUEUED, []).append((transaction, mail))
    return mail


def send_queued() -> list[tuple[QueuedMail, Exception | None]]:
    """Send the mails whose transaction has committed; call it right after `commit()`.

    Each mail is sent on its own (the outbox backend stores it in a small transaction
    of its own). A mail that fails is logged and skipped: the change it belongs to is
    committed already. Returns each mail with its error (None when sent).
    """
    session = db.session()
    ready = session.info.pop(_READY, [])
    results = []
    for mail in ready:
        try:
            send_mail(mail.recipient, mail.subject, mail.template, locale=mail.locale,
                      attachments=mail.attachments, **mail.context)
            session.commit()
        except Exception as error:  # a lost mail must not fail the caller
            session.rollback()
            current_app.logger.exception("%s not sent", mail.label)
            results.append((mail, error))
        else:
            results.append((mail, None))
    return results


def _queued_in(transaction, ended) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _commit_queued(session) -> None:
    if session.in_nested_transaction():  # a savepoint released: not committed yet
        return
    queued = session.info.pop(_QUEUED, [])
    if queued:
        session.info.setdefault(_READY, []).extend(mail for _transaction, mail in queued)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction) -> None:
    queued = session.info.get(_QUEUED)
    if not queued:
        return
    if previous_transaction.parent is None:
        queued.clear()
    else:
        queued[:] = [(t, m) for t, m in queued if not _queued_in(t, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session, transaction) -> None:
    # A transaction closed without commit (session closed or removed) sends nothing.
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)
