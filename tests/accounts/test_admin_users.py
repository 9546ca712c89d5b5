"""An administrator manages accounts: create with invitation, roles, deactivate."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from coop.accounts.models import User
from coop.audit import AuditPersonalData
from coop.extensions import db
from coop.mail import OutboxMessage
from coop.permissions import Role
from tests.accounts.helpers import audit_events, count, is_logged_in, log_in, reset_link
from tests.pages import Page


@pytest.fixture
def admin(make_user, login_as):
    return login_as(make_user("beheer@example.org", roles=[Role.ADMIN], locale="en"))


def _user(email) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def _new_account(client, name="Anna de Vries", email="anna@example.org", roles=("member",)):
    return client.post(
        "/admin/users/new", data={"name": name, "email": email, "roles": list(roles)}
    )


def test_admin_creates_an_account_and_an_invitation_is_mailed(client, admin, outbox):
    response = _new_account(client, email="Anna@Example.org ", roles=["board", "member"])

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    user = _user("anna@example.org")
    assert user.name == "Anna de Vries"
    assert user.roles == {Role.BOARD, Role.MEMBER}
    assert user.password_hash is None  # the invited user chooses it
    [mail] = outbox()
    assert mail.recipient == "anna@example.org"
    assert "/password/reset/" in reset_link(mail)
    [event] = [e for e in audit_events("accounts:user:create") if e.object_id == str(user.id)]
    assert event.actor_id == admin.id
    assert event.details == {"roles": ["board", "member"]}
    # The address is kept apart from the append-only entry, so it can be erased later.
    personal = db.session.get(AuditPersonalData, event.id)
    assert (personal.user_id, personal.data["email"]) == (user.id, "anna@example.org")


def test_new_account_shows_in_the_account_list(client, admin):
    _new_account(client)

    page = client.get("/admin/users")

    assert page.status_code == 200
    assert "anna@example.org" in page.text


def test_invited_user_chooses_a_password_with_the_link_and_logs_in(app, client, admin, outbox):
    _new_account(client)
    link = reset_link(outbox()[0])
    invited = app.test_client()

    response = invited.post(
        urlsplit(link).path,
        data={"password": "my own passphrase", "confirm": "my own passphrase"},
    )

    assert response.headers["Location"] == "/login"
    assert log_in(invited, "anna@example.org", "my own passphrase").status_code == 302
    assert is_logged_in(invited)


def test_duplicate_email_is_refused_at_the_field_and_nothing_is_saved(
    client, admin, make_user, outbox
):
    make_user("anna@example.org", name="Anna Bestaand", roles=[Role.MEMBER])
    users_before = count(User)

    response = _new_account(client, name="Anna Nieuw", email="ANNA@example.org")

    assert response.status_code == 422
    page = Page(response.text)
    assert page.invalid_fields() == {"email"}
    assert page.field_error("email") == "An account with this email address already exists."
    assert count(User) == users_before
    assert _user("anna@example.org").name == "Anna Bestaand"
    assert count(OutboxMessage) == 0
    assert [e for e in audit_events("accounts:user:create") if e.actor_id == admin.id] == []


def test_invalid_email_is_refused_at_the_field(client, admin, outbox):
    response = _new_account(client, email="not an address")

    assert response.status_code == 422
    assert Page(response.text).is_invalid("email")
    assert _user("not an address") is None
    assert outbox() == []


def test_roles_change_is_saved_and_audited(client, admin, make_user):
    user = make_user(roles=[Role.MEMBER])

    response = client.post(f"/admin/users/{user.id}", data={"roles": ["member", "treasurer"]})

    assert response.status_code == 302
    assert _user(user.email).roles == {Role.MEMBER, Role.TREASURER}
    [event] = audit_events("accounts:user:roles")
    assert event.actor_id == admin.id
    assert event.object_id == str(user.id)
    assert event.details == {"old": ["member"], "new": ["member", "treasurer"]}


def test_saving_the_same_roles_writes_no_audit_entry(client, admin, make_user):
    user = make_user(roles=[Role.MEMBER])

    client.post(f"/admin/users/{user.id}", data={"roles": ["member"]})

    assert audit_events("accounts:user:roles") == []


def test_admin_cannot_remove_own_admin_role(client, admin):
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["board"]})

    assert response.status_code == 422
    page = Page(response.text)
    assert page.is_invalid("roles")
    assert page.field_error("roles") == "You cannot remove your own administrator role."
    assert _user(admin.email).roles == {Role.ADMIN}
    assert audit_events("accounts:user:roles") == []


def test_admin_can_add_a_role_to_own_account(client, admin):
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["admin", "board"]})

    assert response.status_code == 302
    assert _user(admin.email).roles == {Role.ADMIN, Role.BOARD}


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, client, admin, make_user):
    user = make_user(roles=[Role.BOARD])
    their_device = app.test_client()
    log_in(their_device, user.email)
    assert is_logged_in(their_device)

    response = client.post(f"/admin/users/{user.id}/active")

    assert response.status_code == 302
    assert _user(user.email).is_active_account is False
    assert not is_logged_in(their_device)
    assert log_in(their_device, user.email).status_code == 401
    [event] = audit_events("accounts:user:deactivate")
    assert event.actor_id == admin.id
    assert event.object_id == str(user.id)


def test_reactivated_user_can_log_in_again(app, client, admin, make_user):
    user = make_user(roles=[Role.MEMBER])
    client.post(f"/admin/users/{user.id}/active")

    client.post(f"/admin/users/{user.id}/active")

    assert _user(user.email).is_active_account is True
    assert log_in(app.test_client(), user.email).status_code == 302
    assert len(audit_events("accounts:user:activate")) == 1


def test_admin_cannot_deactivate_own_account(client, admin):
    response = client.post(f"/admin/users/{admin.id}/active", follow_redirects=True)

    assert "You cannot deactivate your own account." in Page(response.text).flashes()
    assert _user(admin.email).is_active_account is True
    assert is_logged_in(client)
    assert audit_events("accounts:user:deactivate") == []


@pytest.mark.parametrize("role", [Role.BOARD, Role.TREASURER, Role.MEMBER, Role.AUDITOR])
def test_only_an_admin_may_create_accounts(client, make_user, login_as, outbox, role):
    login_as(make_user(roles=[role], two_factor=True))
    users_before = count(User)

    response = _new_account(client)

    assert response.status_code == 403
    assert count(User) == users_before
    assert outbox() == []


def test_board_member_cannot_change_roles(client, make_user, login_as):
    login_as(make_user(roles=[Role.BOARD]))
    user = make_user(roles=[Role.MEMBER])

    response = client.post(f"/admin/users/{user.id}", data={"roles": ["admin"]})

    assert response.status_code == 403
    assert _user(user.email).roles == {Role.MEMBER}


def test_user_given_the_treasurer_role_must_set_up_two_factor_next(app, client, admin, make_user):
    user = make_user(roles=[Role.BOARD])
    their_device = app.test_client()
    log_in(their_device, user.email)
    assert their_device.get("/dashboard/").status_code == 200

    client.post(f"/admin/users/{user.id}", data={"roles": ["treasurer"]})

    response = their_device.get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
