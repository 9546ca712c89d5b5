"""Budget lines: the treasurer removes one from the budgets page; a closed year's
budget no longer changes."""

from datetime import date

import pytest
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import Budget, FiscalYear, LedgerAccount
from coop.ledger.services import LedgerError, Line
from tests.charts import page_charts
from tests.pages import Page


@pytest.fixture
def as_treasurer(books, login_as, treasurer):
    return login_as(treasurer)


def _account(code: str) -> LedgerAccount:
    return db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))


def _remove_buttons(page: Page) -> list[str]:
    return [e.attrs.get("aria-label") for e in page.root.iter()
            if e.tag == "button" and e.text == "Verwijderen"]


def test_treasurer_removes_a_budget_line_from_its_row(client, as_treasurer):
    ledger.post_entry(date(2026, 4, 1), "Huur", [
        Line("4200", debit_cents=90000), Line("1100", credit_cents=90000)])
    rent = ledger.set_budget(2026, _account("4200"), 85000)
    ledger.set_budget(2026, _account("4700"), 30000)
    db.session.commit()
    page = Page(client.get("/finance/budgets?year=2026").text)
    assert len(_remove_buttons(page)) == 2
    assert "€ 850,00 € 900,00 € 50,00" in page.root.text

    response = client.post(f"/finance/budgets/{rent.id}/remove")

    assert response.status_code == 302
    page = Page(client.get(response.location).text)
    assert "Begrotingsregel verwijderd." in page.flashes()[0]
    # The rent still shows, with its costs, at a budget of zero; insurance keeps its line.
    assert "€ 0,00 € 900,00 € 900,00" in page.root.text
    assert "€ 300,00" in page.root.text
    assert [b.account_id for b in db.session.scalars(select(Budget))] == [
        _account("4700").id]
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.tag == "finance:budget:remove"))
    assert event.details["account"] == "4200"
    assert event.details["amount_cents"] == 85000


def test_a_closed_years_budget_can_neither_be_removed_nor_changed(client, as_treasurer):
    budget = ledger.set_budget(2026, _account("4200"), 85000)
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    db.session.commit()
    page = Page(client.get("/finance/budgets?year=2026").text)
    assert _remove_buttons(page) == []
    assert "2026 is afgesloten" in page.root.text

    removed = client.post(f"/finance/budgets/{budget.id}/remove")
    changed = client.post("/finance/budgets", data={
        "fiscal_year": "2026", "account": str(_account("4200").id), "amount": "900,00"})

    assert removed.status_code == 422
    assert any("2026 is afgesloten" in text for text in Page(removed.text).flashes())
    assert changed.status_code == 422
    assert "2026 is afgesloten" in Page(changed.text).field_error("fiscal_year")
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).amount_cents == 85000


def test_next_years_budget_can_be_set_and_removed_before_the_year_is_opened(books):
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    with pytest.raises(LedgerError, match="2026 is afgesloten"):
        ledger.set_budget(2026, _account("4200"), 1)

    budget = ledger.set_budget(2027, _account("4200"), 95000)  # 2027 is not opened yet
    assert db.session.scalar(select(Budget)) is budget
    ledger.remove_budget(budget)
    assert db.session.scalar(select(Budget)) is None


def test_readers_see_no_remove_button(client, books, login_as, make_user):
    ledger.set_budget(2026, _account("4200"), 85000)
    db.session.commit()
    login_as(make_user(roles=["board"]))

    page = Page(client.get("/finance/budgets?year=2026").text)

    assert "€ 850,00" in page.root.text
    assert _remove_buttons(page) == []


def test_budget_page_charts_budget_beside_actual(client, as_treasurer):
    ledger.post_entry(date(2026, 4, 1), "Huur", [
        Line("4200", debit_cents=90000), Line("1100", credit_cents=90000)])
    ledger.set_budget(2026, _account("4200"), 85000)
    ledger.set_budget(2026, _account("4700"), 30000)
    db.session.commit()

    charts = page_charts(client.get("/finance/budgets?year=2026").text)

    costs = charts["Kosten: begroot en werkelijk"]
    assert costs.description == "Begrote en werkelijke kosten per rekening in 2026."
    assert costs.head == ["Rekening", "Begroting", "Werkelijk"]
    assert [row[1:] for row in costs.rows] == [["€\u00a0850,00", "€\u00a0900,00"],
                                               ["€\u00a0300,00", "€\u00a00,00"]]
    assert costs.rows[0][0].startswith("4200 ")
    assert {"€\u00a0850", "€\u00a0900", "€\u00a0300"} <= set(costs.svg_texts)
    assert "Baten: begroot en werkelijk" not in charts  # no income line in this year
