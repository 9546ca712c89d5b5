"""Two-factor authentication (TOTP): set-up, login, replay, the treasurer's duty."""

import pyotp

from coop.accounts.models import User
from coop.extensions import db
from coop.permissions import Role
from tests.accounts.helpers import (
    audit_events,
    is_logged_in,
    log_in,
    log_in_with_code,
    next_step_code,
    switch_to_english,
    wrong_code,
)
from tests.factories import DEFAULT_PASSWORD, current_totp
from tests.pages import Page


def _fresh(user) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


def _secret_on_setup_page(client) -> str:
    response = client.get("/account/two-factor")
    assert response.status_code == 200
    return Page(response.text).by_id("totp-secret").text


def test_member_turns_on_two_factor_with_a_code_from_the_app(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER]))
    secret = _secret_on_setup_page(client)

    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    user = _fresh(user)
    assert user.two_factor_enabled
    assert user.totp_secret == secret
    [event] = audit_events("accounts:user:2fa_enable")
    assert event.actor_id == user.id


def test_setup_page_shows_the_key_as_a_qr_code_too(client, make_user, login_as):
    login_as(make_user(roles=[Role.MEMBER]))

    page = Page(client.get("/account/two-factor").text)

    assert page.by_id("totp-secret").text
    assert any(
        e.tag == "img" and (e.attrs.get("src") or "").startswith("data:image/svg+xml")
        for e in page.root.iter()
    )


def test_wrong_code_does_not_turn_on_two_factor(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER], locale="en"))
    secret = _secret_on_setup_page(client)

    response = client.post("/account/two-factor", data={"code": wrong_code(secret)})

    assert response.status_code == 422
    page = Page(response.text)
    assert page.is_invalid("code")
    assert page.field_error("code") == "This code is not correct. Check the time on your phone."
    assert page.by_id("totp-secret").text == secret  # the same key: the app keeps working
    assert not _fresh(user).two_factor_enabled
    assert audit_events("accounts:user:2fa_enable") == []


def test_code_for_a_key_other_than_the_one_shown_is_refused(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER]))
    _secret_on_setup_page(client)

    other_key = pyotp.random_base32()

    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(other_key).now()})

    assert response.status_code == 422
    assert not _fresh(user).two_factor_enabled


def test_login_of_a_two_factor_user_asks_for_the_code(client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True)

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login/two-factor"
    assert not is_logged_in(client)  # the password alone is not enough


def test_right_code_completes_the_login(client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True)

    response = log_in_with_code(client, user, current_totp(user))

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)
    [event] = audit_events("accounts:user:login")
    assert event.actor_id == user.id


def test_wrong_code_at_login_is_refused_at_the_field(client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True)
    switch_to_english(client)

    response = log_in_with_code(client, user, wrong_code(user.totp_secret))

    assert response.status_code == 401
    page = Page(response.text)
    assert page.is_invalid("code")
    assert page.field_error("code") == "This code is not correct or has already been used."
    assert not is_logged_in(client)
    assert audit_events("accounts:user:login") == []


def test_a_code_cannot_be_used_twice(client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True)
    code = current_totp(user)
    assert log_in_with_code(client, user, code).status_code == 302
    client.post("/logout")

    replay = log_in_with_code(client, user, code)

    assert replay.status_code == 401
    assert not is_logged_in(client)
    # Refused as a replay, not for another reason: a code not used before still works.
    retry = client.post("/login/two-factor", data={"code": next_step_code(user.totp_secret)})
    assert retry.status_code == 302
    assert is_logged_in(client)


def test_code_used_to_turn_on_two_factor_cannot_log_in(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER]))
    secret = _secret_on_setup_page(client)
    code = pyotp.TOTP(secret).now()
    assert client.post("/account/two-factor", data={"code": code}).status_code == 302
    client.post("/logout")

    response = log_in_with_code(client, user, code)

    assert response.status_code == 401
    assert not is_logged_in(client)


