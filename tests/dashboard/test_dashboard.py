"""The board's dashboard: what needs attention."""

from coop import audit
from coop.extensions import db
from coop.permissions import Role
from tests import factories
from tests.pages import Page


def test_dashboard_lists_who_has_access_but_not_plain_members(client, login_as):
    board = factories.create_user(name="Fatima Bestuur", roles=[Role.BOARD, Role.MEMBER])
    factories.create_user(name="Ruud Kascommissie", roles=[Role.AUDITOR])
    factories.create_user(name="Sanne Lid", roles=[Role.MEMBER])
    login_as(board)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    access = Page(response.text).by_id("access").text
    assert "Fatima Bestuur" in access
    assert "Ruud Kascommissie" in access
    assert "Sanne Lid" not in access


def test_dashboard_flags_a_treasurer_without_two_factor(client, login_as):
    factories.create_user(name="Ingrid Penningmeester", roles=[Role.TREASURER])
    factories.create_user(name="Joost Bestuur", roles=[Role.BOARD])
    login_as(factories.create_user(roles=[Role.BOARD], locale="en"))

    response = client.get("/dashboard/")

    flagged = response.text.split("have not set up two-factor authentication yet:")[1]
    flagged = flagged.split("</ul>")[0]
    assert "Ingrid Penningmeester" in flagged
    assert "Joost Bestuur" not in flagged


def test_dashboard_names_missing_settings_until_they_are_saved(client, login_as):
    login_as(factories.create_user(roles=[Role.BOARD], locale="en"))

    response = client.get("/dashboard/")

    assert "The settings have never been saved" in response.text
    assert "KvK number" in response.text


def test_dashboard_shows_the_latest_changes(client, login_as):
    audit.record("settings:organisation:update", {"changes": {"name": ["Oud", "Nieuw"]}})
    db.session.commit()
    login_as(factories.create_user(roles=[Role.BOARD]))

    response = client.get("/dashboard/")

    assert "settings:organisation:update" in response.text
    assert "Nieuw" in response.text


def test_dashboard_query_count_does_not_grow_with_accounts(app, client, login_as):
    from sqlalchemy import event

    login_as(factories.create_user(roles=[Role.BOARD]))
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/dashboard/")
        few = len(statements)
        for _ in range(10):
            factories.create_user(roles=[Role.BOARD, Role.MEMBER])
        statements.clear()
        client.get("/dashboard/")
        many = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert many == few <= 15
