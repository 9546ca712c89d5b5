"""Closing and reopening years, the kascommissie's sign-off, and every report's totals
cross-checked: the trial balance and the balance sheet balance, and the income
statement's result is the change in equity."""

from datetime import date

import pytest
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.extensions import db
from coop.ledger import reports
from coop.ledger import services as ledger
from coop.ledger.models import FiscalYear, LedgerAccount
from coop.ledger.services import LedgerError, Line


def _post(day, description, debit, credit, cents):
    return ledger.post_entry(day, description, [Line(debit, debit_cents=cents),
                                                Line(credit, credit_cents=cents)])


@pytest.fixture
def year_of_books(books):
    """2026: a grant, room rental, bar, donations, rent and allowances; 2027 open."""
    _post(date(2026, 1, 2), "Beginsaldo bank", "1100", "0500", 500000)
    _post(date(2026, 2, 1), "Subsidie gemeente 2026", "1100", "8100", 2400000)
    _post(date(2026, 3, 1), "Zaalverhuur maart", "1100", "8300", 45000)
    _post(date(2026, 3, 8), "Baromzet week 10", "1000", "8400", 18750)
    _post(date(2026, 4, 1), "Giften collecte", "1000", "8200", 12300)
    _post(date(2026, 4, 2), "Huur ontmoetingsplek", "4200", "1100", 900000)
    _post(date(2026, 5, 1), "Vrijwilligersvergoedingen", "4000", "1100", 210000)
    _post(date(2026, 6, 1), "Factuur drukwerk", "4500", "1600", 35000)
    ledger.open_fiscal_year(2027)
    db.session.commit()
    return books


INCOME = 2400000 + 45000 + 18750 + 12300
EXPENSES = 900000 + 210000 + 35000


def test_trial_balance_balances(year_of_books):
    balance = reports.trial_balance(date(2026, 3, 1), date(2026, 12, 31))

    assert balance.debit_cents == balance.credit_cents
    assert balance.opening_cents == 0
    assert balance.closing_cents == 0
    bank = next(r for r in balance.rows if r.code == "1100")
    assert bank.opening_cents == 500000 + 2400000
    assert bank.closing_cents == 500000 + 2400000 + 45000 - 900000 - 210000


def test_income_statement_groups_by_rj_categories_and_its_result_is_the_change_in_equity(
    year_of_books,
):
    statement = reports.income_statement(date(2026, 1, 1), date(2026, 12, 31))

    by_category = {g.category: g.total_cents for g in statement.income}
    assert by_category == {"private_individuals": 12300, "government_grants": 2400000,
                           "goods_and_services": 63750}
    assert statement.raised_income_cents == 2412300
    assert statement.result_cents == INCOME - EXPENSES
    change = (reports.equity_including_result(date(2026, 12, 31))
              - reports.equity_including_result(date(2025, 12, 31)))
    assert change == statement.result_cents + 500000  # plus the opening capital


def test_balance_sheet_balances_before_and_after_closing(year_of_books):
    before = reports.balance_sheet(date(2026, 12, 31))
    assert before.balances
    assert before.unappropriated_result_cents == INCOME - EXPENSES

    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    db.session.commit()

    after = reports.balance_sheet(date(2026, 12, 31))
    assert after.balances
    assert after.unappropriated_result_cents == 0
    reserves = next(g for g in after.equity if g.category == "reserves")
    assert reserves.total_cents == 500000 + INCOME - EXPENSES
    assert after.assets_cents == before.assets_cents
    # A closed year still shows its result: closing entries are left out.
    assert reports.income_statement(
        date(2026, 1, 1), date(2026, 12, 31)).result_cents == INCOME - EXPENSES


def test_closed_year_refuses_postings_and_the_close_is_audited(year_of_books):
    ledger.close_fiscal_year(db.session.get(FiscalYear, 2026))
    db.session.commit()

    with pytest.raises(LedgerError, match="2026 is afgesloten") as refused:
        _post(date(2026, 12, 1), "Te laat", "1000", "8400", 100)
    assert refused.value.field == "entry_date"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "finance:year:close"))
    assert event.details["result_cents"] == INCOME - EXPENSES


def test_years_close_in_order(year_of_books):
    with pytest.raises(LedgerError, match="Sluit eerst boekjaar 2026 af"):
        ledger.close_fiscal_year(db.session.get(FiscalYear, 2027))


