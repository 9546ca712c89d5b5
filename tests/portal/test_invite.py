"""The board invites a person in the register to the member portal."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from coop.accounts.models import User
from coop.audit import AuditEvent
from coop.extensions import db
from coop.members.models import Person
from tests import factories


def _board(login_as):
    return login_as(factories.create_user(roles=["board"]))


def test_invitation_creates_a_linked_member_account_and_mails_the_link(
    client, login_as, outbox
):
    membership = factories.create_member(given_name="Anna", family_name="Jansen",
                                         email="anna@example.org")
    board = _board(login_as)

    response = client.post(f"/portal/invite/{membership.person_id}")

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "anna@example.org"))
    assert user is not None
    assert user.roles == {"member"}
    assert user.password_hash is None
    assert db.session.get(Person, membership.person_id).user_id == user.id
    (mail,) = outbox()
    assert mail.recipient == "anna@example.org"
    assert "/password/reset/" in mail.body_text
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "members:person:invite"))
    assert (entry.actor_id, entry.object_id) == (board.id, str(membership.person_id))


def test_invited_person_sets_a_password_and_sees_the_portal(client, login_as, outbox):
    membership = factories.create_member(given_name="Anna", family_name="Jansen",
                                         email="anna@example.org")
    _board(login_as)
    client.post(f"/portal/invite/{membership.person_id}")
    client.post("/logout")
    link = re.search(r"https?://\S+/password/reset/\S+", outbox()[0].body_text).group(0)
    path = urlsplit(link).path

    new_password = "een heel goed wachtwoord"
    response = client.post(path, data={"password": new_password, "confirm": new_password})
    assert response.status_code == 302, response.text
    response = client.post("/login", data={"email": "anna@example.org",
                                           "password": new_password})
    assert response.status_code == 302
    home = client.get("/")
    assert urlsplit(home.location).path == "/portal/"
    page = client.get("/portal/")
    assert page.status_code == 200
    assert "Anna Jansen" in page.text
    assert f">{membership.member_number}</td>" in page.text


def test_existing_account_with_the_same_email_is_linked_not_duplicated(
    client, login_as, outbox
):
    existing = factories.create_user("vrijwilliger@example.org", roles=["volunteer"])
    person = factories.create_person(email="vrijwilliger@example.org")
    _board(login_as)

    response = client.post(f"/portal/invite/{person.id}")

    assert response.status_code == 302
    assert db.session.scalar(
        select(db.func.count(User.id)).where(User.email == "vrijwilliger@example.org")
    ) == 1
    db.session.expire_all()
    assert db.session.get(Person, person.id).user_id == existing.id
    assert db.session.get(User, existing.id).roles == {"volunteer", "member"}
    (mail,) = outbox()
    assert "/password/reset/" not in mail.body_text  # it has a password already
    assert "/portal/" in mail.body_text


def test_invitation_is_refused_without_email(client, login_as, outbox):
    person = factories.create_person(email=None)
    _board(login_as)

    response = client.post(f"/portal/invite/{person.id}", follow_redirects=True)

    assert response.status_code == 200
    assert "no email address" in response.text or "geen e-mailadres" in response.text
    assert db.session.get(Person, person.id).user_id is None
    assert outbox() == []


def test_invitation_is_refused_when_already_linked(client, login_as, outbox):
    person = factories.create_person()
    _board(login_as)
    client.post(f"/portal/invite/{person.id}")

    client.post(f"/portal/invite/{person.id}")

    assert len(outbox()) == 1
    assert db.session.scalar(
        select(db.func.count(AuditEvent.id)).where(AuditEvent.tag == "members:person:invite")
    ) == 1


def test_an_account_linked_to_another_person_is_not_linked_twice(client, login_as, outbox):
    first = factories.create_person(email="gedeeld@example.org")
    _board(login_as)
    client.post(f"/portal/invite/{first.id}")
    # The first person's email changes; a second person now has the account's address.
    first = db.session.get(Person, first.id)
    first.email = "nieuw@example.org"
    db.session.commit()
    second = factories.create_person(email="gedeeld@example.org")

    client.post(f"/portal/invite/{second.id}")

    assert db.session.get(Person, second.id).user_id is None
    assert len(outbox()) == 1


def test_invitation_for_unknown_person_is_not_found(client, login_as):
    _board(login_as)

    assert client.post("/portal/invite/999999").status_code == 404


def test_register_page_offers_the_invitation_until_the_person_is_linked(client, login_as):
    person = factories.create_person()
    _board(login_as)
    action = f'action="/portal/invite/{person.id}"'

    assert action in client.get(f"/members/{person.id}").text

    response = client.post(f"/portal/invite/{person.id}")
    assert response.location.endswith(f"/members/{person.id}")
    assert action not in client.get(f"/members/{person.id}").text
