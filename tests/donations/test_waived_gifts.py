"""A volunteer's waived allowance is their gift to the ANBI: it stands on their donor
statement (matched by e-mail, as online gifts are), in the list and in the total."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from coop.donations import services as donations
from coop.extensions import db
from coop.settings.services import get_organisation
from coop.volunteers import services as volunteers
from tests.payments.helpers import start_gift
from tests.volunteers.conftest import approve, make_volunteer, seed_caps

NBSP = "\u00a0"
YEAR = date.today().year


@pytest.fixture
def anbi(app):
    organisation = get_organisation()
    organisation.name = "Stichting Buurtkracht"
    organisation.legal_form = "stichting"
    organisation.anbi_status = True
    organisation.rsin = "820646660"
    db.session.add(organisation)
    db.session.commit()
    seed_caps()


def _waived(name, email, *amounts):
    given, family = name.split()
    volunteer, initiative = make_volunteer(given_name=given, family_name=family, email=email)
    volunteers.set_arrangement(volunteer, "waived", date(2026, 1, 1), None,
                               waived_on=date(2025, 12, 15))
    for day, cents in amounts:
        approve(volunteer, initiative, day, cents, kind="waived")


def _pdf(client, email) -> str:
    response = client.get(f"/donations/statements/{YEAR}.pdf?email={email}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # pypdf drops the space where a table cell wraps its text.
    return text.replace("Kwijtgescholdenvrijwilligersvergoeding",
                        "Kwijtgescholden vrijwilligersvergoeding")


@pytest.mark.skipif(YEAR != 2026, reason="the caps are seeded for 2025 and 2026")
def test_the_waived_allowance_stands_with_the_online_gifts(client, login_as, make_user,
                                                          fake, deliver, anbi):
    payment = start_gift(2500, donor_name="Fatima Bakker", donor_email="fatima@example.org")
    fake.set_status(payment.mollie_id, "paid")
    deliver()
    _waived("Fatima Bakker", "fatima@example.org", (date(2026, 3, 10), 5000),
            (date(2026, 4, 14), 1250))
    login_as(make_user(roles=["board"]))

    text = _pdf(client, "fatima@example.org")

    assert text.count("Kwijtgescholden vrijwilligersvergoeding") == 2
    assert f"€{NBSP}50,00" in text and f"€{NBSP}12,50" in text and f"€{NBSP}25,00" in text
    assert f"Totaal {YEAR}" in text and f"€{NBSP}87,50" in text
    assert donations.statement_donors(YEAR) == [
        ("fatima@example.org", "Fatima Bakker", 8750, 3)]


@pytest.mark.skipif(YEAR != 2026, reason="the caps are seeded for 2025 and 2026")
def test_a_volunteer_who_only_waived_gets_a_statement_too(client, login_as, make_user, anbi):
    _waived("Ilse Koster", "ilse@example.org", (date(2026, 5, 5), 4000))
    login_as(make_user(roles=["board"]))

    listing = client.get(f"/donations/statements?year={YEAR}")
    text = _pdf(client, "ilse@example.org")

    assert "ilse@example.org" in listing.text
    assert "Ilse Koster" in text
    assert f"Totaal {YEAR}" in text and f"€{NBSP}40,00" in text
    assert "Kwijtgescholden vrijwilligersvergoeding" in text
    assert "ANBI" in text
