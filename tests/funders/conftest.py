"""Funder fixtures: the ledger's books (default chart, 2026 open) and helpers to post
income and costs against an agreement."""

from datetime import date

import pytest

from coop.extensions import db
from coop.funders import services as funders
from coop.ledger import services as ledger
from coop.ledger.services import Line
from tests.ledger.conftest import books, treasurer  # noqa: F401 - shared fixtures


@pytest.fixture
def make_funder(books):  # noqa: F811
    def make(name="Gemeente Utrecht", kind="municipality"):
        return funders.create_funder({"name": name, "kind": kind})

    return make


@pytest.fixture
def make_agreement(make_funder):
    def make(funder=None, reference="Beschikking 2026-0102", amount_cents=2_400_000,
             kind="grant_decision", start=date(2026, 1, 1), end=date(2026, 12, 31), **extra):
        return funders.create_agreement({
            "funder": funder or make_funder(f"Gemeente {reference}"), "kind": kind,
            "reference": reference,
            "title": extra.pop("title", "Subsidie huiskamer"), "amount_cents": amount_cents,
            "start_date": start, "end_date": end, **extra,
        })

    return make


def post_income(cents, account="8100", agreement=None, day=date(2026, 3, 1)):
    links = {"agreement_id": agreement.id} if agreement is not None else {}
    entry = ledger.post_entry(day, "Ontvangst", [
        Line("1100", debit_cents=cents), Line(account, credit_cents=cents, links=links)])
    db.session.commit()
    return entry


def post_cost(cents, account="4300", agreement=None, day=date(2026, 4, 1)):
    links = {"agreement_id": agreement.id} if agreement is not None else {}
    entry = ledger.post_entry(day, "Uitgave", [
        Line(account, debit_cents=cents, links=links), Line("1100", credit_cents=cents)])
    db.session.commit()
    return entry
