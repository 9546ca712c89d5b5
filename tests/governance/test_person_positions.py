"""A person's register page lists their positions (current ones, earlier ones folded
below) for whoever reads governance, and to nobody else."""

from datetime import date

from flask_babel import force_locale
from sqlalchemy import event

from coop.extensions import db
from coop.governance import services
from coop.permissions import ROLE_PERMISSIONS, Permission, Role
from tests import factories
from tests.governance.conftest import member
from tests.pages import Page


def _chair_with_history(today):
    today(date(2026, 6, 1))
    board_body = factories.create_body("board")
    chair = factories.create_position(board_body, "Voorzitter", authority="alone")
    treasurer = factories.create_position(board_body, "Penningmeester")
    person = member(given_name="Fatima", family_name="Amrani")
    earlier = factories.appoint(treasurer, person=person, start_date=date(2020, 1, 1))
    services.step_down(earlier, date(2021, 12, 31), "Wisselde van functie")
    factories.appoint(chair, person=person, start_date=date(2024, 6, 15))
    db.session.commit()
    return person


def test_the_secretary_sees_the_positions_on_the_person_page(client, make_user, login_as,
                                                             today):
    person = _chair_with_history(today)
    login_as(make_user("secretaris@example.org", roles=[Role.BOARD], locale="nl"))

    page = Page(client.get(f"/members/{person.id}").text)

    current = page.by_id("positions").text
    assert "Voorzitter sinds 15 jun 2024" in current
    assert "termijn eindigt 14 jun 2027" in current
    assert "zelfstandig bevoegd" in current
    assert "Penningmeester" not in current
    past = page.by_id("past-positions").text
    assert "Penningmeester" in past and "Wisselde van functie" in past


def test_a_reader_without_governance_rights_does_not_see_positions(
        client, make_user, login_as, today, monkeypatch):
    person = _chair_with_history(today)
    # A role that reads the register but not governance (none has that today).
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.VOLUNTEER,
                        frozenset({Permission.ACCOUNT_OWN, Permission.MEMBERS_READ}))
    login_as(make_user("registeraar@example.org", roles=[Role.VOLUNTEER], locale="nl"))

    response = client.get(f"/members/{person.id}")

    assert response.status_code == 200
    page = Page(response.text)
    assert "Fatima Amrani" in page.root.text
    assert page.by_id("positions") is None and page.by_id("past-positions") is None
    assert "Voorzitter" not in page.root.text


def test_the_positions_come_in_one_query(app, today):
    person_id = _chair_with_history(today).id
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with force_locale("en"):
            positions = services.person_positions(person_id, date(2026, 6, 1))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [(p["position"], p["upcoming"]) for p in positions["current"]] == [
        ("Voorzitter", False)]
    assert [(p["position"], p["end_reason"]) for p in positions["past"]] == [
        ("Penningmeester", "Wisselde van functie")]