def test_code_page_without_a_password_first_goes_back_to_login(client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True)

    response = client.post("/login/two-factor", data={"code": current_totp(user)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_logged_in(client)


def test_treasurer_without_two_factor_is_sent_to_the_setup_page(client, make_user):
    user = make_user(roles=[Role.TREASURER])

    response = log_in(client, user.email, follow_redirects=True)

    assert response.request.path == "/account/two-factor"
    assert Page(response.text).by_id("totp-secret") is not None
    for path in ("/dashboard/", "/settings/organisation", "/account"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked.headers["Location"] == "/account/two-factor", path


def test_treasurer_reaches_the_dashboard_after_setting_up_two_factor(client, make_user):
    user = make_user(roles=[Role.TREASURER])
    log_in(client, user.email)
    secret = _secret_on_setup_page(client)

    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})

    assert client.get("/dashboard/").status_code == 200


def test_treasurer_cannot_turn_off_two_factor(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.TREASURER], two_factor=True, locale="en"))

    response = client.post("/account/two-factor/disable", follow_redirects=True)

    assert response.request.path == "/account/two-factor"
    assert (
        "Your role handles money: two-factor authentication cannot be turned off."
        in Page(response.text).flashes()
    )
    assert _fresh(user).two_factor_enabled
    assert audit_events("accounts:user:2fa_disable") == []


def test_treasurer_sees_no_button_to_turn_off_two_factor(client, make_user, login_as):
    login_as(make_user(roles=[Role.TREASURER], two_factor=True))

    page = Page(client.get("/account/two-factor").text)

    assert not any(
        e.tag == "form" and e.attrs.get("action") == "/account/two-factor/disable"
        for e in page.root.iter()
    )


def test_member_can_turn_off_two_factor(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER], two_factor=True))

    response = client.post(
        "/account/two-factor/disable", data={"current_password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert not _fresh(user).two_factor_enabled
    [event] = audit_events("accounts:user:2fa_disable")
    assert event.actor_id == user.id
    client.post("/logout")
    assert log_in(client, user.email).headers["Location"] == "/"  # no code asked any more


def test_guessing_codes_is_throttled_even_for_the_right_code(client, make_user, login_clock):
    user = make_user(roles=[Role.MEMBER], two_factor=True, locale="en")
    switch_to_english(client)
    assert log_in(client, user.email).status_code == 302
    for _ in range(5):
        guess = client.post("/login/two-factor", data={"code": wrong_code(user.totp_secret)})
        assert guess.status_code == 401

    response = client.post("/login/two-factor", data={"code": current_totp(user)})

    assert response.status_code == 429
    assert Page(response.text).field_error("code") == (
        "Too many failed attempts. Try again in 2 seconds."
    )
    assert not is_logged_in(client)


def test_entering_the_password_again_does_not_reset_the_count_of_wrong_codes(client, make_user):
    user = make_user(roles=[Role.MEMBER], two_factor=True, locale="en")
    switch_to_english(client)
    for _ in range(5):
        assert log_in(client, user.email).status_code == 302  # the right password each time
        guess = client.post("/login/two-factor", data={"code": wrong_code(user.totp_secret)})
        assert guess.status_code == 401

    response = log_in(client, user.email)

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_a_completed_login_clears_earlier_failures(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(4):
        assert log_in(client, user.email, "wrong password!").status_code == 401
    assert log_in(client, user.email).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert log_in(client, user.email, "wrong password!").status_code == 401

    assert log_in(client, user.email).status_code == 302


def test_turning_off_two_factor_needs_the_password(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER], two_factor=True, locale="en"))

    without = client.post("/account/two-factor/disable")
    wrong = client.post("/account/two-factor/disable", data={"current_password": "not it at all"})

    assert without.status_code == 422
    assert Page(without.text).field_error("current_password") == (
        "Enter your password to turn off two-factor authentication."
    )
    assert wrong.status_code == 422
    assert Page(wrong.text).field_error("current_password") == "This is not your current password."
    assert _fresh(user).two_factor_enabled
    assert audit_events("accounts:user:2fa_disable") == []
