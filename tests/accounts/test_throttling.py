"""Login throttling is a back-off, not a lockout: guessing is slowed, but nobody can keep
an account's owner out, and how long a login takes tells nothing about an address."""

from datetime import timedelta

import pyotp
import pytest
from argon2 import PasswordHasher, extract_parameters

from coop.accounts import services
from coop.accounts.models import LoginAttempt
from coop.extensions import db
from coop.permissions import Role
from tests.accounts.helpers import (
    is_logged_in,
    log_in,
    log_in_with_code,
    login_attempts,
    switch_to_english,
    wrong_code,
)
from tests.factories import current_totp
from tests.pages import Page

WRONG = "not the password"
ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.5"}


@pytest.fixture(autouse=True)
def time_passes(login_clock):
    """`time_passes(seconds)`: the clock the throttle reads moves on (it stands still
    otherwise, so every wait read here is exact)."""
    return login_clock


def _wait(response) -> int:
    assert response.status_code == 429
    return int(response.headers["Retry-After"])


# The account ------------------------------------------------------------------------


def test_the_right_password_works_once_the_wait_after_five_failures_is_over(
    time_passes, client, make_user
):
    user = make_user(roles=[Role.MEMBER])
    switch_to_english(client)
    for _ in range(5):
        assert log_in(client, user.email, WRONG).status_code == 401

    refused = log_in(client, user.email)
    assert _wait(refused) == 2
    assert Page(refused.text).field_error("password") == (
        "Too many failed attempts. Try again in 2 seconds."
    )
    time_passes(2)

    assert log_in(client, user.email).status_code == 302
    assert is_logged_in(client)


