"""The volunteer's yearly statement PDF: its text, in Dutch and English."""

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from coop.extensions import db
from coop.volunteers import services
from coop.volunteers.statement import render_statement_pdf
from tests import factories
from tests.volunteers.conftest import approve, make_volunteer, seed_caps


def _text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def _volunteer_with_a_year():
    seed_caps()
    factories.save_organisation(name="Wijkcoöperatie Oost voor Elkaar")
    volunteer, garden = make_volunteer(given_name="Anouk", family_name="Verbeek")
    services.declare_hours(volunteer, garden.id, date(2026, 3, 2), 10, None,
                           today=date(2026, 3, 2), approved=True)
    services.declare_hours(volunteer, garden.id, date(2026, 3, 9), 8, None,
                           today=date(2026, 3, 9), approved=True)
    services.declare_hours(volunteer, garden.id, date(2025, 3, 9), 8, None,
                           today=date(2026, 3, 9), approved=True)  # another year
    approve(volunteer, garden, date(2026, 3, 9), 12000, expense_cents=1550)
    approve(volunteer, garden, date(2026, 10, 1), 1500, kind="gift_voucher",
            description="Cadeaubon Boekhandel", supplier="Boekhandel Oosterlicht")
    db.session.commit()
    return volunteer


def test_the_yearly_statement_lists_hours_allowances_gifts_and_costs(app):
    volunteer = _volunteer_with_a_year()

    text = _text(render_statement_pdf(volunteer, 2026, date(2027, 1, 10), "nl"))

    assert "Je vrijwilligerswerk in 2026" in text
    assert "Anouk Verbeek" in text
    assert "4,5 uur" in text  # 2,5 + 2 hours in 2026; 2025 not counted
    assert "Vrijwilligersvergoedingen: € 120,00" in text
    assert "Verstrekkingen: € 15,00" in text
    assert "Vergoede aangetoonde kosten: € 15,50" in text
    assert "€ 2.200,00" in text
    assert "Cadeaubon Boekhandel · gekocht bij Boekhandel Oosterlicht" in text


def test_the_statement_in_english(app):
    volunteer = _volunteer_with_a_year()

    text = _text(render_statement_pdf(volunteer, 2026, date(2027, 1, 10), "en"))

    assert "Your volunteer work in 2026" in text
    assert "Volunteer allowances: €120.00" in text


def test_a_volunteer_downloads_their_own_statement(app, client, login_as):
    volunteer = _volunteer_with_a_year()
    user = factories.create_user(roles=["volunteer"])
    db.session.get(services.Person, volunteer.person_id).user_id = user.id
    db.session.commit()
    login_as(user)

    response = client.get("/volunteers/me/statement/2026.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "Anouk Verbeek" in _text(response.data)
