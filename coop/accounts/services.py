"""Accounts: passwords, login throttling, two-factor, password reset, roles."""

import math
import secrets
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from coop import audit
from coop.accounts.models import LoginAttempt, User, UserRole
from coop.extensions import db
from coop.permissions import Role
from coop.timeutil import utcnow

MIN_PASSWORD_LENGTH = 10
TOTP_ISSUER = "Coop"
_RESET_SALT = "password-reset"


class AccountError(Exception):
    """A refused account action; `str(error)` is a translated message for the user."""


class LoginThrottled(AccountError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after  # seconds


class InvalidCredentials(AccountError):
    pass


def _hasher() -> PasswordHasher:
    if current_app.config["ARGON2_PROFILE"] == "cheap":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str | None, roles=(), actor=None) -> User:
    """Create an account. Raises AccountError when the email is taken."""
    email = normalise_email(email)
    if get_user_by_email(email) is not None:
        raise AccountError(_("An account with this email address already exists."))
    user = User(email=email, name=name.strip())
    if password:
        user.password_hash = hash_password(password)
    user.role_rows = [UserRole(role=Role(r).value) for r in roles]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "accounts:user:create",
        {"roles": sorted(Role(r).value for r in roles)},
        obj=user,
        actor=actor,
        personal={"email": email, "name": name},
        user_id=user.id,
    )
    return user


def set_roles(user: User, roles, actor=None) -> None:
    new = {Role(r) for r in roles}
    old = user.roles
    if new == old:
        return
    user.role_rows = [row for row in user.role_rows if Role(row.role) in new]
    for role in sorted(new - old):
        user.role_rows.append(UserRole(role=role.value))
    db.session.flush()
    audit.record(
        "accounts:user:roles",
        {"old": sorted(r.value for r in old), "new": sorted(r.value for r in new)},
        obj=user,
        actor=actor,
    )


def _failures_since(since, *conditions):
    """How many failed attempts match, and when the last one was."""
    return db.session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            *conditions, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
        )
    ).one()


def _backoff_remaining(failures: int, last_failure, now, free: int, longest: int) -> float:
    """Seconds still to wait: after `free` failures, each failure closes the door for
    LOGIN_BACKOFF_BASE_SECONDS, doubling per further failure, up to `longest`."""
    if failures < free or last_failure is None:
        return 0.0
    delay = min(
        current_app.config["LOGIN_BACKOFF_BASE_SECONDS"] * 2 ** min(failures - free, 32),
        longest,
    )
    return max(0.0, (last_failure + timedelta(seconds=delay) - now).total_seconds())


def seconds_to_wait(email: str, ip_address: str, second_factor: bool = False) -> int:
    """How long a login for this account from this IP address must wait (0: go ahead).

    Throttling, not a lockout: the delay grows with the failures of the last
    LOGIN_WINDOW_SECONDS but never beyond LOGIN_BACKOFF_MAX_SECONDS after the latest
    one, and refused attempts are not counted, so nobody can keep an account's owner
    out by hammering the form: the right password works once the delay has passed.
    For the account, failures before its last success count no more (a successful
    login or a password reset clears the count); for the IP address they all count.

    `second_factor`: the wait for a two-factor code. Wrong codes come only from someone
    who knows the password, so they also count over LOGIN_TWO_FACTOR_WINDOW_SECONDS and
    may close the door for up to LOGIN_TWO_FACTOR_BACKOFF_MAX_SECONDS.
    """
    config = current_app.config
    email = normalise_email(email)
    now = utcnow()
    window_start = now - timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )

    def after_success(start):
        return max(start, last_success) if last_success else start

    free = config["LOGIN_FREE_FAILURES_PER_ACCOUNT"]
    longest = config["LOGIN_BACKOFF_MAX_SECONDS"]
    waits = [
        _backoff_remaining(
            *_failures_since(after_success(window_start), LoginAttempt.email == email),
            now, free, longest,
        ),
        _backoff_remaining(
            *_failures_since(window_start, LoginAttempt.ip_address == ip_address),
            now, config["LOGIN_FREE_FAILURES_PER_IP"], longest,
        ),
    ]
    if second_factor:
        codes_since = after_success(
            now - timedelta(seconds=config["LOGIN_TWO_FACTOR_WINDOW_SECONDS"]))
        waits.append(_backoff_remaining(
            *_failures_since(codes_since, LoginAttempt.email == email,
                             LoginAttempt.second_factor.is_(True)),
            now, free, config["LOGIN_TWO_FACTOR_BACKOFF_MAX_SECONDS"],
        ))
    return math.ceil(max(waits))


def throttled_message(seconds: int) -> str:
    if seconds > 90:
        return ngettext(
            "Too many failed attempts. Try again in %(num)d minute.",
            "Too many failed attempts. Try again in %(num)d minutes.",
            math.ceil(seconds / 60),
        )
    return ngettext(
        "Too many failed attempts. Try again in %(num)d second.",
        "Too many failed attempts. Try again in %(num)d seconds.",
        seconds,
    )


def record_failed_attempt(email: str, ip_address: str, second_factor: bool = False) -> None:
    db.session.add(LoginAttempt(
        at=utcnow(), email=normalise_email(email), ip_address=ip_address, succeeded=False,
        second_factor=second_factor,
    ))
    db.session.flush()


