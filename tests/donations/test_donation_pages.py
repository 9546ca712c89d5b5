"""The public donation and campaign pages: choosing an amount, bad input at the field,
Mollie down or slow, the thank-you page and the campaign's progress."""

import re

import pytest
from sqlalchemy import func, select

from coop.donations.models import Campaign, Donation
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import JournalLine, LedgerAccount
from coop.payments.models import OnlinePayment
from tests.concurrency import at_once
from tests.payments.helpers import balance

NBSP = "\u00a0"


def _key(response) -> str:
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', response.text).group(1)


def _form(client, path="/donate/", **values):
    key = _key(client.get(path))
    data = {"amount_choice": "2500", "frequency": "one_off", "donor_kind": "private",
            "key": key}
    data.update(values)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def garden(app):
    campaign = Campaign(slug="buurttuin", title="Buurttuin", target_cents=200000,
                        description="Een moestuin voor de hele straat.")
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_donation_page_offers_suggested_amounts_in_dutch(client):
    response = client.get("/donate/")

    assert response.status_code == 200
    assert f"€{NBSP}25,00" in response.text
    assert "Ander bedrag" in response.text
    assert "Elke maand, tot je het stopt" in response.text


def test_a_gift_sends_the_donor_to_the_mollie_checkout(client, fake):
    response = client.post("/donate/", data=_form(client, donor_name="Fatima",
                                                  donor_email="Fatima@Example.org"))

    assert response.status_code == 303
    assert response.location.startswith(f"{fake.url}/checkout/tr_")
    donation = db.session.scalars(select(Donation)).one()
    assert (donation.amount_cents, donation.donor_email) == (2500, "fatima@example.org")
    payment = db.session.scalars(select(OnlinePayment)).one()
    assert fake.state.payments[payment.mollie_id]["metadata"]["reference"] == \
        payment.idempotency_key


def test_a_free_amount_in_dutch_notation_is_accepted(client):
    client.post("/donate/", data=_form(client, amount_choice="other", amount_other="12,50"))

    assert db.session.scalars(select(Donation.amount_cents)).one() == 1250


@pytest.mark.parametrize(("typed", "message"), [
    ("twintig", "Vul een bedrag in zoals 12,50 of 1.234,56."),
    ("0,50", f"De kleinste gift is €{NBSP}1,00."),
    ("10.000,01", "Online geven kan tot"),
    ("", "Kies of vul een bedrag in."),
    ("-5", "Het bedrag kan niet negatief zijn."),
])
def test_bad_amounts_are_refused_at_the_field_and_nothing_is_saved(client, fake, typed,
                                                                    message):
    response = client.post("/donate/", data=_form(client, amount_choice="other",
                                                  amount_other=typed))

    assert response.status_code == 422
    field = re.search(r'id="amount_other-error">(.*?)</p>', response.text, re.S).group(1)
    assert message in field
    assert _count(Donation) == 0
    assert fake.state.payments == {}


def test_a_monthly_gift_needs_an_email_address(client):
    response = client.post("/donate/", data=_form(client, frequency="monthly"))

    assert response.status_code == 422
    assert "Voor een maandelijkse gift hebben we je e-mailadres nodig" in response.text
    assert _count(Donation) == 0


def test_mollie_down_shows_a_friendly_dutch_error_and_stores_nothing(client, fake):
    data = _form(client)
    fake.state.failures_left = 1

    response = client.post("/donate/", data=data)

    assert response.status_code == 422
    assert "Online betalen lukt nu even niet. Er is niets afgeschreven" in response.text
    assert "Traceback" not in response.text
    assert _count(Donation) == 0 and _count(OnlinePayment) == 0


def test_a_slow_mollie_times_out_and_the_retry_with_the_same_key_makes_one_payment(
        client, fake):
    data = _form(client)
    fake.state.delay_seconds = 2.5  # over the test read timeout of 2 s

    slow = client.post("/donate/", data=data)
    fake.state.delay_seconds = 0
    retry = client.post("/donate/", data=data)

    assert slow.status_code == 422
    assert "Online betalen lukt nu even niet" in slow.text
    assert retry.status_code == 303
    # Mollie made the payment once (the slow call did reach it); the retry got it back.
    assert len(fake.state.payments) == 1
    assert _count(OnlinePayment) == 1 and _count(Donation) == 1


def test_sending_the_same_form_twice_makes_one_gift(client, fake):
    data = _form(client)

    first = client.post("/donate/", data=data)
    second = client.post("/donate/", data=data)

    assert first.location == second.location
    assert _count(Donation) == 1 and len(fake.state.payments) == 1


def test_campaign_page_shows_target_and_progress(client, fake, deliver, garden):
    for amount in ("1000.00", "240.00"):
        client.post("/donate/buurttuin", data=_form(client, "/donate/buurttuin",
                                                    amount_choice="other",
                                                    amount_other=amount))
    for payment in db.session.scalars(select(OnlinePayment)):
        fake.set_status(payment.mollie_id, "paid")
    deliver()

    response = client.get("/donate/buurttuin")

    assert f"Buurttuin: €{NBSP}1.240,00 van €{NBSP}2.000,00" in response.text
    assert '<progress max="200000" value="124000"' in response.text
    assert "Aantal giften: 2" in response.text


