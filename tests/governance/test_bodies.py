"""Bodies and positions: a configurable list, one board, a kascommissie of members, and
signature authority per position shown on the governance page."""

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.governance.models import Body, Position
from tests import factories
from tests.governance.conftest import audit_events
from tests.pages import Page

BODY = {"name": "Team Buurttuin", "kind": "team", "term_years": "", "max_terms": "",
        "members_only": "", "is_active": "y", "sort_order": "5"}


def _bodies() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Body))


def test_board_adds_a_team_with_the_statutes_terms(client, board):
    response = client.post("/governance/bodies/new", data=BODY)

    assert response.status_code == 302
    body = db.session.scalar(select(Body))
    assert (body.name, body.kind, body.term_years, body.members_only) == (
        "Team Buurttuin", "team", None, False)
    assert audit_events("governance:body:create")[0].details == {
        "name": "Team Buurttuin", "kind": "team"}
    page = Page(client.get("/governance/").text)
    assert "Team Buurttuin (Team or circle)" in page.root.text
    assert "Term 3 years, at most 3 consecutive terms." in page.root.text


@pytest.mark.parametrize(
    ("existing", "data", "field", "message"),
    [
        ("board", {"name": "Tweede bestuur", "kind": "board"}, "kind",
         "The coop has one body of this kind, and already has it: Bestuur."),
        ("team", {"name": "Team 1", "kind": "team"}, "name", "Another body has this name."),
        (None, {"kind": "audit_committee", "members_only": ""}, "members_only",
         "The law requires the kascommissie to be appointed from the members (BW 2:48)."),
        (None, {"term_years": "11"}, "term_years",
         "Between 1 and 10, or empty for the statutes' default."),
        (None, {"name": ""}, "name", "This field is required."),
    ],
    ids=["second_board", "name_taken", "kascommissie_open_to_non_members",
         "term_too_long", "no_name"],
)
def test_bad_body_is_refused_at_the_field(client, board, existing, data, field, message):
    if existing:
        factories.create_body(existing, name="Team 1" if existing == "team" else None)
    before = _bodies()

    response = client.post("/governance/bodies/new", data={**BODY, **data})

    assert response.status_code == 422
    assert Page(response.text).field_error(field) == message
    assert _bodies() == before


def test_editing_a_body_is_audited(client, board):
    body = factories.create_body("team", name="Team Repair Café")

    response = client.post(f"/governance/bodies/{body.id}/edit",
                           data={**BODY, "name": "Repair Café", "term_years": "2"})

    assert response.status_code == 302
    [event] = audit_events("governance:body:update")
    assert event.details["changes"]["name"] == ["Team Repair Café", "Repair Café"]
    assert event.details["changes"]["term_years"] == [None, 2]


POSITION = {"name": "penningmeester", "signature_authority": "jointly", "joint_signers": "1",
            "seats": "1", "is_active": "y", "sort_order": "0"}


def test_positions_carry_their_signature_authority(client, board, today):
    body = factories.create_body("board")

    assert client.post(f"/governance/bodies/{body.id}/positions/new",
                       data={**POSITION, "name": "voorzitter", "signature_authority": "alone",
                             "joint_signers": ""}).status_code == 302
    assert client.post(f"/governance/bodies/{body.id}/positions/new",
                       data=POSITION).status_code == 302
    positions = {p.name: p for p in db.session.scalars(select(Position))}
    factories.appoint(positions["voorzitter"], given_name="Fatima", family_name="Amrani")
    factories.appoint(positions["penningmeester"], given_name="Ingrid", family_name="Bakker")

    page = Page(client.get("/governance/").text)

    rows = [[cell.text for cell in row.iter() if cell.tag == "td"]
            for row in page.by_id("signatories").iter() if row.tag == "tr"]
    assert ["Fatima Amrani", "Bestuur · voorzitter", "signs alone"] in rows
    assert ["Ingrid Bakker", "Bestuur · penningmeester",
            "signs jointly: 2 signatures needed"] in rows
    assert audit_events("governance:position:create")[1].details["joint_signers"] == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"joint_signers": ""}, "joint_signers",
         "Signing jointly: with how many others (1 to 10)?"),
        ({"seats": "0"}, "seats", "Between 1 and 50."),
        ({"name": "voorzitter"}, "name", "This body already has a position with this name."),
    ],
    ids=["jointly_without_number", "no_seats", "name_taken"],
)
def test_bad_position_is_refused_at_the_field(client, board, data, field, message):
    body = factories.create_body("board")
    factories.create_position(body, "voorzitter")

    response = client.post(f"/governance/bodies/{body.id}/positions/new",
                           data={**POSITION, **data})

    assert response.status_code == 422
    assert Page(response.text).field_error(field) == message
    assert db.session.scalar(select(func.count()).select_from(Position)) == 1


def test_signing_alone_drops_a_number_of_co_signatories(client, board):
    body = factories.create_body("board")
    position = factories.create_position(body, "penningmeester", authority="jointly",
                                         joint_signers=2)

    response = client.post(f"/governance/positions/{position.id}/edit",
                           data={**POSITION, "signature_authority": "alone",
                                 "joint_signers": "2"})

    assert response.status_code == 302
    db.session.rollback()
    saved = db.session.get(Position, position.id)
    assert (saved.signature_authority, saved.joint_signers) == ("alone", None)


def test_the_kascommissie_reads_the_governance_page_but_cannot_change_it(client, login_as):
    login_as(factories.create_user(roles=["auditor"], locale="en"))
    body = factories.create_body("board")

    page = client.get("/governance/")

    assert page.status_code == 200
    assert "New appointment" not in page.text
    assert client.get(f"/governance/bodies/{body.id}/edit").status_code == 403


def test_the_kind_of_a_body_with_appointments_cannot_change(client, board):
    body = factories.create_body("audit_committee")
    factories.appoint(factories.create_position(body, "lid"))

    response = client.post(f"/governance/bodies/{body.id}/edit",
                           data={**BODY, "name": "Kascommissie", "kind": "team",
                                 "members_only": "y"})

    assert response.status_code == 422
    assert Page(response.text).field_error("kind") == (
        "The kind cannot change once someone has been appointed to this body."
    )
    db.session.rollback()
    assert db.session.get(Body, body.id).kind == "audit_committee"


def test_a_position_keeps_a_seat_for_everyone_who_holds_it(client, board, today):
    from datetime import date

    body = factories.create_body("board")
    position = factories.create_position(body, "lid", seats=3)
    factories.appoint(position, start_date=date(2025, 1, 1))
    factories.appoint(position, start_date=date(2026, 1, 1))

    refused = client.post(f"/governance/positions/{position.id}/edit",
                          data={**POSITION, "name": "lid", "signature_authority": "none",
                                "joint_signers": "", "seats": "1"})
    allowed = client.post(f"/governance/positions/{position.id}/edit",
                          data={**POSITION, "name": "lid", "signature_authority": "none",
                                "joint_signers": "", "seats": "2"})

    assert refused.status_code == 422
    assert Page(refused.text).field_error("seats") == (
        "2 persons hold this position at the same time; it needs at least as many seats."
    )
    assert allowed.status_code == 302
    db.session.rollback()
    assert db.session.get(Position, position.id).seats == 2