def authenticate(email: str, password: str, ip_address: str) -> User:
    """Check a password login. Raises LoginThrottled or InvalidCredentials.

    Every checked attempt is recorded; after repeated failures for the account or from
    the IP address, attempts are refused unchecked (and unrecorded) until the back-off
    delay has passed, right password or wrong. Unknown and deactivated accounts cost the
    same password hashing as real ones: the time taken tells nothing about an address.
    """
    email = normalise_email(email)
    wait = seconds_to_wait(email, ip_address)
    if wait:
        raise LoginThrottled(throttled_message(wait), retry_after=wait)
    user = get_user_by_email(email)
    if not _verify(user, password) or not user.is_active:
        record_failed_attempt(email, ip_address)
        raise InvalidCredentials(_("Email address or password is incorrect."))
    # The success is recorded when the login completes (after the second factor), so
    # a known password cannot reset the count of wrong two-factor codes.
    return user


# A hash of a random password with the current parameters, checked against when there
# is no real hash to check (unknown email, account without a password yet), so such a
# login takes as long as a wrong password for a real account. One per parameter set.
_DUMMY_HASHES: dict[tuple, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
           hasher.salt_len, hasher.type)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_urlsafe(32))
    return _DUMMY_HASHES[key]


def _verify(user: User | None, password: str) -> bool:
    hasher = _hasher()
    stored = user.password_hash if user is not None else None
    try:
        hasher.verify(stored or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    if not stored:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


def check_password(user: User, password: str) -> bool:
    return _verify(user, password)


def change_password(user: User, new_password: str, tag="accounts:user:password") -> None:
    user.password_hash = hash_password(new_password)
    user.security_stamp += 1
    db.session.flush()
    audit.record(tag, {}, obj=user, actor=user)


def record_success(user: User, ip_address: str) -> None:
    """A completed login or password reset: clears the account's failure count."""
    db.session.add(
        LoginAttempt(at=utcnow(), email=user.email, ip_address=ip_address, succeeded=True)
    )
    db.session.flush()


def record_login(user: User, ip_address: str) -> None:
    record_success(user, ip_address)
    user.last_login_at = utcnow()
    audit.record("accounts:user:login", {}, obj=user, actor=user)


# Two-factor (TOTP, RFC 6238) ---------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("TOTP_ISSUER") or TOTP_ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _accept_code(user: User, secret: str, code: str) -> bool:
    """Accept a 6-digit code for the current or adjacent step, each step only once."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current_step = totp.timecode(now)
    for offset in (0, -1, 1):
        step = current_step + offset
        if totp.at(now, counter_offset=offset) == code:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replay of a code already used
            user.totp_last_step = step
            return True
    return False


def enable_two_factor(user: User, secret: str, code: str) -> bool:
    if not _accept_code(user, secret, code):
        return False
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    db.session.flush()
    audit.record("accounts:user:2fa_enable", {}, obj=user, actor=user)
    return True


def verify_two_factor(user: User, code: str) -> bool:
    if not user.two_factor_enabled:
        return False
    ok = _accept_code(user, user.totp_secret, code)
    db.session.flush()
    return ok


def disable_two_factor(user: User, actor=None) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.flush()
    audit.record("accounts:user:2fa_disable", {}, obj=user, actor=actor or user)


# Password links: signed, bound to the account's security stamp, so a link works once
# (setting the password bumps the stamp). A reset link expires after
# PASSWORD_RESET_MAX_AGE_SECONDS; an invitation to a new account lasts longer
# (INVITATION_MAX_AGE_SECONDS), since people do not read mail within the hour.
_MAX_AGE_SETTING = {
    "reset": "PASSWORD_RESET_MAX_AGE_SECONDS",
    "invitation": "INVITATION_MAX_AGE_SECONDS",
}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def password_reset_token(user: User, purpose: str = "reset") -> str:
    if purpose not in _MAX_AGE_SETTING:
        raise ValueError(purpose)
    return _serializer().dumps(
        {"user": user.id, "stamp": user.security_stamp, "purpose": purpose}
    )


def user_for_reset_token(token: str) -> User | None:
    config = current_app.config
    serializer = _serializer()
    try:
        data = serializer.loads(token, max_age=max(config[s] for s in _MAX_AGE_SETTING.values()))
        setting = _MAX_AGE_SETTING.get(data.get("purpose"))
        if setting is None:
            return None
        serializer.loads(token, max_age=config[setting])  # the purpose's own expiry
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("user"))
    if user is None or not user.is_active or user.security_stamp != data.get("stamp"):
        return None
    return user


def load_user_from_session_id(session_id: str) -> User | None:
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.security_stamp != int(stamp):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Log the account out everywhere: every session and remember-me cookie carries the
    security stamp (`User.get_id`), so a new stamp makes all of them worthless, copies
    included."""
    user.security_stamp += 1
    db.session.flush()


def set_active(user: User, active: bool, actor=None) -> None:
    user.is_active_account = active
    user.security_stamp += 1  # ends the account's sessions
    db.session.flush()
    audit.record(
        "accounts:user:activate" if active else "accounts:user:deactivate",
        {},
        obj=user,
        actor=actor,
    )
