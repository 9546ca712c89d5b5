"""The pages of gift_views: sponsoring of neighbourhood events (a coordinator, scoped to
their initiatives) and mailing the yearly statements (the treasurer, once per volunteer
and year, the PDF attached in the volunteer's language).

The outbox backend keeps no attachments: the mailing tests send to a local SMTP server
and read the PDF from the mail it received."""

from datetime import date
from io import BytesIO

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from coop.extensions import db
from coop.ledger.models import JournalEntry
from coop.members.models import Person
from coop.settings.services import get_organisation
from coop.volunteers import services
from coop.volunteers.models import EventSponsorship, VolunteerStatementMail
from tests import factories
from tests.test_mail import CollectingHandler, free_port
from tests.volunteers.conftest import approve, make_coordinator, make_volunteer, seed_caps

NBSP = "\u00a0"


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return " ".join(text.replace(NBSP, " ").split())


# Sponsoring ---------------------------------------------------------------------------------


def test_a_coordinator_sponsors_an_event_of_their_initiative(app, client, login_as):
    _volunteer, garden = make_volunteer()
    login_as(make_coordinator(garden))

    response = client.post("/volunteers/sponsoring", data={
        "initiative": str(garden.id), "event_name": "Burendag Oost",
        "organiser": "Bewonerscommissie", "held_on": "2026-09-26", "cost": "150,00"},
        follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Sponsoring vastgelegd en geboekt." in page
    assert "Burendag Oost" in page
    assert f"€{NBSP}150,00" in page
    assert db.session.scalar(db.select(db.func.count(JournalEntry.id))) == 1


def test_sponsoring_without_an_amount_is_refused_at_the_field(app, client, login_as):
    _volunteer, garden = make_volunteer()
    login_as(make_coordinator(garden))

    response = client.post("/volunteers/sponsoring", data={
        "initiative": str(garden.id), "event_name": "Burendag Oost",
        "organiser": "Bewonerscommissie", "held_on": "2026-09-26", "cost": ""})

    assert response.status_code == 422
    assert "Vul een bedrag boven nul in." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(EventSponsorship.id))) == 0


def test_a_coordinator_neither_sees_nor_books_another_initiatives_sponsoring(
        app, client, login_as):
    _volunteer_a, garden = make_volunteer()
    _volunteer_b, cafe = make_volunteer()
    services.sponsor_event(cafe.id, "Repair-middag", "Repair Café Oost", date(2026, 5, 2),
                           7500, today=date(2026, 5, 1))
    db.session.commit()
    login_as(make_coordinator(garden))

    listed = client.get("/volunteers/sponsoring").get_data(as_text=True)
    response = client.post("/volunteers/sponsoring", data={
        "initiative": str(cafe.id), "event_name": "Burendag", "organiser": "Iemand",
        "held_on": "2026-09-26", "cost": "10,00"})

    assert "Repair-middag" not in listed
    assert response.status_code == 422
    assert "Kies een van je eigen initiatieven." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(EventSponsorship.id))) == 1


# Mailing the yearly statements ------------------------------------------------------------


@pytest.fixture
def smtp():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def app(app_factory, smtp):
    # The mailing tests need the SMTP backend; the sponsoring tests send no mail.
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=smtp[0].port, MAIL_TIMEOUT=5)
    with app.app_context():
        organisation = get_organisation()
        organisation.name = "Wijkcoöperatie Oost voor Elkaar"
        db.session.add(organisation)
        db.session.commit()
        yield app
        db.session.remove()


@pytest.fixture
def two_volunteers(app):
    """Anouk (Dutch, no account) and Sam (an account in English), each with 2026 work;
    and Piet, without an e-mail address."""
    seed_caps()
    anouk, garden = make_volunteer(given_name="Anouk", family_name="Verbeek",
                                   email="anouk@example.org")
    services.declare_hours(anouk, garden.id, date(2026, 3, 2), 10, None,
                           today=date(2026, 3, 2), approved=True)
    approve(anouk, garden, date(2026, 3, 9), 12000)
    user = factories.create_user("sam@example.org", roles=["volunteer"])
    user.locale = "en"
    sam, _ = make_volunteer(garden, given_name="Sam", family_name="Jones",
                            email="sam@example.org", user=user)
    approve(sam, garden, date(2026, 4, 1), 5000)
    piet, _ = make_volunteer(garden, given_name="Piet", family_name="Zonder", email=None)
    approve(piet, garden, date(2026, 4, 1), 2500)
    return anouk, sam, piet


def _mail_run(client):
    return client.post("/volunteers/statements/2026/mail", follow_redirects=True)


def test_the_treasurer_mails_every_volunteers_statement_in_their_language(
        app, client, login_as, smtp, two_volunteers):
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))

    page = _mail_run(client).get_data(as_text=True)

    assert "Overzichten gemaild: 2." in page
    assert "Geen e-mailadres (download het overzicht en geef het persoonlijk): Piet Zonder." in page
    by_recipient = {m["To"]: m for m in smtp[1].messages}
    assert sorted(by_recipient) == ["anouk@example.org", "sam@example.org"]
    anouk = by_recipient["anouk@example.org"]
    assert anouk["Subject"] == (
        "Je vrijwilligersoverzicht 2026 van Wijkcoöperatie Oost voor Elkaar")
    assert "Dank je wel voor je inzet als vrijwilliger in 2026." in anouk.get_body(
        ("plain",)).get_content()
    (attachment,) = list(anouk.iter_attachments())
    assert attachment.get_filename() == "vrijwilligersoverzicht-2026.pdf"
    text = _pdf_text(attachment.get_content())
    assert "Anouk Verbeek" in text
    assert "Vrijwilligersvergoedingen: € 120,00" in text
    sam = by_recipient["sam@example.org"]
    assert sam["Subject"] == "Your volunteer statement 2026 from Wijkcoöperatie Oost voor Elkaar"
    (attachment,) = list(sam.iter_attachments())
    assert "Volunteer allowances: €50.00" in _pdf_text(attachment.get_content())
    assert sorted(db.session.scalars(db.select(VolunteerStatementMail.locale))) == ["en", "nl"]


def test_clicking_again_mails_no_one_twice(app, client, login_as, smtp, two_volunteers):
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))
    _mail_run(client)

    page = _mail_run(client).get_data(as_text=True)

    assert "Er was geen overzicht meer te mailen." in page
    assert len(smtp[1].messages) == 2
    assert db.session.scalar(db.select(db.func.count(VolunteerStatementMail.id))) == 2


def test_the_statements_page_shows_who_was_mailed(app, client, login_as, smtp, two_volunteers):
    anouk, _sam, _piet = two_volunteers
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))
    db.session.add(VolunteerStatementMail(volunteer_id=anouk.id, year=2026, locale="nl"))
    db.session.commit()

    page = client.get("/volunteers/statements/2026").get_data(as_text=True)
    page = " ".join(page.split())

    assert "Anouk Verbeek</td>" in page
    assert "Piet Zonder" in page
    assert page.count(">ja</td>") == 1
    assert page.count(">nog niet</td>") == 2
    assert db.session.get(Person, anouk.person_id).email == "anouk@example.org"