def test_the_wait_is_said_in_dutch(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(5):
        log_in(client, user.email, WRONG)

    response = log_in(client, user.email)

    assert Page(response.text).field_error("password") == (
        "Te veel mislukte pogingen. Probeer het over 2 seconden opnieuw."
    )


def test_a_brute_force_is_slowed_ever_more_up_to_a_minute_a_guess(time_passes, client, make_user):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(5):
        log_in(client, user.email, WRONG)
    waits = []
    for _ in range(8):  # the attacker waits each time exactly as long as told
        waits.append(_wait(log_in(client, user.email, WRONG)))
        time_passes(waits[-1])
        assert log_in(client, user.email, WRONG).status_code == 401

    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    assert len(login_attempts(user.email)) == 5 + 8  # each guess after a wait was checked
    # The owner is not kept out for long: a minute after the last guess, the password works.
    assert _wait(log_in(client, user.email)) == 60
    time_passes(60)
    assert log_in(client, user.email).status_code == 302


def test_attempts_during_the_wait_are_neither_checked_nor_counted(
    time_passes, client, make_user, monkeypatch
):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(5):
        log_in(client, user.email, WRONG)
    checked = _count_verifications(monkeypatch)

    for _ in range(30):  # hammering the form does not stretch the wait
        assert log_in(client, user.email, WRONG, environ_base=ATTACKER).status_code == 429

    assert checked() == 0
    assert len(login_attempts(user.email)) == 5
    time_passes(2)
    assert log_in(client, user.email).status_code == 302


def test_the_account_wait_holds_from_every_address(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    for n in range(5):
        log_in(client, user.email, WRONG, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})

    assert log_in(client, user.email, environ_base=ELSEWHERE).status_code == 429


def test_however_many_failures_the_wait_ends_a_minute_after_the_last(
    time_passes, client, make_user
):
    user = make_user(roles=[Role.MEMBER])
    now = services.utcnow()
    db.session.add_all(  # a long run of guesses from many addresses, the last 55 s ago
        LoginAttempt(email=user.email, ip_address=f"10.0.{n // 200}.{n % 200}",
                     succeeded=False, at=now - timedelta(seconds=55 + n))
        for n in range(500)
    )
    db.session.commit()

    assert _wait(log_in(client, user.email)) == 5
    time_passes(5)
    assert log_in(client, user.email).status_code == 302


# The IP address ---------------------------------------------------------------------


@pytest.fixture
def many_accounts(make_user):
    return [make_user(roles=[Role.MEMBER]) for _ in range(20)]


def test_failures_from_one_address_do_not_keep_others_out(client, make_user, many_accounts,
                                                          app):
    owner = make_user(roles=[Role.MEMBER])
    for victim in many_accounts:  # one guess per account: 20 from one address
        assert log_in(client, victim.email, WRONG, environ_base=ATTACKER).status_code == 401
    assert _wait(log_in(client, owner.email, WRONG, environ_base=ATTACKER)) == 2

    # The owner elsewhere logs in at once.
    owner_browser = app.test_client()
    assert log_in(owner_browser, owner.email, environ_base=ELSEWHERE).status_code == 302
    assert owner_browser.get("/account", environ_base=ELSEWHERE).status_code == 200


def test_an_owner_behind_the_same_address_waits_seconds_not_minutes(
    time_passes, client, make_user, many_accounts, app
):
    owner = make_user(roles=[Role.MEMBER])
    waits = []
    for victim in many_accounts * 2:  # a credential-stuffing run, guessing when allowed
        response = log_in(client, victim.email, WRONG, environ_base=ATTACKER)
        if response.status_code == 429:
            waits.append(_wait(response))
            time_passes(waits[-1])
    assert max(waits) == 60  # the run was slowed to a guess a minute

    # A colleague behind the same address (an office, a proxy) gets in within a minute.
    colleague = app.test_client()
    wait = _wait(log_in(colleague, owner.email, environ_base=ATTACKER))
    assert wait <= 60
    time_passes(wait)
    assert log_in(colleague, owner.email, environ_base=ATTACKER).status_code == 302


def test_a_login_elsewhere_does_not_clear_the_count_of_an_address(client, make_user,
                                                                  many_accounts):
    attackers_own = make_user(roles=[Role.MEMBER])
    for victim in many_accounts[:19]:
        log_in(client, victim.email, WRONG, environ_base=ATTACKER)
    assert log_in(client, attackers_own.email, environ_base=ATTACKER).status_code == 302
    client.post("/logout")
    assert log_in(client, many_accounts[19].email, WRONG, environ_base=ATTACKER
                  ).status_code == 401

    assert log_in(client, many_accounts[0].email, WRONG, environ_base=ATTACKER
                  ).status_code == 429


# The second factor ------------------------------------------------------------------


def test_the_right_code_works_once_the_wait_after_wrong_codes_is_over(
    time_passes, client, make_user
):
    user = make_user(roles=[Role.MEMBER], two_factor=True)
    for _ in range(5):
        assert log_in_with_code(client, user, wrong_code(user.totp_secret)).status_code == 401

    refused = client.post("/login/two-factor", data={"code": current_totp(user)})
    assert _wait(refused) == 2
    time_passes(2)

    assert client.post("/login/two-factor", data={"code": current_totp(user)}
                       ).status_code == 302
    assert is_logged_in(client)


def test_wrong_codes_make_the_next_code_wait_up_to_a_quarter_of_an_hour(
    time_passes, client, make_user
):
    # Only someone who knows the password gets to guess codes: they are slowed far more.
    user = make_user(roles=[Role.MEMBER], two_factor=True)
    for _ in range(5):
        assert log_in_with_code(client, user, wrong_code(user.totp_secret)).status_code == 401
    waits = []
    for _ in range(11):
        waits.append(_wait(client.post("/login/two-factor", data={"code": current_totp(user)})))
        time_passes(waits[-1])
        wrong = client.post("/login/two-factor", data={"code": wrong_code(user.totp_secret)})
        assert wrong.status_code == 401

    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    refused = client.post("/login/two-factor", data={"code": current_totp(user)})
    assert Page(refused.text).field_error("code") == (
        "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."
    )
    time_passes(900)
    # The code of the (moved) clock the app reads.
    code = pyotp.TOTP(user.totp_secret).at(services.utcnow())
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302


def test_wrong_passwords_do_not_make_the_owners_code_wait_long(time_passes, client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True)
    now = services.utcnow()
    db.session.add_all(  # an outsider's long run of guessed passwords, the last 55 s ago
        LoginAttempt(email=user.email, ip_address="198.51.100.66", succeeded=False,
                     at=now - timedelta(seconds=55 + n))
        for n in range(500)
    )
    db.session.commit()
    time_passes(5)

    assert log_in_with_code(client, user, current_totp(user)).status_code == 302
    assert is_logged_in(client)


# Timing: unknown addresses cost the same hashing as known ones -----------------------


def _count_verifications(monkeypatch, seen=None):
    calls = []
    real = PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(hash)
        if seen is not None:
            seen.append(extract_parameters(hash))
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return lambda: len(calls)


@pytest.mark.parametrize("case", ["unknown", "deactivated", "no password yet"])
def test_a_login_for_an_address_without_a_usable_account_hashes_like_a_wrong_password(
    client, make_user, monkeypatch, case
):
    known = make_user("bekend@example.org", roles=[Role.MEMBER])
    if case == "deactivated":
        other = make_user("weg@example.org", roles=[Role.MEMBER])
        other.is_active_account = False
        db.session.commit()
    elif case == "no password yet":
        other = make_user("uitgenodigd@example.org", roles=[Role.MEMBER], password="")
    else:
        other = None
    email = other.email if other else "onbekend@example.org"
    parameters = []
    checked = _count_verifications(monkeypatch, parameters)

    wrong_for_known = log_in(client, known.email, WRONG)
    after_known = checked()
    for_other = log_in(client, email, WRONG)

    assert (wrong_for_known.status_code, for_other.status_code) == (401, 401)
    assert after_known == 1
    assert checked() == 2  # the same argon2 work, whether or not the account exists
    assert parameters[1] == parameters[0] == extract_parameters(known.password_hash)


def test_a_deactivated_account_is_refused_with_the_right_password(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    user.is_active_account = False
    db.session.commit()

    assert log_in(client, user.email).status_code == 401
    assert not is_logged_in(client)
