"""Logging in and out: landing page, wrong passwords, throttling, redirects, audit."""

from datetime import timedelta

import pytest

from coop.accounts.models import LoginAttempt
from coop.extensions import db
from coop.permissions import Role
from coop.timeutil import utcnow
from tests import factories
from tests.accounts.helpers import (
    audit_events,
    count,
    is_logged_in,
    log_in,
    login_attempts,
    switch_to_english,
)
from tests.factories import DEFAULT_PASSWORD
from tests.pages import Page

WRONG_PASSWORD = "not the password"
INCORRECT = "Email address or password is incorrect."
THROTTLED = "Too many failed attempts. Try again in 2 seconds."


def test_board_member_lands_on_the_dashboard_after_login(client, make_user):
    user = make_user("bestuur@example.org", roles=[Role.BOARD])

    response = log_in(client, user.email, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/dashboard/"


def test_member_lands_on_the_member_portal(client, make_user):
    user = make_user("lid@example.org", roles=[Role.MEMBER])

    response = log_in(client, user.email, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/portal/"


def test_volunteer_without_member_access_lands_on_own_volunteer_page(client, make_user):
    user = make_user("vrijwilliger@example.org", roles=[Role.VOLUNTEER])

    response = log_in(client, user.email, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/volunteers/me"


def test_login_accepts_the_email_address_in_another_case(client, make_user):
    make_user("lid@example.org", roles=[Role.MEMBER])

    response = log_in(client, "  LID@Example.org ")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_login_returns_to_the_page_asked_for(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    login_url = client.get("/account/password").headers["Location"]
    assert login_url.startswith("/login?next=")

    response = client.post(login_url, data={"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"


def test_wrong_password_is_refused_at_the_password_field(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    switch_to_english(client)

    response = log_in(client, user.email, WRONG_PASSWORD)

    assert response.status_code == 401
    page = Page(response.text)
    assert page.is_invalid("password")
    assert page.field_error("password") == INCORRECT
    assert not is_logged_in(client)


def test_wrong_password_is_recorded_as_a_failed_attempt(client, make_user):
    user = make_user(roles=[Role.MEMBER])

    log_in(client, user.email, WRONG_PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"})

    [attempt] = login_attempts(user.email)
    assert attempt.succeeded is False
    assert attempt.ip_address == "198.51.100.7"


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, make_user):
    make_user("lid@example.org", roles=[Role.MEMBER])
    switch_to_english(client)

    response = log_in(client, "nobody@example.org", WRONG_PASSWORD)

    assert response.status_code == 401
    assert Page(response.text).field_error("password") == INCORRECT
    assert [a.succeeded for a in login_attempts("nobody@example.org")] == [False]


def test_sixth_attempt_right_after_five_failures_waits_even_with_the_right_password(
    client, make_user, login_clock
):
    user = make_user(roles=[Role.MEMBER])
    switch_to_english(client)
    for _ in range(5):
        assert log_in(client, user.email, WRONG_PASSWORD).status_code == 401

    response = log_in(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert Page(response.text).field_error("password") == THROTTLED
    assert not is_logged_in(client)


def test_account_throttling_holds_from_another_ip_address(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(5):
        log_in(client, user.email, WRONG_PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.1"})

    response = log_in(client, user.email, environ_base={"REMOTE_ADDR": "203.0.113.9"})

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_four_failures_do_not_lock_the_account(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(4):
        log_in(client, user.email, WRONG_PASSWORD)

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_failures_older_than_the_window_no_longer_count(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    long_ago = utcnow() - timedelta(minutes=16)
    db.session.add_all(
        LoginAttempt(email=user.email, ip_address="127.0.0.1", succeeded=False, at=long_ago)
        for _ in range(5)
    )
    db.session.commit()

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.fixture
def ip_limited(app_factory):
    """An app that allows 3 free failures per IP address (and the default 5 per account)."""
    app = app_factory(LOGIN_FREE_FAILURES_PER_IP=3)
    with app.app_context():
        yield app
        db.session.remove()


def test_too_many_failures_from_one_ip_address_refuse_other_accounts(ip_limited, login_clock):
    client = ip_limited.test_client()
    attacker = {"REMOTE_ADDR": "198.51.100.66"}
    victims = [factories.create_user(roles=[Role.MEMBER]) for _ in range(3)]
    target = factories.create_user(roles=[Role.MEMBER])
    switch_to_english(client)
    for victim in victims:  # one failure per account: no account reaches its own limit
        failed = log_in(client, victim.email, WRONG_PASSWORD, environ_base=attacker)
        assert failed.status_code == 401

    response = log_in(client, target.email, environ_base=attacker)

    assert response.status_code == 429
    assert Page(response.text).field_error("password") == THROTTLED
    assert not is_logged_in(client)


def test_ip_limit_does_not_block_the_same_account_from_another_address(ip_limited):
    attacker = {"REMOTE_ADDR": "198.51.100.66"}
    elsewhere = {"REMOTE_ADDR": "203.0.113.5"}
    users = [factories.create_user(roles=[Role.MEMBER]) for _ in range(3)]
    client = ip_limited.test_client()
    for user in users:
        log_in(client, user.email, WRONG_PASSWORD, environ_base=attacker)

    response = log_in(client, users[0].email, environ_base=elsewhere)

    assert response.status_code == 302
    assert client.get("/account", environ_base=elsewhere).status_code == 200


def test_deactivated_account_cannot_log_in_with_the_right_password(client, make_user):
    user = make_user(roles=[Role.BOARD])
    user.is_active_account = False
    db.session.commit()
    switch_to_english(client)

    response = log_in(client, user.email)

    assert response.status_code == 401
    assert Page(response.text).field_error("password") == INCORRECT
    assert not is_logged_in(client)
    assert [a.succeeded for a in login_attempts(user.email)] == [False]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/account",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "account",
    ],
)
def test_login_ignores_a_next_address_outside_the_app(client, make_user, target):
    user = make_user(roles=[Role.MEMBER])

    response = log_in(client, user.email, query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "/account\r\nSet-Cookie: stolen=1",
        "/account\nX-Injected: 1",
        "/account\r",
        "/\t/evil.example",  # browsers drop the tab: //evil.example
        "/\n/evil.example",
        # NUL, DEL and the other control characters never reach the login: the edge
        # refuses them (coop.security.refuse_control_characters, 400).
    ],
)
def test_login_with_a_control_character_in_next_goes_to_the_default_page(
    client, make_user, target
):
    user = make_user(roles=[Role.MEMBER])

    response = log_in(client, user.email, query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")
    assert "X-Injected" not in response.headers
    assert is_logged_in(client)


@pytest.mark.parametrize("logged_in", [False, True])
def test_language_switch_with_a_line_break_in_next_goes_to_the_default_page(
    client, make_user, logged_in
):
    if logged_in:
        log_in(client, make_user(roles=[Role.MEMBER]).email)

    response = client.post(
        "/language", data={"language": "en", "next": "/account\r\nX-Injected: 1"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Injected" not in response.headers


def test_language_switch_returns_to_the_page(client):
    response = client.post("/language", data={"language": "en", "next": "/login?next=/account"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_logout_ends_the_session(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    log_in(client, user.email)
    assert is_logged_in(client)

    response = client.post("/logout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_by_get_is_not_possible(client, make_user):
    user = make_user(roles=[Role.MEMBER])
    log_in(client, user.email)

    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_successful_login_is_audited_and_recorded(client, make_user):
    user = make_user(roles=[Role.MEMBER])

    log_in(client, user.email, environ_base={"REMOTE_ADDR": "192.0.2.10"})

    [event] = audit_events("accounts:user:login")
    assert event.actor_id == user.id
    assert event.object_id == str(user.id)
    assert event.ip_address == "192.0.2.10"
    assert [a.succeeded for a in login_attempts(user.email)] == [True]
    assert db.session.get(type(user), user.id).last_login_at is not None


def test_failed_login_is_not_audited_as_a_login(client, make_user):
    user = make_user(roles=[Role.MEMBER])

    log_in(client, user.email, WRONG_PASSWORD)

    assert audit_events("accounts:user:login") == []
    assert count(LoginAttempt) == 1
