"""Donor statements and periodic-gift agreements: the PDF text, and no claim of
deductibility unless the organisation is an ANBI (a coöperatie never is)."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coop.donations.models import PeriodicGiftAgreement
from coop.extensions import db
from coop.settings.models import Organisation
from coop.settings.services import get_organisation
from tests.payments.helpers import start_gift

NBSP = "\u00a0"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _organisation(**values) -> Organisation:
    organisation = get_organisation()
    for key, value in values.items():
        setattr(organisation, key, value)
    db.session.add(organisation)
    db.session.commit()
    return organisation


@pytest.fixture
def anbi(app):
    return _organisation(name="Stichting Buurtkracht", legal_form="stichting",
                         anbi_status=True, rsin="820646660")


@pytest.fixture
def cooperative(app):
    return _organisation(name="Wijkcoöperatie Oosterlicht", legal_form="cooperatie_ua",
                         anbi_status=False, rsin="820646660")


def _gifts(fake, deliver, client):
    for amount, name in ((2500, "Fatima Bakker"), (1000, "Fatima Bakker")):
        payment = start_gift(amount, donor_name=name, donor_email="fatima@example.org")
        fake.set_status(payment.mollie_id, "paid")
    anonymous = start_gift(5000)
    fake.set_status(anonymous.mollie_id, "paid")
    deliver()


def test_statement_lists_each_gift_and_the_total(client, login_as, make_user, fake, deliver,
                                                 cooperative):
    _gifts(fake, deliver, client)
    login_as(make_user(roles=["board"]))
    year = date.today().year

    listing = client.get(f"/donations/statements?year={year}")
    pdf = client.get(f"/donations/statements/{year}.pdf?email=fatima@example.org")

    assert "fatima@example.org" in listing.text
    assert listing.text.count(".pdf?email=") == 1  # the anonymous gift has none
    text = _text(pdf.data)
    assert f"Overzicht van je giften in {year}" in text
    assert "Fatima Bakker" in text
    assert f"€{NBSP}25,00" in text and f"€{NBSP}10,00" in text
    assert f"Totaal {year}" in text and f"€{NBSP}35,00" in text


def test_a_cooperative_claims_no_deductibility_anywhere(client, login_as, make_user, fake,
                                                        deliver, outbox, cooperative):
    _gifts(fake, deliver, client)
    login_as(make_user(roles=["board"]))
    year = date.today().year

    texts = [
        _text(client.get(f"/donations/statements/{year}.pdf?email=fatima@example.org").data),
        client.get(f"/donations/statements?year={year}").text,
        client.get("/donations/agreements").text,
        client.get("/donate/").text,
        *[mail.body_text for mail in outbox()],
    ]

    for text in texts:
        assert "aftrekbaar" not in text
        assert "RSIN" not in text
    assert "ANBI" not in texts[0]
    assert "Alleen een ANBI kan periodieke giften vastleggen" in texts[2]


def test_the_database_refuses_anbi_status_for_a_cooperative(app, cooperative):
    cooperative.anbi_status = True

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_anbi_statement_carries_name_rsin_and_the_anbi_wording(client, login_as, make_user,
                                                                  fake, deliver, anbi):
    _gifts(fake, deliver, client)
    login_as(make_user(roles=["board"]))
    year = date.today().year

    text = _text(client.get(f"/donations/statements/{year}.pdf?email=fatima@example.org").data)

    assert "Stichting Buurtkracht" in text
    assert "RSIN 820646660" in text
    assert "aangemerkt als ANBI" in text
    assert "aftrekbaar" in text


def test_a_refunded_part_is_left_out_of_the_statement(client, fake, deliver, anbi):
    from coop.payments import services as payments
    from tests.payments.helpers import reload

    payment = start_gift(2500, donor_name="Piet", donor_email="piet@example.org")
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    payments.refund(reload(payment), 1000, "Te veel", payments.new_idempotency_key())
    db.session.commit()
    from coop.donations.services import statement_document

    document = statement_document("piet@example.org", date.today().year)

    assert document["total_cents"] == 1500


def test_an_anbi_records_a_periodic_gift_and_prints_the_agreement(client, login_as, treasurer,
                                                                  anbi):
    login_as(treasurer)

    response = client.post("/donations/agreements/new", data={
        "donor_name": "Anna de Vries", "donor_address": "Lindelaan 3, 3581 AB Utrecht",
        "yearly_amount": "250,00", "start_date": "2027-01-01", "years": "5",
        "signed_on": "2026-12-01"})
    agreement = db.session.scalars(select(PeriodicGiftAgreement)).one()
    pdf = client.get(f"/donations/agreements/{agreement.id}.pdf")

    assert response.status_code == 302
    text = _text(pdf.data)
    assert "Overeenkomst periodieke gift" in text
    assert agreement.transaction_number in text
    assert "Anna de Vries" in text and "RSIN 820646660" in text
    assert f"€{NBSP}250,00" in text
    assert "5 jaar" in text and "2031" in text


def test_a_periodic_gift_under_five_years_is_refused_at_the_field(client, login_as, treasurer,
                                                                  anbi):
    login_as(treasurer)

    response = client.post("/donations/agreements/new", data={
        "donor_name": "Anna", "yearly_amount": "250,00", "start_date": "2027-01-01",
        "years": "4", "signed_on": "2026-12-01"})

    assert response.status_code == 422
    assert 'id="years-error">Een periodieke gift loopt ten minste vijf jaar.' in response.text
    assert db.session.scalar(select(func.count()).select_from(PeriodicGiftAgreement)) == 0


def test_a_cooperative_cannot_record_a_periodic_gift(client, login_as, treasurer,
                                                     cooperative):
    login_as(treasurer)

    response = client.post("/donations/agreements/new", data={
        "donor_name": "Anna", "yearly_amount": "250,00", "start_date": "2027-01-01",
        "years": "5", "signed_on": "2026-12-01"})

    assert response.status_code == 422
    assert "Alleen een ANBI kan periodieke giften vastleggen" in response.text
    assert db.session.scalar(select(func.count()).select_from(PeriodicGiftAgreement)) == 0