def test_reopening_undoes_the_closing_entry_drops_the_sign_off_and_is_audited(
    year_of_books, make_user,
):
    auditor = make_user(roles=["auditor"])
    year = db.session.get(FiscalYear, 2026)
    ledger.close_fiscal_year(year)
    ledger.record_finding(year, "Bonnen van de bar compleet.", actor=auditor)
    ledger.sign_off_fiscal_year(year, actor=auditor)
    db.session.commit()
    assert year.signed_off_at is not None

    with pytest.raises(LedgerError) as refused:
        ledger.reopen_fiscal_year(year, " ")
    assert refused.value.field == "reason"
    ledger.reopen_fiscal_year(year, "Vergeten factuur energie")
    db.session.commit()

    assert year.status == "open" and year.signed_off_at is None
    assert reports.balance_sheet(date(2026, 12, 31)).unappropriated_result_cents == (
        INCOME - EXPENSES
    )
    _post(date(2026, 12, 20), "Energie december", "4200", "1600", 12000)
    ledger.close_fiscal_year(year)
    db.session.commit()
    reserves = next(g for g in reports.balance_sheet(date(2026, 12, 31)).equity
                    if g.category == "reserves")
    assert reserves.total_cents == 500000 + INCOME - EXPENSES - 12000
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "finance:year:reopen"))
    assert event.details["reason"] == "Vergeten factuur energie"
    assert event.details["signed_off_at"] is not None


def test_only_a_closed_year_is_signed_off_once(year_of_books):
    year = db.session.get(FiscalYear, 2026)
    with pytest.raises(LedgerError, match="Alleen een afgesloten"):
        ledger.sign_off_fiscal_year(year)
    ledger.close_fiscal_year(year)
    ledger.sign_off_fiscal_year(year)
    with pytest.raises(LedgerError, match="al goedgekeurd"):
        ledger.sign_off_fiscal_year(year)


def test_general_ledger_shows_a_running_balance_from_the_opening(year_of_books):
    bank = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == "1100"))

    lines = reports.general_ledger(bank, date(2026, 3, 1), date(2026, 12, 31))

    assert [line.description for line in lines] == [
        "Zaalverhuur maart", "Huur ontmoetingsplek", "Vrijwilligersvergoedingen"]
    assert lines[0].balance_cents == 500000 + 2400000 + 45000
    assert lines[-1].balance_cents == 500000 + 2400000 + 45000 - 900000 - 210000
    page_two = reports.general_ledger(bank, date(2026, 3, 1), date(2026, 12, 31),
                                      offset=1, limit=1)
    assert page_two[0].balance_cents == lines[1].balance_cents


def test_budget_versus_actual_shows_the_differences(year_of_books):
    accounts = {a.code: a for a in db.session.scalars(select(LedgerAccount))}
    ledger.set_budget(2026, accounts["8100"], 2400000)
    ledger.set_budget(2026, accounts["4200"], 850000)
    centre = ledger.create_cost_centre("BAR", "Buurtbar")
    ledger.set_budget(2026, accounts["8400"], 20000, centre)
    db.session.commit()

    rows = {(r.code, r.cost_centre): r
            for r in reports.budget_vs_actual(2026, date(2026, 1, 1), date(2026, 12, 31))}

    assert rows[("8100", None)].difference_cents == 0
    assert rows[("4200", None)].difference_cents == 50000
    assert rows[("8400", "BAR")].actual_cents == 0  # the bar posting had no cost centre
    assert rows[("4000", None)].budget_cents == 0  # unbudgeted costs show up too
    with pytest.raises(LedgerError) as refused:
        ledger.set_budget(2026, accounts["1100"], 100)
    assert refused.value.field == "account"


def test_cash_forecast_adds_open_dues_and_subtracts_payables(year_of_books):
    from tests import factories

    factories.create_invoice(issue_date=date(2026, 6, 15))  # € 25,00 due 15 July

    liquid, months = reports.cash_forecast(date(2026, 6, 20), months=3)

    assert liquid == 500000 + 2400000 + 45000 + 18750 + 12300 - 900000 - 210000
    assert [m.receivables_cents for m in months] == [0, 2500, 0]
    assert months[0].payables_cents == 35000
    assert months[-1].balance_cents == liquid + 2500 - 35000
