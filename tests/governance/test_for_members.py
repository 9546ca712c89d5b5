"""Members see who runs the coop and who signs for it: names and positions only."""

from datetime import date

from tests import factories
from tests.pages import Page


def test_a_member_sees_the_board_and_the_signatories(client, login_as, bodies, today):
    factories.appoint(bodies["chair"], start_date=date(2024, 6, 15), given_name="Fatima",
                      family_name="Amrani", email="fatima@example.org")
    factories.appoint(bodies["auditor"], start_date=date(2026, 1, 1), term_years=1,
                      given_name="Ruud", family_name="Verhoef")
    login_as(factories.create_user(roles=["member"], locale="en"))

    response = client.get("/governance/who")

    assert response.status_code == 200
    page = Page(response.text)
    assert "Fatima Amrani, voorzitter (until Jun 14, 2027)" in page.root.text
    assert "Ruud Verhoef, lid" in page.root.text
    assert "Fatima Amrani (voorzitter): signs alone" in page.by_id("signatories").text
    assert "fatima@example.org" not in response.text
