"""The revenue stream overview, the HHI and the concentration warning, with exact
figures; earmarked funds and reporting deadlines."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coop import timeutil
from coop.extensions import db
from coop.funders import services as funders
from coop.funders.models import Funder, FunderAgreement, ReportingDeadline
from coop.funders.services import FunderError
from coop.ledger import services as ledger
from coop.ledger.models import JournalLine
from coop.settings.services import get_organisation
from tests.charts import page_charts
from tests.funders.conftest import post_cost, post_income
from tests.pages import Page

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def test_hhi_and_largest_share_with_exact_figures(make_funder, make_agreement):
    city = make_agreement(make_funder("Gemeente Utrecht"), "G-1")
    fund = make_agreement(make_funder("Oranje Fonds", "fund"), "F-1", kind="fund_grant")
    post_income(600_000, "8100", city)  # 60 %
    post_income(200_000, "8270", fund)  # 20 %
    post_income(150_000, "8300")  # room rental, no agreement: 15 %
    post_income(50_000, "8200")  # donations from residents: 5 %

    overview = funders.revenue_overview(*YEAR)

    assert overview.total_cents == 1_000_000
    assert [(f.name, f.cents) for f in overview.funders] == [
        ("Gemeente Utrecht", 600_000), ("Oranje Fonds", 200_000)]
    assert overview.largest_share == pytest.approx(0.6)
    # 60² + 20² + 15² + 5² = 3600 + 400 + 225 + 25
    assert overview.hhi == 4250
    assert overview.by_stream == {"government_grants": 600_000, "other_nonprofits": 200_000,
                                  "goods_and_services": 150_000,
                                  "private_individuals": 50_000}
    assert overview.concentration_warning  # 60 % > 50 %


def test_warning_only_when_the_share_exceeds_the_setting(make_funder, make_agreement):
    city = make_agreement(make_funder(), "G-1")
    post_income(500_000, "8100", city)
    post_income(500_000, "8300")

    overview = funders.revenue_overview(*YEAR)
    assert overview.largest_share == pytest.approx(0.5)
    assert overview.hhi == 5000
    assert not overview.concentration_warning  # exactly 50 % is not more than 50 %

    organisation = get_organisation()
    organisation.funder_share_warning_percent = 49
    db.session.add(organisation)
    db.session.commit()
    assert funders.revenue_overview(*YEAR).concentration_warning


def test_a_single_source_has_the_maximum_hhi(make_funder, make_agreement):
    post_income(123_456, "8100", make_agreement())
    overview = funders.revenue_overview(*YEAR)
    assert overview.hhi == 10_000
    assert overview.largest_share == 1.0


def test_no_income_gives_no_warning_and_zero_hhi(books):
    overview = funders.revenue_overview(*YEAR)
    assert overview.total_cents == 0
    assert overview.hhi == 0
    assert overview.largest is None
    assert not overview.concentration_warning


def test_revenue_overview_counts_only_the_period_and_follows_reversals(
        make_funder, make_agreement):
    city = make_agreement(make_funder(), "G-1")
    post_income(100_000, "8100", city, day=date(2026, 3, 1))
    wrong = post_income(40_000, "8100", city, day=date(2026, 3, 2))
    ledger.reverse_entry(wrong, date(2026, 3, 3), "Dubbel")
    db.session.commit()

    overview = funders.revenue_overview(*YEAR)
    assert overview.funders[0].cents == 100_000
    # The reversal keeps the agreement link on its lines.
    assert db.session.scalar(select(func.count(JournalLine.id)).where(
        JournalLine.agreement_id == city.id)) == 3
    assert funders.revenue_overview(date(2026, 4, 1), date(2026, 12, 31)).total_cents == 0


def test_revenue_page_shows_figures_and_the_warning(client, login_as, treasurer,
                                                    make_funder, make_agreement):
    city = make_agreement(make_funder("Gemeente Utrecht"), "G-1")
    post_income(600_000, "8100", city)
    post_income(400_000, "8300")
    login_as(treasurer)

    response = client.get("/finance/funders/revenue?year=2026")

    assert response.status_code == 200
    page = Page(response.text)
    assert "Gemeente Utrecht brengt 60,0% van de inkomsten binnen" in page.root.text
    assert page.by_id("hhi").text == "5.200"  # 60² + 40²


# Earmarked funds --------------------------------------------------------------------


def test_earmark_remaining_is_amount_minus_spending(make_funder, make_agreement):
    grant = make_agreement(amount_cents=750_000, reference="F1818-26-112")
    post_income(500_000, "8270", grant)
    post_cost(120_000, "4300", grant)
    post_cost(30_050, "4200", grant)
    post_cost(99_999, "4300")  # not against the agreement

    row = funders.earmark_of(grant)

    assert (row.received_cents, row.spent_cents) == (500_000, 150_050)
    assert row.remaining_cents == 599_950
    assert row.to_receive_cents == 250_000
    assert not row.overspent


def test_overspending_shows_a_negative_remainder(make_agreement):
    grant = make_agreement(amount_cents=10_000, reference="S-1", kind="sponsorship")
    post_cost(12_500, "4300", grant)
    row = funders.earmark_of(grant)
    assert row.remaining_cents == -2_500
    assert row.overspent


def test_earmarks_of_a_year_list_agreements_running_in_it(make_agreement):
    make_agreement(reference="OLD", start=date(2025, 1, 1), end=date(2025, 12, 31))
    make_agreement(reference="NOW", start=date(2025, 7, 1), end=date(2026, 6, 30))
    make_agreement(reference="NEXT", start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert [r.reference for r in funders.earmarks(*YEAR)] == ["NOW"]


# Reporting deadlines ----------------------------------------------------------------


def test_deadline_warnings_at_the_boundaries(make_agreement):
    today = date(2026, 6, 1)
    agreement = make_agreement()
    for days, text in ((-1, "te laat"), (0, "vandaag"), (30, "over dertig dagen"),
                       (31, "over 31 dagen")):
        funders.add_deadline(agreement, today + timedelta(days=days), text)
    done = funders.add_deadline(agreement, today - timedelta(days=5), "al ingediend")
    funders.mark_submitted(done, today - timedelta(days=6), today=today)
    db.session.commit()

    rows = funders.deadlines_needing_attention(today)

    assert [(r.description, r.overdue) for r in rows] == [
        ("te laat", True), ("vandaag", False), ("over dertig dagen", False)]


def test_dashboard_shows_deadlines_coming_up(client, login_as, treasurer, make_agreement):

    agreement = make_agreement()
    funders.add_deadline(agreement, timeutil.local_today() + timedelta(days=10),
                         "Inhoudelijk verslag eerste halfjaar")
    funders.add_deadline(agreement, timeutil.local_today() - timedelta(days=2),
                         "Financieel verslag")
    funders.add_deadline(agreement, timeutil.local_today() + timedelta(days=60), "Eindverslag")
    db.session.commit()
    login_as(treasurer)

    card = Page(client.get("/dashboard/").text).by_id("funder-reports")
    text = card.text

    assert "Inhoudelijk verslag eerste halfjaar" in text
    assert "Financieel verslag" in text
    assert "Eindverslag" not in text


def test_marking_a_report_submitted_twice_is_refused(make_agreement):
    deadline = funders.add_deadline(make_agreement(), date(2026, 7, 1), "Verslag")
    funders.mark_submitted(deadline, date(2026, 6, 20), today=date(2026, 6, 21))
    with pytest.raises(FunderError, match="al gemarkeerd"):
        funders.mark_submitted(deadline, date(2026, 6, 21), today=date(2026, 6, 21))


# Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"reference": " "}, "reference"),
    ({"end_date": date(2025, 12, 31)}, "end_date"),
    ({"amount_cents": -1}, "amount"),
    ({"kind": "gift"}, "kind"),
    ({"funder": None}, "funder"),
])
def test_bad_agreement_is_refused_at_its_field(make_funder, change, field):
    values = {"funder": make_funder(), "kind": "grant_decision", "reference": "G-1",
              "title": "Subsidie", "amount_cents": 1000, "start_date": date(2026, 1, 1),
              "end_date": date(2026, 12, 31), **change}
    with pytest.raises(FunderError) as raised:
        funders.create_agreement(values)
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(FunderAgreement.id))) == 0


def test_agreement_form_shows_the_error_at_the_field_and_saves_nothing(
        client, login_as, treasurer, make_funder):
    funder = make_funder()
    db.session.commit()
    login_as(treasurer)
    response = client.post("/finance/funders/agreements/new", data={
        "funder": str(funder.id), "kind": "grant_decision", "reference": "G-1",
        "title": "Subsidie", "amount": "1.000,005", "start_date": "2026-01-01",
        "end_date": "2026-12-31"})
    assert response.status_code == 422
    page = Page(response.text)
    assert "twee cijfers" in page.field_error("amount")
    response = client.post("/finance/funders/agreements/new", data={
        "funder": str(funder.id), "kind": "grant_decision", "reference": "G-1",
        "title": "Subsidie", "amount": "1.000,00", "start_date": "2026-12-31",
        "end_date": "2026-01-01"})
    assert response.status_code == 422
    assert "eindigen" in Page(response.text).field_error("end_date")
    assert db.session.scalar(select(func.count(FunderAgreement.id))) == 0


def test_treasurer_adds_funder_agreement_and_deadline_through_the_pages(
        client, login_as, treasurer, books):
    login_as(treasurer)
    response = client.post("/finance/funders/new", data={
        "name": "Fonds 1818", "kind": "fund"})
    assert response.status_code == 302
    funder = db.session.scalar(select(Funder))
    response = client.post("/finance/funders/agreements/new", data={
        "funder": str(funder.id), "kind": "fund_grant", "reference": "F1818-26-112",
        "title": "Repair Café", "amount": "7.500,00", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "earmark": "Gereedschap en materialen"})
    assert response.status_code == 302
    agreement = db.session.scalar(select(FunderAgreement))
    assert agreement.amount_cents == 750_000
    response = client.post(f"/finance/funders/agreements/{agreement.id}/deadlines", data={
        "due_date": "2027-03-01", "description": "Eindverslag"})
    assert response.status_code == 302
    page = Page(client.get(f"/finance/funders/agreements/{agreement.id}").text).root.text
    assert "Eindverslag" in page
    assert "€ 7.500,00" in page
    assert db.session.scalar(select(func.count(ReportingDeadline.id))) == 1


def test_board_reads_but_cannot_add_a_funder(client, login_as, make_user, books):
    login_as(make_user(roles=["board"]))
    assert client.get("/finance/funders/").status_code == 200
    assert client.post("/finance/funders/new", data={"name": "X", "kind": "fund"}
                       ).status_code == 403
    assert db.session.scalar(select(func.count(Funder.id))) == 0


def test_treasurer_amends_an_agreement_and_marks_a_report_sent(client, login_as, treasurer,
                                                               make_agreement):
    agreement = make_agreement(amount_cents=100_000)
    deadline = funders.add_deadline(agreement, date(2026, 7, 1), "Tussenrapportage")
    db.session.commit()
    login_as(treasurer)

    form = client.get(f"/finance/funders/agreements/{agreement.id}/edit")
    assert 'value="1000,00"' in form.text
    response = client.post(f"/finance/funders/agreements/{agreement.id}/edit", data={
        "funder": str(agreement.funder_id), "kind": "grant_decision",
        "reference": agreement.reference, "title": "Subsidie (gewijzigd)",
        "amount": "1.250,00", "start_date": "2026-01-01", "end_date": "2027-06-30"})
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert (agreement.amount_cents, agreement.end_date) == (125_000, date(2027, 6, 30))

    response = client.post(f"/finance/funders/deadlines/{deadline.id}/submitted",
                           data={"submitted_on": "2026-06-28"})
    assert response.status_code == 302
    db.session.refresh(deadline)
    assert deadline.submitted_on == date(2026, 6, 28)


def test_revenue_page_charts_the_streams_and_the_funder_shares(
        client, login_as, treasurer, make_funder, make_agreement):
    city = make_agreement(make_funder("Gemeente <Utrecht>"), "G-1")
    post_income(600_000, "8100", city)
    post_income(300_000, "8300")
    post_income(100_000, "8200")
    login_as(treasurer)

    charts = page_charts(client.get("/finance/funders/revenue?year=2026").text)

    shares = charts["Aandeel van de financiers"]
    assert shares.description == ("Aandeel van elke financier in alle inkomsten van 2026, "
                                  "naast de inkomsten zonder overeenkomst.")
    assert shares.rows == [["Gemeente <Utrecht>", "€\u00a06.000,00", "60,0%"],
                           ["Inkomsten zonder overeenkomst", "€\u00a04.000,00", "40,0%"]]
    assert "Gemeente <Utrecht>: €\u00a06.000 (60%)" in shares.svg_texts
    streams = charts["Baten per inkomstenbron"]
    assert streams.head == ["Inkomstenbron", "Bedrag", "Aandeel"]
    assert [row[1:] for row in streams.rows] == [["€ 6.000,00", "60,0%"],
                                                 ["€ 3.000,00", "30,0%"],
                                                 ["€ 1.000,00", "10,0%"]]


def test_revenue_page_without_income_has_no_chart(client, login_as, treasurer, books):
    login_as(treasurer)
    assert page_charts(client.get("/finance/funders/revenue?year=2026").text) == {}
