"""Mandates: the incassant-ID in the settings, signing in the portal, paper mandates,
revocation, retention."""

from datetime import date

import pytest
from sqlalchemy import select

from coop import timeutil
from coop.audit import AuditEvent
from coop.directdebit import services
from coop.directdebit.models import Mandate
from coop.extensions import db
from coop.members.models import Membership
from coop.settings.services import get_organisation
from tests import factories
from tests.directdebit.conftest import (
    COLLECTION_DAY,
    CREDITOR_ID,
    KVK,
    MEMBER_IBAN,
    TODAY,
    give_mandate,
    member_with_invoice,
)

SETTINGS = {
    "name": "Wijkcoöperatie Oost", "legal_form": "cooperatie_ua", "kvk_number": KVK,
    "fiscal_year_start_month": "1", "convocation_days": "14",
    "amendment_convocation_days": "7", "amendment_inspection_days": "5",
    "proxy_cap_per_holder": "1", "default_majority": "1/2",
    "amendment_majority": "2/3", "tie_on_persons": "re_vote",
    "dues_proration": "monthly", "payment_term_days": "30", "reminder_after_days": "14",
    "retention_years": "2", "direct_debit_notice_days": "14",
    "term_years": "3", "max_terms": "3", "immediately_reeligible": "y",
    "funder_share_warning_percent": "50",
}


@pytest.fixture
def board(make_user, login_as):
    return login_as(make_user(roles=["board"]))


def test_settings_save_a_valid_incassant_id(client, board):
    response = client.post("/settings/organisation",
                           data={**SETTINGS, "creditor_id": "nl79 zzz 9999 9999 0000",
                                 "bic": "abnanl2a"})

    assert response.status_code == 302
    assert get_organisation().creditor_id == CREDITOR_ID
    assert get_organisation().bic == "ABNANL2A"


@pytest.mark.parametrize(("creditor_id", "message"), [
    ("NL78ZZZ999999990000", "geen geldig incassant-ID"),  # check digits wrong
    ("NL79ZZZ99999999", "geen geldig incassant-ID"),
    ("NL82ZZZ123456780000", "niet het KvK-nummer"),  # valid, but another KvK number
])
def test_settings_refuse_a_wrong_incassant_id_at_the_field(client, board, creditor_id,
                                                           message):
    response = client.post("/settings/organisation",
                           data={**SETTINGS, "creditor_id": creditor_id})

    assert response.status_code == 422
    assert message in response.text
    assert 'id="creditor_id-error"' in response.text
    assert get_organisation().id is None  # nothing saved


def _member_login(client, login_as):
    membership = factories.create_member()
    from coop.members.models import Person

    person = db.session.get(Person, membership.person_id)
    user = factories.create_user(person.email, roles=["member"])
    person.user_id = user.id
    db.session.commit()
    login_as(user)
    return person


def test_member_signs_a_mandate_in_the_portal(coop, client, login_as):
    person = _member_login(client, login_as)

    page = client.get("/portal/direct-debit")
    response = client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": "nl44 rabo 0123 4567 89", "consent": "y"})

    assert page.status_code == 200
    assert "binnen 8 weken" in page.text and CREDITOR_ID in page.text
    assert response.status_code == 302
    mandate = db.session.scalar(select(Mandate))
    assert mandate.person_id == person.id and mandate.iban == MEMBER_IBAN
    assert mandate.source == "portal" and mandate.status == "active"
    assert len(mandate.reference) <= 35
    assert "8 weken" in mandate.consent_text
    assert db.session.scalar(select(AuditEvent.tag).where(
        AuditEvent.tag == "finance:mandate:sign")) is not None
    shown = client.get("/portal/direct-debit")
    assert mandate.reference in shown.text and "6789" in shown.text


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"iban": "NL45RABO0123456789"}, "iban", "geen geldig IBAN"),
    ({"iban": "12345"}, "iban", "geen geldig IBAN"),
    ({"iban": ""}, "iban", "verplicht"),
    ({"account_holder": ""}, "account_holder", "verplicht"),
    ({"account_holder": "x" * 71}, "account_holder", "te lang"),
    ({"bic": "NOTABIC!"}, "bic", "geen geldige BIC"),
    ({"consent": ""}, "consent", "Vink het vakje aan"),
])
def test_bad_input_when_signing_saves_nothing(coop, client, login_as, data, field, message):
    _member_login(client, login_as)

    response = client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": MEMBER_IBAN, "consent": "y", **data})

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 0


# Valid IBANs (check digits right) of countries that have IBANs but are outside SEPA.
TURKISH_IBAN = "TR330006100519786457841326"
BRAZILIAN_IBAN = "BR1800360305000010009795493C1"
SWISS_IBAN = "CH9300762011623852957"  # in SEPA, though not in the EU nor the euro area


