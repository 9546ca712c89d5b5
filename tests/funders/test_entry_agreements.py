"""Booking manual journal lines against a funder agreement: the entry form's selector,
its refusals, the entry page, and reversals that keep the link."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.funders import services as funders
from coop.ledger.models import JournalEntry, JournalLine
from tests.funders.conftest import post_income
from tests.pages import Page


@pytest.fixture
def as_treasurer(books, login_as, treasurer):
    return login_as(treasurer)


def _form(agreement_value, day="2026-03-08"):
    return {
        "entry_date": day, "description": "Voorschot subsidie huiskamer",
        "lines-0-account": "1100", "lines-0-debit": "6.000,00", "lines-0-credit": "",
        "lines-1-account": "8100", "lines-1-debit": "", "lines-1-credit": "6.000,00",
        "lines-1-agreement": agreement_value,
    }


def _options(page: Page, select_id: str) -> list[str]:
    select_element = page.by_id(select_id)
    return [option.text for option in select_element.iter() if option.tag == "option"]


def test_entry_form_offers_the_agreements_by_funder_and_number(
    client, as_treasurer, make_funder, make_agreement,
):
    make_agreement(make_funder("Gemeente Utrecht"), "Beschikking 2026-0102",
                   title="Subsidie huiskamer")
    make_agreement(make_funder("Oranje Fonds", "fund"), "OF-2025-77", kind="fund_grant",
                   title="Buurtmoestuin", start=date(2025, 1, 1), end=date(2025, 12, 31))
    db.session.commit()

    options = _options(Page(client.get("/finance/entries/new").text), "lines-3-agreement")

    assert "Gemeente Utrecht · Beschikking 2026-0102 · Subsidie huiskamer" in options
    # Ended before the open fiscal year 2026: nothing can be booked against it any more.
    assert not any("OF-2025-77" in option for option in options)


def test_treasurer_books_a_line_against_an_agreement(
    client, as_treasurer, make_funder, make_agreement,
):
    agreement = make_agreement(make_funder("Gemeente Utrecht"), "Beschikking 2026-0102")
    db.session.commit()

    response = client.post("/finance/entries/new", data=_form(str(agreement.id)))

    assert response.status_code == 302
    lines = db.session.scalars(select(JournalLine).order_by(JournalLine.id)).all()
    assert [line.agreement_id for line in lines] == [None, agreement.id]
    page = Page(client.get(response.location).text)
    link = next(e for e in page.root.iter() if e.tag == "a"
                and e.attrs.get("href") == f"/finance/funders/agreements/{agreement.id}")
    assert link.text == "Gemeente Utrecht · Beschikking 2026-0102 · Subsidie huiskamer"
    assert funders.earmark_of(agreement).received_cents == 600_000


@pytest.mark.parametrize(
    ("value", "message"),
    [("999999", "Kies een overeenkomst uit de lijst"),
     ("x' OR 1=1", "Kies een overeenkomst uit de lijst"),
     ("ended", "is afgelopen op 28 feb 2026")],
    ids=["unknown-id", "not-a-number", "ended"],
)
def test_forged_or_ended_agreement_is_refused_at_its_line(
    client, as_treasurer, make_funder, make_agreement, value, message,
):
    ended = make_agreement(make_funder(), "G-KORT", start=date(2026, 1, 1),
                           end=date(2026, 2, 28))
    db.session.commit()

    response = client.post("/finance/entries/new",
                           data=_form(str(ended.id) if value == "ended" else value))

    assert response.status_code == 422
    page = Page(response.text)
    assert message in (page.field_error("lines-1-agreement") or ""), page.field_error(
        "lines-1-agreement")
    assert page.field_error("lines-0-agreement") is None
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_agreement_may_be_booked_up_to_its_last_day(
    client, as_treasurer, make_funder, make_agreement,
):
    ended = make_agreement(make_funder(), "G-KORT", start=date(2026, 1, 1),
                           end=date(2026, 2, 28))
    db.session.commit()

    response = client.post("/finance/entries/new", data=_form(str(ended.id), "2026-02-28"))

    assert response.status_code == 302
    assert funders.earmark_of(ended).received_cents == 600_000


def test_reversal_keeps_the_agreement_and_the_earmark_nets_to_zero(
    client, as_treasurer, make_funder, make_agreement,
):
    agreement = make_agreement(make_funder(), "G-1")
    entry = post_income(250_000, "8100", agreement)
    assert funders.earmark_of(agreement).received_cents == 250_000

    response = client.post(f"/finance/entries/{entry.id}/reverse",
                           data={"entry_date": "2026-03-10", "reason": "Dubbel geboekt"})

    assert response.status_code == 302
    reversal = db.session.scalar(select(JournalEntry).where(
        JournalEntry.reverses_entry_id == entry.id))
    assert [line.agreement_id for line in db.session.scalars(
        select(JournalLine).where(JournalLine.entry_id == reversal.id)
        .order_by(JournalLine.id))] == [None, agreement.id]
    row = next(r for r in funders.earmarks(date(2026, 1, 1), date(2026, 12, 31))
               if r.agreement_id == agreement.id)
    assert (row.received_cents, row.spent_cents) == (0, 0)
    assert "G-1" in Page(client.get(response.location).text).root.text
