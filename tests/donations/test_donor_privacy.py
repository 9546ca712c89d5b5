"""Donors' personal data: anonymised 7 full calendar years after the year of the last
gift (`flask coop anonymise-donors`), not while a monthly gift runs or a periodic-gift
agreement must be kept; a donor's erasure request at once unless the fiscal retention
duty forbids. Amounts and bookings stay; the audit log keeps no name or address."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from coop.audit import AuditEvent
from coop.donations import services as donations
from coop.donations.models import (
    Donation,
    DonorStatementMail,
    PeriodicGiftAgreement,
    RecurringDonation,
)
from coop.extensions import db
from coop.ledger.models import JournalEntry
from coop.payments.models import OnlinePayment
from tests.payments.helpers import balance, start_gift


def _gift(fake, deliver, amount, year, **values):
    payment = start_gift(amount, **values)
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    moment = datetime(year, 6, 1, 12, tzinfo=UTC)
    db.session.execute(update(Donation).where(Donation.id == payment.donation_id)
                       .values(created_at=moment))
    db.session.execute(update(OnlinePayment).where(OnlinePayment.id == payment.id)
                       .values(paid_at=moment))
    db.session.commit()
    return db.session.get(Donation, payment.donation_id)


def _monthly(email, status="active"):
    recurring = RecurringDonation(
        amount_cents=500, donor_name="Maand Gever", donor_email=email, status=status,
        mollie_customer_id=f"cst_{email[:4]}", mollie_subscription_id=f"sub_{email[:4]}",
        created_at=datetime(2015, 1, 10, tzinfo=UTC))
    db.session.add(recurring)
    db.session.commit()
    return recurring


def _agreement(email, start_year, years=5):
    agreement = PeriodicGiftAgreement(
        transaction_number=f"PG{start_year}-0001", donor_name="Anna de Vries",
        donor_email=email, donor_address="Lindelaan 3, Utrecht", yearly_amount_cents=25000,
        start_date=date(start_year, 1, 1), years=years, signed_on=date(start_year - 1, 12, 1))
    db.session.add(agreement)
    db.session.commit()
    return agreement


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["coop", "anonymise-donors", *args])


def _donation(donation_id) -> Donation:
    db.session.expire_all()
    return db.session.get(Donation, donation_id)


def test_a_donor_is_anonymised_after_seven_full_years_and_the_books_stay(app, fake, deliver,
                                                                         outbox):
    old = _gift(fake, deliver, 2500, 2018, donor_name="Oud Gever",
                donor_email="oud@example.org", public_consent=True)
    recent = _gift(fake, deliver, 1000, 2019, donor_name="Recent Gever",
                   donor_email="recent@example.org")
    db.session.add(DonorStatementMail(year=2018, donor_email="oud@example.org",
                                      total_cents=2500, locale="nl"))
    db.session.commit()
    income = balance("8200")

    preview = _run(app, "--dry-run", "--today", "2026-12-01")

    assert "would anonymise oud@example.org (1 gift(s)" in preview.output
    assert "recent@example.org" not in preview.output
    assert _donation(old.id).donor_email == "oud@example.org"

    result = _run(app, "--today", "2026-12-01")

    assert result.exit_code == 0
    assert "1 donor(s) anonymised" in result.output
    assert "oud@example.org" not in result.output and "Oud Gever" not in result.output
    gone, kept = _donation(old.id), _donation(recent.id)
    assert (gone.donor_name, gone.donor_email, gone.public_consent) == (
        "Geanonimiseerd", None, False)
    assert gone.amount_cents == 2500 and gone.anonymised_at is not None
    assert (kept.donor_name, kept.donor_email) == ("Recent Gever", "recent@example.org")
    assert balance("8200") == income  # the bookings stay
    assert db.session.scalar(select(DonorStatementMail.donor_email)) is None
    assert [m.recipient for m in outbox()] == ["recent@example.org"]
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.tag == "donations:donor:anonymise")).all()
    assert event.details["reason"] == "retention" and event.details["gifts"] == 1
    assert "oud@example.org" not in str(event.details) and "Oud" not in str(event.details)
    assert _run(app, "--today", "2026-12-01").output.endswith("0 donor(s) anonymised\n")


def test_new_gift_entries_do_not_name_the_donor(app, fake, deliver):
    gift = _gift(fake, deliver, 2500, 2026, donor_name="Fatima Bakker",
                 donor_email="fatima@example.org")

    descriptions = db.session.scalars(select(JournalEntry.description)).all()

    assert f"Gift #{gift.id}" in descriptions
    assert not any("Fatima" in d for d in descriptions)


def test_a_running_monthly_gift_keeps_the_donor(app, fake, deliver):
    gift = _gift(fake, deliver, 500, 2015, donor_name="Maand Gever",
                 donor_email="maand@example.org")
    recurring = _monthly("maand@example.org")

    _run(app, "--today", "2030-01-01")

    assert _donation(gift.id).donor_email == "maand@example.org"
    db.session.refresh(recurring)
    assert recurring.donor_email == "maand@example.org"

    recurring.status = "canceled"
    recurring.canceled_at = datetime(2019, 3, 1, tzinfo=UTC)
    db.session.commit()
    assert "0 donor(s)" in _run(app, "--today", "2026-12-31").output  # stopped in 2019
    _run(app, "--today", "2027-01-01")

    assert _donation(gift.id).donor_email is None
    db.session.refresh(recurring)
    assert (recurring.donor_name, recurring.donor_email) == ("Geanonimiseerd", None)


def test_a_periodic_gift_agreement_is_kept_for_its_term_plus_seven_years(app, fake, deliver):
    gift = _gift(fake, deliver, 25000, 2016, donor_name="Anna de Vries",
                 donor_email="anna@example.org")
    agreement = _agreement("anna@example.org", 2015)  # 2015–2019: kept until end 2026

    _run(app, "--today", "2026-12-31")
    db.session.refresh(agreement)

    assert agreement.donor_address == "Lindelaan 3, Utrecht"
    assert _donation(gift.id).donor_email == "anna@example.org"

    _run(app, "--today", "2027-01-01")
    db.session.refresh(agreement)

    assert (agreement.donor_name, agreement.donor_email, agreement.donor_address) == (
        "Geanonimiseerd", None, None)
    assert agreement.yearly_amount_cents == 25000
    assert _donation(gift.id).donor_email is None


@pytest.fixture
def treasurer_in(client, login_as, treasurer):
    login_as(treasurer)
    return client


def test_a_donor_is_erased_on_request_after_a_confirmation(treasurer_in, fake, deliver,
                                                           outbox):
    client = treasurer_in
    first = _gift(fake, deliver, 2500, 2026, donor_name="Fatima Bakker",
                  donor_email="fatima@example.org", public_consent=True)
    second = _gift(fake, deliver, 1000, 2026, donor_name="Fatima Bakker",
                   donor_email="fatima@example.org")
    other = _gift(fake, deliver, 1000, 2026, donor_name="Piet", donor_email="piet@example.org")

    preview = client.post("/donations/privacy", data={"email": " Fatima@Example.org "})

    assert preview.status_code == 200
    assert "2 gift(en), de laatste in 2026" in preview.text
    assert _donation(first.id).donor_email == "fatima@example.org"  # nothing changed yet

    done = client.post("/donations/privacy", data={"email": "fatima@example.org",
                                                   "confirmed": "yes"}, follow_redirects=True)

    assert "Naam en e-mailadres van de gever zijn verwijderd uit 2 gift(en)" in done.text
    for donation_id in (first.id, second.id):
        donation = _donation(donation_id)
        assert (donation.donor_name, donation.donor_email) == ("Geanonimiseerd", None)
    assert _donation(other.id).donor_email == "piet@example.org"
    assert "fatima@example.org" not in [m.recipient for m in outbox()]
    assert donations.statement_donors(2026)[0][0] == "piet@example.org"
    assert len(donations.statement_donors(2026)) == 1
    page = client.get(f"/donations/gifts/{first.id}")
    assert "Fatima" not in page.text
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.tag == "donations:donor:anonymise")).all()
    assert event.details["reason"] == "request"
    assert "fatima" not in str(event.details).lower()


def test_an_erasure_is_refused_while_a_periodic_agreement_must_be_kept(treasurer_in, fake,
                                                                       deliver):
    gift = _gift(fake, deliver, 25000, 2026, donor_name="Anna de Vries",
                 donor_email="anna@example.org")
    _agreement("anna@example.org", 2027)  # 2027–2031: kept until the end of 2038

    for data in ({"email": "anna@example.org"},
                 {"email": "anna@example.org", "confirmed": "yes"}):
        response = treasurer_in.post("/donations/privacy", data=data)

        assert response.status_code == 422
        assert 'id="email-error"' in response.text
        assert "PG2027-0001" in response.text
        assert "tot eind 2038" in response.text and "vanaf 1 januari 2039" in response.text
    assert _donation(gift.id).donor_email == "anna@example.org"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.tag == "donations:donor:anonymise")) == 0


def test_an_erasure_is_refused_while_a_monthly_gift_runs(treasurer_in, fake, deliver):
    _gift(fake, deliver, 500, 2026, donor_email="maand@example.org")
    _monthly("maand@example.org")

    response = treasurer_in.post("/donations/privacy", data={"email": "maand@example.org",
                                                            "confirmed": "yes"})

    assert response.status_code == 422
    assert "Deze gever heeft een lopende maandelijkse gift. Stop die eerst" in response.text
    assert db.session.scalar(select(func.count()).select_from(Donation).where(
        Donation.donor_email == "maand@example.org")) == 1


@pytest.mark.parametrize("email, message", [
    ("onbekend@example.org", "Er zijn geen giften of overeenkomsten met dit e-mailadres."),
    ("geen-adres", "Vul een e-mailadres in zoals naam@voorbeeld.nl."),
    ("", "Dit veld is verplicht."),
])
def test_an_erasure_for_a_bad_or_unknown_address_is_refused_at_the_field(treasurer_in, email,
                                                                         message):
    response = treasurer_in.post("/donations/privacy", data={"email": email})

    assert response.status_code == 422
    assert f'id="email-error">{message}' in response.text
