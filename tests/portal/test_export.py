"""The data export (AVG art. 15 and 20): everything about the member, nothing about others."""

import json

from sqlalchemy import select

from coop.audit import AuditEvent
from coop.extensions import db
from coop.members import services as members
from tests import factories
from tests.portal.helpers import create_invoice, create_member_with_account


def test_export_holds_every_section_of_the_members_own_data(client, login_as):
    user, person = create_member_with_account(given_name="Anna", family_name="Jansen")
    invoice = create_invoice(person, total_cents=2500, paid_cents=1000)
    members.set_consent(person, "newsletter", True, actor=user)
    db.session.commit()
    login_as(user)
    client.post("/portal/details", data={
        "email": person.email, "street": "Nieuwestraat 2", "postcode": "3572 AA",
        "city": "Utrecht", "consent_newsletter": "y",
    })

    response = client.get("/portal/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".json" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert set(data) >= {"account", "person", "consent_history", "memberships", "invoices",
                         "audit_log"}
    assert data["person"]["family_name"] == "Jansen"
    assert data["person"]["street"] == "Nieuwestraat 2"
    assert data["account"]["email"] == user.email
    assert data["account"]["roles"] == ["member"]
    assert "logins" in data["account"]
    assert [(c["kind"], c["given"]) for c in data["consent_history"]] == [("newsletter", True)]
    (membership,) = data["memberships"]
    assert membership["status"] == "active"
    assert membership["status_history"][0]["to"] == "active"
    (exported_invoice,) = data["invoices"]
    assert exported_invoice["number"] == invoice.number
    assert exported_invoice["total_cents"] == 2500
    assert exported_invoice["lines"][0]["amount_cents"] == 2500
    assert exported_invoice["payments"][0]["amount_cents"] == 1000
    tags = [e["action"] for e in data["audit_log"]]
    [change] = [e for e in data["audit_log"] if e["action"] == "members:person:self_update"]
    assert change["details"]["changes"]["street"][1] == "Nieuwestraat 2"  # their own values
    assert "members:person:create" in tags
    assert "members:person:self_update" in tags
    assert "members:membership:create" in tags


def test_export_contains_nothing_about_other_persons(client, login_as):
    user, person = create_member_with_account()
    _other_user, other = create_member_with_account(
        given_name="Bert", family_name="Buurman", phone="0699999999")
    create_invoice(other, total_cents=4321)
    board = factories.create_user("bestuur@example.org", roles=["board"])
    # The board changes the member's details: the export says "the coop", not who.
    members.update_person(person, {"phone": "0301234567"}, actor=board)
    db.session.commit()
    login_as(user)

    text = client.get("/portal/export.json").text

    for foreign in ("Buurman", "Bert", other.email, "0699999999", "4321",
                    "bestuur@example.org", _other_user.email):
        assert foreign not in text
    data = json.loads(text)
    update = next(e for e in data["audit_log"] if e["action"] == "members:person:update")
    assert update["by"] == "the coop"


def test_export_is_audited(client, login_as):
    user, person = create_member_with_account()
    login_as(user)

    client.get("/portal/export.json")

    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "members:person:export"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (user.id, "Person",
                                                                     str(person.id))


def test_member_without_a_register_entry_exports_the_account_data(client, login_as):
    user = login_as(factories.create_user(roles=["member"]))

    data = client.get("/portal/export.json").get_json(force=True)

    assert data["person"] is None
    assert data["account"]["email"] == user.email
    assert data["memberships"] == [] and data["invoices"] == []
