"""Factories for test data: `create_user(...)` and friends."""

import itertools

import pyotp

from coop.accounts import services as accounts
from coop.extensions import db
from coop.timeutil import utcnow

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def create_user(
    email: str | None = None,
    *,
    roles=(),
    name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    two_factor: bool = False,
    locale: str | None = None,
):
    n = next(_counter)
    user = accounts.create_user(
        email or f"user{n}@example.org", name or f"Gebruiker {n}", password, roles=roles
    )
    user.locale = locale
    if two_factor:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = utcnow()
    db.session.commit()
    return user


def current_totp(user) -> str:
    return pyotp.TOTP(user.totp_secret).now()
