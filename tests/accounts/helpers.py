"""Helpers for the account tests: log in through the form, read the audit log."""

import re

import pyotp
from sqlalchemy import func, select

from coop.accounts.models import LoginAttempt
from coop.audit import AuditEvent
from coop.extensions import db
from coop.timeutil import utcnow
from tests.factories import DEFAULT_PASSWORD

LINK = re.compile(r"https?://\S+/password/reset/\S+")


def log_in(client, email, password=DEFAULT_PASSWORD, **kwargs):
    """Submit the login form, as a user does; `kwargs` go to `client.post`."""
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def log_in_with_code(client, user, code, password=DEFAULT_PASSWORD):
    response = log_in(client, user.email, password)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/two-factor")
    return client.post("/login/two-factor", data={"code": code})


def switch_to_english(client):
    """Choose English with the language button, as an anonymous visitor can."""
    client.post("/language", data={"language": "en"})


def is_logged_in(client) -> bool:
    """Whether the client reaches its own account page instead of the login page."""
    return client.get("/account").status_code == 200


def audit_events(tag: str):
    db.session.rollback()  # what was committed, as a later request would see it
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == tag).order_by(AuditEvent.id)
    ).all()


def login_attempts(email: str):
    db.session.rollback()
    return db.session.scalars(
        select(LoginAttempt).where(LoginAttempt.email == email).order_by(LoginAttempt.id)
    ).all()


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def wrong_code(secret: str) -> str:
    """A well-formed code that no step near now accepts."""
    totp = pyotp.TOTP(secret)
    now = utcnow()
    valid = {totp.at(now, counter_offset=offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def next_step_code(secret: str) -> str:
    """The code of the next 30-second step: accepted for clock skew, not yet used."""
    return pyotp.TOTP(secret).at(utcnow(), counter_offset=1)


def reset_link(message) -> str:
    match = LINK.search(message.body_text)
    assert match, f"no reset link in the mail: {message.body_text!r}"
    return match.group(0)
