"""Sessions end for good: a copy of the session or remember-me cookie taken before a
logout, a password change or a deactivation opens nothing afterwards."""

import pytest

from coop.permissions import Role
from tests.accounts.helpers import is_logged_in, log_in
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def _log_in_remembered(client, user):
    response = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    return client.get_cookie("session").value, client.get_cookie("remember_token").value


def _with_session_cookie(app, value):
    """A fresh browser holding only a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _with_remember_cookie(app, value):
    """A fresh browser (no session) holding only a copied remember-me cookie."""
    thief = app.test_client()
    thief.set_cookie("remember_token", value)
    return thief


@pytest.fixture
def member(make_user):
    return make_user("lid@example.org", roles=[Role.MEMBER])


def test_copied_cookies_work_while_the_session_lasts(app, client, member):
    # The baseline the tests below depend on: the copies are real credentials.
    session_cookie, remember_cookie = _log_in_remembered(client, member)

    assert is_logged_in(_with_session_cookie(app, session_cookie))
    assert is_logged_in(_with_remember_cookie(app, remember_cookie))


def test_a_copied_session_cookie_opens_nothing_after_logout(app, client, member):
    session_cookie, _ = _log_in_remembered(client, member)

    assert client.post("/logout").status_code == 302

    thief = _with_session_cookie(app, session_cookie)
    assert thief.get("/portal/").status_code == 302
    assert thief.get("/portal/").headers["Location"].startswith("/login")
    assert not is_logged_in(thief)


def test_a_copied_remember_me_cookie_opens_nothing_after_logout(app, client, member):
    _, remember_cookie = _log_in_remembered(client, member)

    client.post("/logout")

    thief = _with_remember_cookie(app, remember_cookie)
    assert thief.get("/portal/").status_code == 302
    assert not is_logged_in(thief)


def test_logout_ends_the_sessions_on_the_other_devices_too(app, member):
    laptop, phone = app.test_client(), app.test_client()
    _log_in_remembered(laptop, member)
    _log_in_remembered(phone, member)

    laptop.post("/logout")

    assert not is_logged_in(phone)
    assert not is_logged_in(laptop)


def test_logging_in_again_after_logout_works(client, member):
    _log_in_remembered(client, member)
    client.post("/logout")

    assert log_in(client, member.email).status_code == 302
    assert is_logged_in(client)


def test_old_cookies_open_nothing_after_a_password_change(app, client, member):
    session_cookie, remember_cookie = _log_in_remembered(client, member)

    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert is_logged_in(client)  # the device that changed it stays logged in
    assert not is_logged_in(_with_session_cookie(app, session_cookie))
    assert not is_logged_in(_with_remember_cookie(app, remember_cookie))


def test_the_device_that_changed_the_password_keeps_its_remember_me(app, client, member):
    _log_in_remembered(client, member)
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })

    # The browser is closed (the session cookie is gone) and opened again.
    reopened = _with_remember_cookie(app, client.get_cookie("remember_token").value)

    assert is_logged_in(reopened)


def test_old_cookies_open_nothing_after_the_account_is_deactivated(app, client, member,
                                                                  make_user):
    session_cookie, remember_cookie = _log_in_remembered(client, member)
    admin = app.test_client()
    administrator = make_user("beheer@example.org", roles=[Role.ADMIN], two_factor=True)
    with admin.session_transaction() as session:
        session["_user_id"] = administrator.get_id()
        session["two_factor_ok"] = True

    assert admin.post(f"/admin/users/{member.id}/active").status_code == 302

    assert not is_logged_in(client)
    assert not is_logged_in(_with_session_cookie(app, session_cookie))
    assert not is_logged_in(_with_remember_cookie(app, remember_cookie))
    # Reactivating the account does not bring the old cookies back to life.
    assert admin.post(f"/admin/users/{member.id}/active").status_code == 302
    assert not is_logged_in(_with_session_cookie(app, session_cookie))
    assert not is_logged_in(_with_remember_cookie(app, remember_cookie))
    assert log_in(client, member.email).status_code == 302
