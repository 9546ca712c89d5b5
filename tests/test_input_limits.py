"""Inputs no text or column can hold are refused at the edge or at the field, with a
message, and nothing is saved: control characters, numbers beyond an INTEGER column,
cost centres that are no cost centre. Responses never linger in a cache."""

import pytest
from flask import url_for
from sqlalchemy import func, select

from coop.bank.models import BankTransaction
from coop.donations.models import Campaign
from coop.extensions import db
from coop.funders.models import FunderAgreement
from coop.ledger.models import Budget, CostCentre, JournalEntry, JournalLine
from coop.meetings import services as meetings
from coop.meetings.models import VoteParticipation
from tests import factories
from tests.portal.helpers import create_member_with_account
from tests.test_access import ALLOWED, _routes, _url_parameters

TOO_BIG = "99999999999999999999"  # beyond any integer column, SQLite's included


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(app):
    _other, parameters = _url_parameters()
    return parameters


@pytest.fixture
def treasurer(login_as):
    return login_as(factories.create_user(roles=["treasurer"], two_factor=True))


# --- Control characters --------------------------------------------------------------


def test_a_nul_byte_in_a_public_url_is_refused_with_a_message(client):
    response = client.get("/donate/ab%00cd")

    assert response.status_code == 400
    assert "Ongeldige tekens" in response.text
    assert "stuurteken" in response.text


def test_control_characters_in_a_query_parameter_are_refused(world, client, treasurer):
    response = client.get("/finance/entries?q=ab%00cd")

    assert response.status_code == 400
    assert "Ongeldige tekens" in response.text


@pytest.mark.parametrize("value", ["Kas\x00", "Kas\x1b[2J", "Kas\x7f", "Kas\x0b"])
def test_control_characters_in_a_form_field_are_refused_and_nothing_is_saved(
        world, client, treasurer, value):
    before = _count(CostCentre)

    response = client.post("/finance/cost-centres", data={"code": "KAS", "name": value})

    assert response.status_code == 400
    assert "Ongeldige tekens" in response.text
    assert _count(CostCentre) == before


def test_tabs_and_line_breaks_in_multi_line_text_are_kept(world, client, login_as):
    login_as(factories.create_user(roles=["auditor"]))

    response = client.post("/finance/years/2026/findings",
                           data={"finding-text": "Eerste regel\r\n\tTweede regel"})

    assert response.status_code == 302
    assert "Tweede regel" in client.get("/finance/years/2026").text


# --- Numbers beyond the column range ---------------------------------------------------


@pytest.mark.parametrize("field", ["account", "cost_centre", "agreement"])
@pytest.mark.parametrize("value", [TOO_BIG, "2147483648", "-5", "x" * 100_000, "²"])
def test_bank_booking_refuses_ids_no_row_can_have(world, client, treasurer, field, value):
    transaction = db.session.get(BankTransaction, world["transaction_id"])
    account_id = db.session.scalar(select(func.min(db.text("id"))).select_from(
        db.table("ledger_account")))
    data = {"account": str(account_id), "description": "Gift", "cost_centre": "",
            "agreement": "", field: value}
    entries = _count(JournalEntry)

    response = client.post(f"/finance/bank/transactions/{transaction.id}/book", data=data)

    assert response.status_code == 422
    assert _count(JournalEntry) == entries
    assert ("Kies een overeenkomst uit de lijst." if field == "agreement"
            else "Kies er een uit de lijst.") in response.text


@pytest.mark.parametrize("field,value", [("funder", TOO_BIG), ("funder", "-1"),
                                         ("cost_centre", TOO_BIG)])
def test_funder_agreement_refuses_ids_no_row_can_have(world, client, treasurer, field, value):
    data = {"funder": str(db.session.scalar(select(func.min(db.text("id"))).select_from(
        db.table("funder")))), "kind": "grant_decision", "reference": "NIEUW-1",
        "title": "Subsidie", "amount": "1.000,00", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "cost_centre": "", field: value}
    before = _count(FunderAgreement)

    response = client.post("/finance/funders/agreements/new", data=data)

    assert response.status_code == 422
    assert "Kies er een uit de lijst." in response.text
    assert _count(FunderAgreement) == before


@pytest.mark.parametrize("field,value", [
    ("account", TOO_BIG), ("cost_centre", TOO_BIG), ("cost_centre", "-5"),
    ("cost_centre", "x" * 100_000), ("cost_centre", "2147483647"),
])
def test_budget_refuses_accounts_and_cost_centres_that_are_none(
        world, client, treasurer, field, value):
    account = db.session.scalar(select(db.text("id")).select_from(db.table("ledger_account"))
                                .where(db.text("code = '4200'")))
    data = {"fiscal_year": "2026", "account": str(account), "cost_centre": "",
            "amount": "100,00", field: value}
    before = _count(Budget)

    response = client.post("/finance/budgets", data=data)

    assert response.status_code == 422
    assert "Kies er een uit de lijst." in response.text
    assert _count(Budget) == before