def test_a_company_gift_to_a_campaign_is_booked_to_companies_on_its_cost_centre(
        client, fake, deliver, garden):
    centre = ledger.create_cost_centre("TUIN", "Buurttuin")
    garden.cost_centre_id = centre.id
    db.session.commit()
    client.post("/donate/buurttuin", data=_form(client, "/donate/buurttuin",
                                                donor_kind="company"))
    payment = db.session.scalars(select(OnlinePayment)).one()

    fake.set_status(payment.mollie_id, "paid")
    deliver()

    assert balance("8250") == 2500  # Sponsoring bedrijven: baten van bedrijven
    assert balance("8200") == 0
    line = db.session.scalars(
        select(JournalLine).join(LedgerAccount).where(LedgerAccount.code == "8250")).one()
    assert line.cost_centre_id == centre.id


def test_thank_you_page_after_paying(client, fake, deliver, garden):
    response = client.post("/donate/buurttuin", data=_form(client, "/donate/buurttuin"))
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "paid")
    deliver()

    page = client.get(f"/donate/thanks/{payment.idempotency_key}")

    assert page.status_code == 200
    assert "Bedankt voor je gift!" in page.text
    assert f"Buurttuin: €{NBSP}25,00 van €{NBSP}2.000,00" in page.text
    assert response.status_code == 303


def test_thank_you_page_after_a_failed_payment_offers_to_try_again(client, fake, deliver):
    client.post("/donate/", data=_form(client))
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "failed")
    deliver()

    page = client.get(f"/donate/thanks/{payment.idempotency_key}")

    assert "Je gift is niet gelukt" in page.text
    assert "Er is niets afgeschreven." in page.text


def test_thank_you_page_of_an_unknown_reference_is_404(client):
    assert client.get("/donate/thanks/" + "f" * 32).status_code == 404


def test_an_ended_campaign_has_no_page(client, garden):
    garden.is_active = False
    db.session.commit()

    assert client.get("/donate/buurttuin").status_code == 404


def test_donation_page_in_english(client):
    client.post("/language", data={"language": "en", "next": "/donate/"})

    response = client.get("/donate/")

    assert "Another amount" in response.text
    assert "€25.00" in response.text


def test_a_forged_choice_gets_wtforms_own_message_in_the_visitors_language(client):
    # WTForms' built-in messages come from its catalogue, which the app loads once per
    # language instead of once per request: both languages must still come out right.
    dutch = client.post("/donate/", data=_form(client, frequency="weekly"))
    assert dutch.status_code == 422
    assert "Ongeldige keuze." in dutch.text

    client.post("/language", data={"language": "en", "next": "/donate/"})
    english = client.post("/donate/", data=_form(client, frequency="weekly"))
    assert english.status_code == 422
    assert "Not a valid choice." in english.text
    assert "Ongeldige keuze." not in english.text
    assert _count(Donation) == 0


def test_campaign_page_progress_is_kept_a_few_seconds_but_the_thank_you_page_is_exact(
        app, client, fake, deliver, garden, monkeypatch):
    app.config["DONATION_PROGRESS_CACHE_SECONDS"] = 5
    clock = [1000.0]
    monkeypatch.setattr("coop.donations.services.time.monotonic", lambda: clock[0])
    assert f"Buurttuin: €{NBSP}0,00 van" in client.get("/donate/buurttuin").text

    client.post("/donate/buurttuin", data=_form(client, "/donate/buurttuin",
                                                donor_name="Fatima", public_consent="y"))
    payment = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    clock[0] += 4

    # Within the five seconds the campaign page shows what it counted before ...
    stale = client.get("/donate/buurttuin").text
    assert f"Buurttuin: €{NBSP}0,00 van" in stale and "Fatima" not in stale
    # ... while the donor's thank-you page counts the gift at once.
    thanks = client.get(f"/donate/thanks/{payment.idempotency_key}").text
    assert f"Buurttuin: €{NBSP}25,00 van" in thanks

    clock[0] += 2
    fresh = client.get("/donate/buurttuin").text
    assert f"Buurttuin: €{NBSP}25,00 van" in fresh
    assert "Met dank aan Fatima." in fresh


def test_a_double_click_on_donate_lands_every_click_on_the_same_checkout(app, client, fake):
    data = _form(client)
    fake.state.delay_seconds = 0.1  # Mollie takes its time: the clicks overlap

    responses = at_once(app, [lambda other: other.post("/donate/", data=data)] * 8)

    assert [r.status_code for r in responses] == [303] * 8
    assert len({r.location for r in responses}) == 1
    assert _count(Donation) == 1 and _count(OnlinePayment) == 1
    assert len(fake.state.payments) == 1
