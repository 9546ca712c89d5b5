"""The revenue stream overview as CSV and XLSX: the same figures as the page, amounts
as numbers."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.funders.conftest import post_income
from tests.pages import Page


def _euros(text: str) -> Decimal:
    """"€ 10.000,00" as Decimal("10000.00")."""
    return Decimal(text.replace("€", "").replace(".", "").replace(",", ".").strip())


def _overview(make_funder, make_agreement):
    city = make_agreement(make_funder("Gemeente Utrecht"), "G-1")
    fund = make_agreement(make_funder("Oranje Fonds", "fund"), "F-1", kind="fund_grant")
    post_income(600_000, "8100", city)
    post_income(200_000, "8270", fund)
    post_income(150_000, "8300")
    post_income(50_012, "8200")


def test_revenue_csv_has_the_figures_of_the_page(client, login_as, make_user, make_funder,
                                                 make_agreement):
    _overview(make_funder, make_agreement)
    login_as(make_user(roles=["board"]))

    page = Page(client.get("/finance/funders/revenue?year=2026").text)
    response = client.get("/finance/funders/revenue?year=2026&format=csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Onderdeel", "Naam", "Baten", "Waarvan zonder afspraak",
                       "Aandeel in alle baten (%)"]
    by_name = {(row[0], row[1]): row[2:] for row in rows[1:]}
    total = _euros(page.by_id("total-income").text)
    assert by_name[("Totaal baten", "")][0] == f"{total}".replace(".", ",") == "10000,12"
    assert by_name[("Financier", "Gemeente Utrecht")] == ["6000,00", "", "60,0"]
    assert by_name[("Grootste financier", "Gemeente Utrecht")] == ["6000,00", "", "60,0"]
    assert "Gemeente Utrecht: 60,0%" in page.by_id("largest-funder").text
    assert by_name[("Inkomstenbron", "Baten van particulieren")] == ["500,12", "500,12", "5,0"]
    hhi = by_name[("Concentratie-index (HHI, 0–10.000)", "")][0]
    assert hhi == page.by_id("hhi").text.replace(".", "") == "4250"


def test_revenue_xlsx_has_amounts_as_numbers(client, login_as, make_user, make_funder,
                                             make_agreement):
    _overview(make_funder, make_agreement)
    login_as(make_user(roles=["auditor"]))

    page = Page(client.get("/finance/funders/revenue?year=2026").text)
    response = client.get("/finance/funders/revenue?year=2026&format=xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][2] == "Baten"
    by_name = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert by_name[("Totaal baten", None)][0] == float(_euros(page.by_id("total-income").text))
    assert by_name[("Financier", "Oranje Fonds")] == [2000.0, None, 20.0]
    assert by_name[("Inkomstenbron",
                    "Baten als tegenprestatie voor de levering van producten en/of diensten")] == [
        1500.0, 1500.0, 15.0]
    amount_cell = next(row for row in sheet.iter_rows() if row[1].value == "Oranje Fonds")[2]
    assert amount_cell.data_type == "n"
    assert amount_cell.number_format == "#,##0.00"


def test_revenue_export_of_a_year_without_income(client, login_as, make_user, books):
    login_as(make_user(roles=["treasurer"], two_factor=True))

    response = client.get("/finance/funders/revenue?year=2026&format=csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Totaal baten", "", "0,00", "", ""]
    assert len(rows) == 5  # header and the four summary rows, no streams or funders
