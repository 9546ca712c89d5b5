"""Term warnings on the dashboard: three months before a term ends, and terms that ended
without a successor."""

from datetime import date

import pytest

from tests import factories
from tests.governance.conftest import member
from tests.pages import Page


def _dashboard(client) -> Page:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return Page(response.text)


@pytest.mark.parametrize(
    ("day", "warned"),
    [(date(2026, 12, 30), False), (date(2026, 12, 31), True), (date(2027, 3, 31), True),
     (date(2027, 4, 1), False)],
    ids=["a_day_before_three_months", "exactly_three_months", "last_day", "after_the_end"],
)
def test_dashboard_warns_from_three_months_before_a_term_ends(
    client, board, bodies, today, day, warned
):
    # A term of 3 years from 1 April 2024: its last day is 31 March 2027.
    factories.appoint(bodies["chair"], start_date=date(2024, 4, 1), given_name="Kees",
                      family_name="Jansen")
    today(day)

    ending = _dashboard(client).by_id("terms-ending")

    if warned:
        assert "Kees Jansen, Bestuur · voorzitter: until Mar 31, 2027" in ending.text
    else:
        assert ending is None


def test_no_warning_once_the_person_is_reappointed(client, board, bodies, today):
    first = factories.appoint(bodies["chair"], start_date=date(2024, 4, 1))
    today(date(2027, 1, 15))
    assert _dashboard(client).by_id("terms-ending") is not None

    client.post(f"/governance/appointments/{first.id}/reappoint", data={"term_years": ""})

    assert _dashboard(client).by_id("terms-ending") is None


def test_no_warning_once_a_successor_is_appointed(client, board, bodies, today):
    factories.appoint(bodies["chair"], start_date=date(2024, 4, 1))
    factories.appoint(bodies["chair"], start_date=date(2027, 4, 1))
    today(date(2027, 1, 15))

    assert _dashboard(client).by_id("terms-ending") is None


def test_expired_terms_without_successor_are_listed(client, board, bodies, today):
    factories.appoint(bodies["member"], start_date=date(2022, 1, 1), given_name="Oud",
                      family_name="Bestuurslid")
    factories.appoint(bodies["chair"], start_date=date(2022, 1, 1), given_name="Vorige",
                      family_name="Voorzitter")
    factories.appoint(bodies["chair"], start_date=date(2025, 1, 1))  # the successor
    today(date(2026, 6, 1))

    expired = _dashboard(client).by_id("terms-expired")

    assert "Oud Bestuurslid, Bestuur · lid: ended Dec 31, 2024" in expired.text
    assert "Vorige Voorzitter" not in expired.text


def test_the_kascommissie_shortfall_is_on_the_dashboard(client, board, bodies, today):
    factories.appoint(bodies["auditor"], person=member(), start_date=date(2026, 1, 1),
                      term_years=1)

    warning = _dashboard(client).by_id("kascommissie-warning")

    assert "has 1 current member(s)" in warning.text


def test_the_dashboard_without_governance_says_nothing_ends(client, board, today):
    card = _dashboard(client).by_id("governance-card")

    assert "No term ends within three months." in card.text