@pytest.mark.parametrize("value", ["-5", "x" * 100_000, TOO_BIG, "2147483647"])
def test_a_journal_line_refuses_a_cost_centre_that_is_none(world, client, treasurer, value):
    data = {"entry_date": "2026-03-01", "description": "Kas", "reference": "",
            "lines-0-account": "1000", "lines-0-debit": "10,00", "lines-0-cost_centre": value,
            "lines-1-account": "8400", "lines-1-credit": "10,00"}
    before = _count(JournalEntry)

    response = client.post("/finance/entries/new", data=data)

    assert response.status_code == 422
    assert "Kies er een uit de lijst." in response.text
    assert _count(JournalEntry) == before


def test_a_journal_line_keeps_a_cost_centre_from_the_list(world, client, treasurer):
    from coop.ledger import services as ledger

    centre = ledger.create_cost_centre("BUURT", "Buurtkamer")
    db.session.commit()
    data = {"entry_date": "2026-03-01", "description": "Kas", "reference": "",
            "lines-0-account": "1000", "lines-0-debit": "10,00",
            "lines-0-cost_centre": str(centre.id),
            "lines-1-account": "8400", "lines-1-credit": "10,00"}

    response = client.post("/finance/entries/new", data=data)

    assert response.status_code == 302
    entry_id = db.session.scalar(select(func.max(JournalEntry.id)))
    assert db.session.scalars(select(JournalLine.cost_centre_id).where(
        JournalLine.entry_id == entry_id)).all().count(centre.id) == 1


@pytest.mark.parametrize("target,accepted", [
    ("21.474.836,47", True), ("21.474.836,48", False), ("999999999999,99", False)])
def test_a_campaign_target_beyond_the_column_is_refused(world, client, treasurer, target,
                                                         accepted):
    before = _count(Campaign)

    response = client.post("/donations/campaigns/new", data={
        "slug": "groot", "title": "Groot doel", "target": target})

    if accepted:
        assert response.status_code == 302, response.text
        assert _count(Campaign) == before + 1
    else:
        assert response.status_code == 422
        assert "Dit bedrag is te groot." in response.text
        assert _count(Campaign) == before


@pytest.mark.parametrize("voter", [TOO_BIG, "2147483648", "²"])
def test_the_vote_form_answers_an_impossible_voter_without_a_server_error(app, client,
                                                                          login_as, voter):
    _meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.open_voting(proposal)
    db.session.commit()
    user, _person = create_member_with_account()
    login_as(user)

    response = client.post(f"/portal/meetings/proposals/{proposal.id}/vote",
                           data={"voter": voter, "choice": "for"})

    assert 400 <= response.status_code < 500
    assert _count(VoteParticipation) == 0


def test_a_number_field_refuses_a_number_beyond_the_column(world, client, login_as):
    """WTForms' IntegerField takes any number; the app's refuses what no id can be."""
    from coop.meetings.models import Attendance

    login_as(factories.create_user(roles=["board"]))

    response = client.post(f"/meetings/{world['meeting_id']}/check-in",
                           data={"person_id": TOO_BIG, "mode": "in_person"})

    assert 400 <= response.status_code < 500
    assert _count(Attendance) == 0


# --- Caching ------------------------------------------------------------------------


def test_every_page_and_download_is_sent_with_no_store(world, app, client, login_as):
    """Every GET route, as a user who may open it: donor statements, periodic-gift
    agreements, invoices, exports and every page carry `Cache-Control: no-store`."""
    member, _person = create_member_with_account(email="lid-cache@example.org")
    users = {"member": member}
    checked = []
    for endpoint in sorted(ALLOWED):
        role = next((r for r in ("treasurer", "board", "admin", "auditor", "member", "guest")
                     if r in ALLOWED[endpoint]), None)
        for rule in _routes(app, endpoint):
            if "GET" not in rule.methods or role is None:
                continue
            if role != "guest":
                if role not in users:
                    users[role] = factories.create_user(roles=[role],
                                                        two_factor=role == "treasurer")
                login_as(users[role])
            with app.test_request_context():
                url = url_for(endpoint, **{n: world[n] for n in rule.arguments})
            response = client.get(url)
            if response.status_code == 200:
                assert response.headers.get("Cache-Control") == "no-store", (
                    url, response.headers.get("Cache-Control"))
                checked.append(response.mimetype)
    assert {"application/pdf", "text/csv", "text/html"} <= set(checked)
