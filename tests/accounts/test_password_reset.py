"""Forgotten password: the mailed one-time link; changing the password ends other sessions."""

from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

from coop.extensions import db
from coop.permissions import Role
from tests.accounts.helpers import (
    audit_events,
    is_logged_in,
    log_in,
    reset_link,
    switch_to_english,
)
from tests.factories import DEFAULT_PASSWORD
from tests.pages import Page

NEW_PASSWORD = "a brand new passphrase"
LINK_REFUSED = "This reset link is invalid, expired or already used. Ask for a new one."


def _ask_for_reset(client, email):
    return client.post("/password/forgot", data={"email": email})


def _path(link: str) -> str:
    return urlsplit(link).path


def _choose_password(client, link, password=NEW_PASSWORD, confirm=None):
    confirm = password if confirm is None else confirm
    return client.post(_path(link), data={"password": password, "confirm": confirm})


def test_reset_mail_with_a_link_lands_in_the_outbox(client, make_user, outbox):
    user = make_user("lid@example.org", roles=[Role.MEMBER])

    response = _ask_for_reset(client, "lid@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    [mail] = outbox()
    assert mail.recipient == user.email
    link = reset_link(mail)
    assert link.startswith("http://localhost/password/reset/")


def test_reset_mail_is_in_the_users_language(client, make_user, outbox):
    make_user("lid@example.org", roles=[Role.MEMBER], locale="en")

    _ask_for_reset(client, "lid@example.org")

    [mail] = outbox()
    assert mail.subject == "Reset your password"
    assert mail.body_text.startswith("Hello ")


def test_the_link_sets_a_new_password(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])
    assert client.get(_path(link)).status_code == 200

    response = _choose_password(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert log_in(client, user.email, DEFAULT_PASSWORD).status_code == 401
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)
    [event] = audit_events("accounts:user:password_reset")
    assert event.object_id == str(user.id)


def test_the_link_works_only_once(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])
    _choose_password(client, link)
    switch_to_english(client)

    response = _choose_password(client, link, password="someone else's password")

    assert response.status_code == 302
    assert response.headers["Location"] == "/password/forgot"
    assert LINK_REFUSED in Page(client.get("/password/forgot").text).flashes()
    assert log_in(client, user.email, "someone else's password").status_code == 401
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_mismatched_passwords_are_refused_and_the_link_keeps_working(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])

    response = _choose_password(client, link, confirm="something different")

    assert response.status_code == 422
    assert Page(response.text).is_invalid("confirm")
    assert _choose_password(client, link).status_code == 302
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_too_short_password_is_refused_at_the_field(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])

    response = _choose_password(client, link, password="short")

    assert response.status_code == 422
    assert Page(response.text).is_invalid("password")
    assert log_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


@pytest.fixture
def clock(monkeypatch):
    """Move the clock the reset links are checked against."""
    real = TimestampSigner.get_timestamp
    offset = {"seconds": 0}

    def later(signer):
        return real(signer) + offset["seconds"]

    monkeypatch.setattr(TimestampSigner, "get_timestamp", later)

    def advance(seconds):
        offset["seconds"] += seconds

    return advance


def test_link_older_than_an_hour_is_refused(client, make_user, outbox, clock):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])
    clock(60 * 60 + 5)

    response = _choose_password(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/password/forgot"
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 401
    assert log_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_link_still_works_just_before_the_hour_is_over(client, make_user, outbox, clock):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])
    clock(59 * 60)

    assert _choose_password(client, link).headers["Location"] == "/login"
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_tampered_link_is_refused(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    _ask_for_reset(client, user.email)
    link = reset_link(outbox()[0])

    response = _choose_password(client, link[:-2] + ("AA" if not link.endswith("AA") else "BB"))

    assert response.headers["Location"] == "/password/forgot"
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 401


def test_unknown_email_gets_the_same_answer_and_no_mail(client, make_user, outbox):
    make_user("lid@example.org", roles=[Role.MEMBER])
    switch_to_english(client)

    known = _ask_for_reset(client, "lid@example.org")
    known_flashes = Page(client.get(known.headers["Location"]).text).flashes()
    unknown = _ask_for_reset(client, "nobody@example.org")
    unknown_flashes = Page(client.get(unknown.headers["Location"]).text).flashes()

    assert (unknown.status_code, unknown.headers["Location"]) == (302, "/login")
    assert (known.status_code, known.headers["Location"]) == (302, "/login")
    assert unknown_flashes == known_flashes
    assert unknown_flashes and "reset link is on its way" in unknown_flashes[0]
    assert [m.recipient for m in outbox()] == ["lid@example.org"]


def test_deactivated_account_gets_no_reset_mail(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    user.is_active_account = False
    db.session.commit()

    response = _ask_for_reset(client, user.email)

    assert response.headers["Location"] == "/login"
    assert outbox() == []


def test_reset_link_ends_sessions_on_other_devices(app, client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    other_device = app.test_client()
    log_in(other_device, user.email)
    assert is_logged_in(other_device)
    _ask_for_reset(client, user.email)

    _choose_password(client, reset_link(outbox()[0]))

    assert not is_logged_in(other_device)


def test_password_change_logs_out_other_sessions_but_not_this_one(app, client, make_user):
    user = make_user(roles=[Role.MEMBER])
    other_device = app.test_client()
    log_in(other_device, user.email)
    log_in(client, user.email)

    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_device)
    assert log_in(other_device, user.email, NEW_PASSWORD).status_code == 302
    [event] = audit_events("accounts:user:password")
    assert event.actor_id == user.id


def test_password_change_needs_the_current_password(client, make_user, login_as):
    user = login_as(make_user(roles=[Role.MEMBER], locale="en"))

    response = client.post(
        "/account/password",
        data={"current_password": "a guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.status_code == 422
    page = Page(response.text)
    assert page.is_invalid("current_password")
    assert page.field_error("current_password") == "This is not your current password."
    client.post("/logout")
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 401
    assert audit_events("accounts:user:password") == []


def test_resetting_the_password_lifts_the_wait_after_failures(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    for _ in range(5):
        log_in(client, user.email, "wrong guess")
    assert log_in(client, user.email).status_code == 429  # "try again in 2 seconds"
    _ask_for_reset(client, user.email)

    _choose_password(client, reset_link(outbox()[0]))

    assert log_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_invitation_link_still_works_after_two_days(client, make_user, login_as, outbox, clock):
    login_as(make_user(roles=[Role.ADMIN]))
    client.post("/admin/users/new", data={"name": "Nieuw Lid", "email": "nieuw@example.org",
                                          "roles": ["member"]})
    client.post("/logout")
    link = reset_link(outbox()[-1])
    clock(2 * 24 * 60 * 60)

    assert _choose_password(client, link).headers["Location"] == "/login"
    assert log_in(client, "nieuw@example.org", NEW_PASSWORD).status_code == 302


def test_invitation_link_expires_after_seven_days(client, make_user, login_as, outbox, clock):
    login_as(make_user(roles=[Role.ADMIN]))
    client.post("/admin/users/new", data={"name": "Nieuw Lid", "email": "nieuw@example.org",
                                          "roles": ["member"]})
    client.post("/logout")
    link = reset_link(outbox()[-1])
    clock(7 * 24 * 60 * 60 + 5)

    assert _choose_password(client, link).headers["Location"] == "/password/forgot"


def test_reset_mail_follows_the_page_language_when_the_user_chose_none(client, make_user, outbox):
    user = make_user(roles=[Role.MEMBER])
    switch_to_english(client)

    _ask_for_reset(client, user.email)

    assert outbox()[-1].subject == "Reset your password"
