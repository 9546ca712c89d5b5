"""The audit log: entries are written with who and what, and can never be changed."""

import pytest
from flask_login import login_user
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from coop import audit
from coop.audit import AuditEvent
from coop.extensions import db
from coop.members import services as members_services
from tests import factories


def _only_event(tag: str) -> AuditEvent:
    db.session.expire_all()  # read what the database holds, not the session's copy
    return db.session.scalars(select(AuditEvent).where(AuditEvent.tag == tag)).one()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET tag = 'rewritten:history' WHERE tag = 'members:person:update'",
        "UPDATE audit_event SET details = '{}' WHERE tag = 'members:person:update'",
        "DELETE FROM audit_event WHERE tag = 'members:person:update'",
    ],
)
def test_database_refuses_to_change_or_delete_audit_entries(app, statement):
    audit.record("members:person:update", {"name": ["Jan", "Jan de Vries"]})
    db.session.commit()

    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()

    entry = _only_event("members:person:update")
    assert entry.details == {"name": ["Jan", "Jan de Vries"]}


def test_record_stores_actor_tag_and_details(app):
    treasurer = factories.create_user("penning@example.org", roles=["treasurer"], two_factor=True)

    audit.record(
        "finance:entry:reverse", {"entry": 12, "reason": "dubbel geboekt"},
        obj=treasurer, actor=treasurer,
    )
    db.session.commit()

    entry = _only_event("finance:entry:reverse")
    assert entry.actor_id == treasurer.id
    # The account by id, never its email: an append-only row cannot be erased later.
    assert entry.actor_label == f"#{treasurer.id}"
    assert entry.details == {"entry": 12, "reason": "dubbel geboekt"}
    assert entry.object_type == "User"
    assert entry.object_id == str(treasurer.id)
    assert entry.at is not None


def test_record_in_a_request_takes_the_logged_in_user_as_actor(app):
    board = factories.create_user("bestuur@example.org", roles=["board"])

    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        login_user(board)
        audit.record("settings:organisation:update", {"name": ["Oud", "Nieuw"]})
        db.session.commit()

    entry = _only_event("settings:organisation:update")
    assert entry.actor_id == board.id
    assert entry.actor_label == f"#{board.id}"
    assert entry.ip_address == "192.0.2.7"


def test_record_without_a_user_is_by_the_system(app):
    audit.record("finance:mandate:expire", {"count": 3})
    db.session.commit()

    entry = _only_event("finance:mandate:expire")
    assert entry.actor_id is None
    assert entry.actor_label == "system"


def test_board_sees_entries_in_the_audit_log(client, login_as):
    actor = factories.create_user("secretaris@example.org", roles=["board"])
    audit.record("meetings:meeting:convene", {"date": "2026-03-12"}, actor=actor)
    db.session.commit()
    login_as(factories.create_user(roles=["board"]))

    response = client.get("/admin/audit")

    assert response.status_code == 200
    assert "meetings:meeting:convene" in response.text
    assert "secretaris@example.org" in response.text
    assert "2026-03-12" in response.text


def test_audit_log_filters_by_domain(client, login_as):
    audit.record("meetings:meeting:convene", {})
    audit.record("settings:organisation:update", {})
    db.session.commit()
    login_as(factories.create_user(roles=["board"]))

    response = client.get("/admin/audit", query_string={"tag": "meetings:"})

    assert response.status_code == 200
    assert "meetings:meeting:convene" in response.text
    assert "settings:organisation:update" not in response.text


def test_audit_log_filters_by_a_whole_tag(client, login_as):
    audit.record("accounts:user:login", {})
    audit.record("accounts:user:create", {})
    db.session.commit()
    login_as(factories.create_user(roles=["board"]))

    response = client.get("/admin/audit", query_string={"tag": "accounts:user:login"})

    assert "accounts:user:login" in response.text
    assert "accounts:user:create" not in response.text


def test_audit_log_pages_back_to_older_entries(client, login_as, monkeypatch):
    from coop.admin import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for number in range(5):
        audit.record(f"settings:test:step{number}", {})
    db.session.commit()
    login_as(factories.create_user(roles=["board"]))

    first = client.get("/admin/audit", query_string={"tag": "settings"})
    last = client.get("/admin/audit", query_string={"tag": "settings", "page": 3})

    assert "step4" in first.text and "step3" in first.text and "step0" not in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert "step0" in last.text and "step1" not in last.text
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text


def test_member_cannot_see_the_audit_log(client, login_as):
    audit.record("meetings:meeting:convene", {"date": "2026-03-12"})
    db.session.commit()
    login_as(factories.create_user(roles=["member"]))

    response = client.get("/admin/audit")

    assert response.status_code == 403
    assert "meetings:meeting:convene" not in response.text


def test_personal_values_need_the_person_or_account_they_belong_to(app):
    with pytest.raises(ValueError, match="belongs to"):
        audit.record("members:person:update", {}, personal={"changes": {"city": ["A", "B"]}})


def test_board_sees_what_a_member_changed_and_who_did_it(client, login_as):
    person = factories.create_person(given_name="Jan", family_name="Smit", city="Utrecht")
    secretary = factories.create_user("secretaris@example.org", roles=["board"])
    members_services.update_person(person, {"city": "Zeist"}, actor=secretary)
    db.session.commit()
    login_as(factories.create_user(roles=["board"]))

    response = client.get("/admin/audit")

    entry = _only_event("members:person:update")
    assert entry.details == {"fields": ["city"]}  # the append-only row: field names only
    assert "secretaris@example.org" in response.text
    assert "Utrecht" in response.text and "Zeist" in response.text
    assert "secretaris@example.org" in client.get("/dashboard/").text
