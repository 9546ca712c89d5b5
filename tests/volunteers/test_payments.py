"""Paying allowances: one pain.001.001.03 file for a selection, valid against the ISO
20022 schema; marking it paid books the payment."""

from datetime import date
from pathlib import Path

import pytest
import sepaxml
import xmlschema

from coop.extensions import db
from coop.ledger.models import JournalLine, LedgerAccount
from coop.volunteers import payments
from coop.volunteers.models import Allowance
from coop.volunteers.services import VolunteerError
from tests import factories
from tests.volunteers.conftest import approve, make_volunteer, seed_caps

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


@pytest.fixture
def booked(app):
    seed_caps()
    factories.save_organisation(name="Wijkcoöperatie Oost voor Elkaar", bic="ABNANL2A")
    factories.set_bank_account("NL91ABNA0417164300")
    first, garden = make_volunteer()
    second, cafe = make_volunteer()
    payments.set_bank_details(first, "NL20 INGB 0001 2345 67", "A. de Vries")
    payments.set_bank_details(second, "NL44RABO0123456789", "B. Öztürk")
    allowances = [
        approve(first, garden, date(2026, 3, 10), 5000, today=date(2026, 4, 1)),
        approve(first, garden, date(2026, 4, 10), 4000, expense_cents=1250,
                today=date(2026, 4, 12)),
        approve(second, cafe, date(2026, 4, 3), 10000, today=date(2026, 4, 12)),
    ]
    db.session.commit()
    return allowances


def test_a_selection_is_paid_with_one_pain_001_file_valid_against_the_schema(booked):
    batch = payments.create_payment_batch([a.id for a in booked], date(2026, 4, 20),
                                          today=date(2026, 4, 15))
    db.session.commit()

    xmlschema.XMLSchema(str(XSD)).validate(batch.xml)
    assert (batch.transaction_count, batch.total_cents) == (2, 20250)
    assert "<CtrlSum>202.50</CtrlSum>" in batch.xml
    assert "<InstdAmt Ccy=\"EUR\">102.50</InstdAmt>" in batch.xml
    assert "NL20INGB0001234567" in batch.xml and "B. Ozturk" in batch.xml
    assert "<ReqdExctnDt>2026-04-20</ReqdExctnDt>" in batch.xml
    assert payments.payable_allowances() == []


def test_marking_the_batch_paid_books_payables_against_the_bank(booked):
    batch = payments.create_payment_batch([a.id for a in booked], date(2026, 4, 20),
                                          today=date(2026, 4, 15))
    entry = payments.mark_paid(batch, date(2026, 4, 21))
    db.session.commit()

    lines = sorted((code, line.debit_cents, line.credit_cents) for line, code in
                   db.session.execute(db.select(JournalLine, LedgerAccount.code).join(
                       LedgerAccount, LedgerAccount.id == JournalLine.account_id)
                       .where(JournalLine.entry_id == entry.id)))
    assert lines == [("1100", 0, 20250), ("1600", 10000, 0), ("1600", 10250, 0)]
    with pytest.raises(VolunteerError):
        payments.mark_paid(batch, date(2026, 4, 22))


def test_an_allowance_is_paid_once(booked):
    payments.create_payment_batch([booked[0].id], date(2026, 4, 20), today=date(2026, 4, 15))

    with pytest.raises(VolunteerError) as refused:
        payments.create_payment_batch([booked[0].id, booked[2].id], date(2026, 4, 20),
                                      today=date(2026, 4, 15))

    assert refused.value.field == "allowances"


def test_a_volunteer_without_a_bank_account_is_named(booked):
    third, initiative = make_volunteer(family_name="Zonderrekening")
    allowance = approve(third, initiative, date(2026, 4, 1), 1000, today=date(2026, 4, 2))

    with pytest.raises(VolunteerError) as refused:
        payments.create_payment_batch([allowance.id], date(2026, 4, 20),
                                      today=date(2026, 4, 15))

    assert "Zonderrekening" in str(refused.value.message)
    assert db.session.get(Allowance, allowance.id).payment_batch_id is None


@pytest.mark.parametrize("iban", ["NL91ABNA0417164301", "NL91", "TR330006100519786457841326"])
def test_an_invalid_or_non_sepa_iban_is_refused_at_the_field(app, iban):
    volunteer, _initiative = make_volunteer()

    with pytest.raises(VolunteerError) as refused:
        payments.set_bank_details(volunteer, iban, "A. de Vries")

    assert refused.value.field == "iban"
    assert volunteer.iban is None


def test_the_treasurer_makes_the_file_and_downloads_it(booked, client, login_as):
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))

    made = client.post("/volunteers/payments", data={
        "execution_date": "2099-01-05", "allowances": [str(a.id) for a in booked]})
    page = client.get("/volunteers/payments")
    batch_id = db.session.scalar(db.select(Allowance.payment_batch_id).limit(1))
    download = client.get(f"/volunteers/payments/{batch_id}.xml")

    assert made.status_code == 302
    assert "202,50" in page.text
    xmlschema.XMLSchema(str(XSD)).validate(download.data.decode())


def test_an_invalid_iban_on_the_volunteer_page_is_refused_at_the_field(app, client,
                                                                       login_as):
    volunteer, _initiative = make_volunteer()
    login_as(factories.create_user(roles=["board"]))

    response = client.post(f"/volunteers/{volunteer.id}/bank",
                           data={"iban": "NL91ABNA0417164301", "account_holder": "A. de Vries"})

    assert response.status_code == 422
    assert 'id="iban-error"' in response.text
    assert db.session.get(type(volunteer), volunteer.id).iban is None