@pytest.mark.parametrize(("iban", "country"), [
    (TURKISH_IBAN, "Turkije"), (BRAZILIAN_IBAN, "Brazilië"),
])
def test_portal_refuses_an_account_outside_sepa_at_the_iban_field(
        coop, client, login_as, iban, country):
    _member_login(client, login_as)

    response = client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": iban, "consent": "y"})

    assert response.status_code == 422
    assert 'id="iban-error"' in response.text
    assert f"alleen mogelijk van een rekening in het SEPA-gebied; {country}" in response.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 0


def test_outside_sepa_message_in_english(coop, client, login_as):
    _member_login(client, login_as)
    client.post("/language", data={"language": "en"})

    response = client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": TURKISH_IBAN, "consent": "y"})

    assert response.status_code == 422
    assert "only possible from an account in the SEPA area; Türkiye" in response.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 0


def test_paper_mandate_outside_sepa_saves_nothing(coop, client, make_user, login_as):
    login_as(make_user(roles=["treasurer"], two_factor=True))
    person, _invoice = member_with_invoice()
    number = db.session.scalar(select(Membership.member_number).where(
        Membership.person_id == person.id))

    response = client.post("/direct-debit/mandates/new", data={
        "member_number": str(number), "account_holder": "B. Jansen", "iban": BRAZILIAN_IBAN,
        "signed_on": "2026-01-10", "kind": "recurrent"})

    assert response.status_code == 422
    assert 'id="iban-error"' in response.text and "SEPA-gebied; Brazilië" in response.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 0
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.tag == "finance:mandate:sign")) is None


def test_an_account_in_a_sepa_country_outside_the_euro_area_is_accepted(coop):
    person, _invoice = member_with_invoice()

    mandate = give_mandate(person, iban=SWISS_IBAN, bic="UBSWCHZH80A")

    assert db.session.get(Mandate, mandate.id).iban == SWISS_IBAN


def test_a_second_active_mandate_is_refused(coop, client, login_as):
    person = _member_login(client, login_as)
    give_mandate(person)

    response = client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": MEMBER_IBAN, "consent": "y"})

    assert response.status_code == 422
    assert "Er is al een actieve machtiging" in response.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 1
    with pytest.raises(services.DirectDebitError):
        services.sign_mandate(person, account_holder="X", iban=MEMBER_IBAN,
                              signed_on=TODAY, source="paper", today=TODAY)


def test_member_revokes_the_mandate(coop, client, login_as):
    person = _member_login(client, login_as)
    mandate = give_mandate(person)

    response = client.post("/portal/direct-debit/revoke", data={"reason": "Ander rekeningnummer"})

    assert response.status_code == 302
    assert db.session.get(Mandate, mandate.id).status == "revoked"
    assert services.active_mandate(person) is None


def test_generated_references_are_unique_and_short(coop):
    references = set()
    for _n in range(3):
        person, _invoice = member_with_invoice()
        mandate = give_mandate(person)
        services.revoke_mandate(mandate, "Nieuw rekeningnummer", today=TODAY)
        references.add(give_mandate(person).reference)
        references.add(mandate.reference)

    assert len(references) == 6
    assert all(len(r) <= 35 and " " not in r for r in references)


def test_treasurer_registers_a_paper_mandate(coop, client, make_user, login_as):
    login_as(make_user(roles=["treasurer"], two_factor=True))
    person, _invoice = member_with_invoice()
    number = db.session.scalar(select(Membership.member_number).where(
        Membership.person_id == person.id))

    response = client.post("/direct-debit/mandates/new", data={
        "member_number": str(number), "account_holder": "B. Jansen", "iban": MEMBER_IBAN,
        "signed_on": "2026-01-10", "kind": "recurrent", "reference": "PAPIER-2026/001"})

    assert response.status_code == 302
    mandate = db.session.scalar(select(Mandate))
    assert mandate.reference == "PAPIER-2026/001" and mandate.source == "paper"
    page = client.get(f"/direct-debit/mandates/{mandate.id}")
    assert "PAPIER-2026/001" in page.text and "FRST" in page.text


@pytest.mark.parametrize(("reference", "message"), [
    ("M" * 36, "hoogstens 35 tekens"),
    ("MET SPATIE", "geen spaties"),
    ("/BEGIN", "geen spaties"),
    ("TAKEN-1", "is al in gebruik"),
])
def test_paper_mandate_with_a_bad_reference_saves_nothing(coop, client, make_user, login_as,
                                                          reference, message):
    login_as(make_user(roles=["treasurer"], two_factor=True))
    other, _invoice = member_with_invoice()
    give_mandate(other, reference="TAKEN-1")
    person, _invoice = member_with_invoice()
    number = db.session.scalar(select(Membership.member_number).where(
        Membership.person_id == person.id))

    response = client.post("/direct-debit/mandates/new", data={
        "member_number": str(number), "account_holder": "B. Jansen", "iban": MEMBER_IBAN,
        "signed_on": "2026-01-10", "kind": "recurrent", "reference": reference})

    assert response.status_code == 422
    assert 'id="reference-error"' in response.text and message in response.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 1


