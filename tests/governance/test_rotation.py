"""The rotation schedule (rooster van aftreden): a page and a PDF for the ALV."""

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from coop.extensions import db
from coop.governance import services
from coop.pdf import _check_plain
from coop.settings.services import get_organisation
from tests import factories
from tests.pages import Page


def _schedule_data(bodies):
    organisation = get_organisation()
    organisation.max_terms = 2
    db.session.add(organisation)
    db.session.commit()
    factories.appoint(bodies["chair"], start_date=date(2024, 6, 15), given_name="Fatima",
                      family_name="Amrani")
    second = factories.appoint(bodies["member"], start_date=date(2022, 6, 15),
                               given_name="Joost", family_name="Leeuwen")
    services.reappoint(second, 3)  # term 2 of 2: ends 2028-06-14, not re-eligible
    db.session.commit()
    factories.appoint(bodies["auditor"], start_date=date(2026, 1, 1), term_years=1,
                      given_name="Ruud", family_name="Verhoef")
    factories.appoint(bodies["member"], start_date=date(2020, 1, 1), given_name="Al",
                      family_name="Weg")  # ended before the schedule starts


def test_rotation_schedule_lists_who_steps_down_each_year(client, board, bodies, today):
    _schedule_data(bodies)

    page = Page(client.get("/governance/rotation").text)

    assert page.by_id("rotation-2026").text.count("Ruud Verhoef") == 1
    assert "Kascommissie · lid 1 Dec 31, 2026 yes (term 1 of at most 2)" in (
        page.by_id("rotation-2026").text)
    assert "Fatima Amrani Bestuur · voorzitter 1 Jun 14, 2027 yes (term 1 of at most 2)" in (
        page.by_id("rotation-2027").text)
    assert ("Joost Leeuwen Bestuur · lid 2 Jun 14, 2028 no (maximum of 2 consecutive terms "
            "reached)") in page.by_id("rotation-2028").text
    assert page.by_id("rotation-2029") is None
    assert "Nobody steps down this year." in page.root.text
    assert "Al Weg" not in page.root.text


def test_rotation_schedule_from_a_later_year(client, board, bodies, today):
    _schedule_data(bodies)

    page = Page(client.get("/governance/rotation?from=2028").text)

    assert page.by_id("rotation-2027") is None
    assert "Joost Leeuwen" in page.by_id("rotation-2028").text


def test_rotation_schedule_pdf_for_the_general_meeting(client, board, bodies, today):
    _schedule_data(bodies)

    response = client.get("/governance/rotation.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "rooster-van-aftreden-2026.pdf" in response.headers["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    text = " ".join(text.split())
    assert "Rooster van aftreden" in text
    assert "Fatima Amrani" in text
    assert "14-06-2028" in text or "14 jun 2028" in text
    assert "nee (maximum van 2 opeenvolgende termijnen bereikt)" in text
    assert "Niemand treedt dit jaar af." in text


def test_plain_values_for_the_annual_report(app, bodies):
    factories.appoint(bodies["chair"], start_date=date(2024, 6, 15), given_name="Fatima",
                      family_name="Amrani")
    factories.appoint(bodies["treasurer"], start_date=date(2024, 6, 15), given_name="Ingrid",
                      family_name="Bakker")
    day = date(2026, 6, 1)

    signatories = services.signatories(day)
    bodies_now = services.current_bodies(day)

    assert [(s["name"], s["position"], s["authority"], s["joint_signers"])
            for s in signatories] == [("Fatima Amrani", "voorzitter", "alone", None),
                                      ("Ingrid Bakker", "penningmeester", "jointly", 1)]
    assert bodies_now[0]["name"] == "Bestuur"
    assert bodies_now[0]["members"][0]["since"] == date(2024, 6, 15)
    _check_plain({"signatories": signatories, "bodies": bodies_now})  # fit for a PDF
    assert services.signatories(date(2024, 6, 14)) == []
