"""The demo coop's funders, earmarked funds and bank statement."""

from datetime import date

from sqlalchemy import func, select

from coop.bank.models import BankTransaction
from coop.extensions import db
from coop.funders import services as funders
from coop.funders.models import FunderAgreement
from tests import factories
from tests.pages import Page


def test_demo_has_funders_linked_to_the_books_and_a_statement_to_work_on(app, client,
                                                                          login_as):
    assert app.test_cli_runner().invoke(args=["coop", "load-demo"]).exit_code == 0

    overview = funders.revenue_overview(date(2026, 1, 1), date(2026, 12, 31))
    assert overview.largest.name == "Gemeente Utrecht"
    assert overview.largest.cents == 2_400_000 + 4 * 450_000
    assert overview.concentration_warning
    rtc = db.session.scalar(select(FunderAgreement).where(
        FunderAgreement.reference == "RtC-2026-03"))
    row = funders.earmark_of(rtc)
    assert (row.received_cents, row.spent_cents) == (1_800_000, 1_200_000)
    assert funders.deadlines_needing_attention(date.today())
    statuses = dict(db.session.execute(select(BankTransaction.status, func.count())
                                       .group_by(BankTransaction.status)).all())
    assert statuses["matched"] == 1
    assert statuses["open"] >= 2

    login_as(factories.create_user(roles=["board"]))
    page = Page(client.get("/finance/funders/revenue?year=2026").text)
    assert page.by_id("concentration-warning") is not None
    assert "Tussenrapportage" in Page(client.get("/dashboard/").text).by_id(
        "funder-reports").text