def test_paper_mandate_for_an_unknown_member_or_a_future_date_saves_nothing(
        coop, client, make_user, login_as):
    login_as(make_user(roles=["treasurer"], two_factor=True))
    person, _invoice = member_with_invoice()
    number = db.session.scalar(select(Membership.member_number).where(
        Membership.person_id == person.id))
    data = {"account_holder": "B. Jansen", "iban": MEMBER_IBAN, "kind": "recurrent"}

    unknown = client.post("/direct-debit/mandates/new",
                          data={**data, "member_number": "99999", "signed_on": "2026-01-10"})
    future = client.post("/direct-debit/mandates/new",
                         data={**data, "member_number": str(number), "signed_on": "2999-01-01"})

    assert unknown.status_code == 422 and 'id="member_number-error"' in unknown.text
    assert future.status_code == 422 and 'id="signed_on-error"' in future.text
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 0


def test_mandate_is_kept_36_months_after_the_last_collection_then_anonymised(coop):
    person, _invoice = member_with_invoice()
    mandate = give_mandate(person)
    batch = services.generate_batch(COLLECTION_DAY, today=TODAY)
    services.mark_collected(batch, today=COLLECTION_DAY)
    services.revoke_mandate(mandate, "Lid opgezegd", today=date(2026, 6, 1))
    db.session.commit()

    assert services.anonymise_mandates(date(2029, 2, 16)) == []  # exactly 36 months
    result = services.anonymise_mandates(date(2029, 2, 17))
    db.session.commit()

    assert [row["reference"] for row in result] == [mandate.reference]
    kept = db.session.get(Mandate, mandate.id)
    assert kept.iban is None and kept.account_holder == "Geanonimiseerd"
    assert kept.reference == mandate.reference and kept.last_collection_on == COLLECTION_DAY
    assert services.anonymise_mandates(date(2030, 1, 1)) == []


def test_an_unused_active_mandate_expires_after_36_months(coop):
    person, _invoice = member_with_invoice()
    mandate = give_mandate(person)  # signed 2026-01-20, never collected

    services.anonymise_mandates(date(2029, 1, 21))
    db.session.commit()

    assert db.session.get(Mandate, mandate.id).status == "ended"
    assert db.session.get(Mandate, mandate.id).iban is None


def test_anonymising_a_former_member_stops_the_mandate_but_keeps_it(coop):
    from coop.privacy import services as privacy

    person, _invoice = member_with_invoice()
    mandate = give_mandate(person)

    privacy.anonymise(person)
    db.session.commit()

    kept = db.session.get(Mandate, mandate.id)
    assert kept.status == "revoked"
    assert kept.iban == MEMBER_IBAN  # its own term: 36 months after the last collection


def test_retention_command_lists_and_anonymises(coop, app):
    person, _invoice = member_with_invoice()
    mandate = give_mandate(person)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["coop", "anonymise-mandates", "--dry-run", "--today", "2029-06-01"])
    assert dry.exit_code == 0 and mandate.reference in dry.output
    assert db.session.get(Mandate, mandate.id).iban == MEMBER_IBAN
    real = runner.invoke(args=["coop", "anonymise-mandates", "--today", "2029-06-01"])
    assert real.exit_code == 0 and "1 mandate(s) anonymised" in real.output
    db.session.expire_all()
    assert db.session.get(Mandate, mandate.id).iban is None


def test_data_export_holds_the_mandate(coop, client, login_as):
    person = _member_login(client, login_as)
    give_mandate(person)

    data = client.get("/portal/export.json").get_json()

    assert data["direct_debit_mandates"][0]["iban"] == MEMBER_IBAN


def test_dues_local_today_is_used_for_signing(coop, client, login_as, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 5, 4))
    _member_login(client, login_as)

    client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": MEMBER_IBAN, "consent": "y"})

    assert db.session.scalar(select(Mandate.signed_on)) == date(2026, 5, 4)


def test_no_mandate_can_be_signed_before_the_coop_has_an_incassant_id(coop, client, login_as):
    coop.creditor_id = None
    db.session.commit()
    _member_login(client, login_as)

    page = client.get("/portal/direct-debit")
    response = client.post("/portal/direct-debit", data={
        "account_holder": "A. de Vries", "iban": MEMBER_IBAN, "consent": "y"})

    assert "nog niet" in page.text and 'id="iban"' not in page.text
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count(Mandate.id))) == 0
