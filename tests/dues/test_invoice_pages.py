"""The invoice list and detail pages, and generating dues from the page."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from coop import timeutil
from coop.dues import services
from coop.dues.models import Invoice
from coop.extensions import db
from tests import factories
from tests.charts import page_charts
from tests.pages import Page


@pytest.fixture
def treasurer(login_as):
    return login_as(factories.create_user(roles=["treasurer"], two_factor=True, locale="en"))


def numbers_on(response):
    page = Page(response.text)
    return [
        e.text for e in page.root.iter()
        if e.tag == "a" and re.fullmatch(r"/dues/[0-9]+", e.attrs.get("href") or "")
    ]


def test_the_treasurer_generates_dues_from_the_page(client, treasurer, organisation):
    organisation()
    factories.create_member()
    factories.create_member()

    form = client.get("/dues/generate")
    response = client.post("/dues/generate", data={"fiscal_year": "2026",
                                                   "issue_date": "2026-01-15"})
    again = client.post("/dues/generate", data={"fiscal_year": "2026",
                                                "issue_date": "2026-01-15"},
                        follow_redirects=True)

    assert form.status_code == 200
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Invoice)) == 2
    assert ("Dues 2026: 0 invoices issued, 2 already had one, 0 owe nothing."
            in Page(again.text).flashes())


def test_generate_form_refuses_a_bad_year_at_the_field(client, treasurer, organisation):
    organisation()

    response = client.post("/dues/generate", data={"fiscal_year": "26", "issue_date": "x"})

    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_error("fiscal_year") == "Enter a year between 2000 and 2100."
    assert page.field_error("issue_date")
    assert db.session.scalar(select(Invoice)) is None


def test_list_filters_on_status_with_overdue_and_year(client, treasurer, organisation):
    organisation()
    today = timeutil.local_today()
    overdue = factories.create_invoice(dues_year=2025, issue_date=today - timedelta(days=60))
    not_yet_due = factories.create_invoice(issue_date=today)
    paid = factories.create_invoice(issue_date=today)
    services.record_payment(paid, 2500, today, "cash")
    db.session.commit()

    everything = client.get("/dues/")
    only_overdue = client.get("/dues/", query_string={"status": "overdue"})
    only_open = client.get("/dues/", query_string={"status": "open"})
    only_paid = client.get("/dues/", query_string={"status": "paid"})
    other_year = client.get("/dues/", query_string={"year": today.year - 5})

    assert sorted(numbers_on(everything)) == sorted(
        [overdue.number, not_yet_due.number, paid.number]
    )
    assert numbers_on(only_overdue) == [overdue.number]
    assert "overdue" in only_overdue.text
    assert sorted(numbers_on(only_open)) == sorted([overdue.number, not_yet_due.number])
    assert numbers_on(only_paid) == [paid.number]
    assert numbers_on(other_year) == []


def test_list_finds_an_invoice_by_number_or_name(client, treasurer, organisation):
    organisation()
    wanted = factories.create_invoice(family_name="Jansen")
    factories.create_invoice(family_name="de Vries")

    assert numbers_on(client.get("/dues/", query_string={"q": "jansen"})) == [wanted.number]
    assert numbers_on(client.get("/dues/", query_string={"q": wanted.number})) == [wanted.number]


def test_list_query_count_does_not_grow_with_invoices(app, client, treasurer, organisation):
    organisation(dues_proration="full")
    for _ in range(3):
        factories.create_member()
    services.generate_dues(2026, date(2026, 1, 15))
    db.session.commit()
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/dues/")
        few = len(statements)
        for _ in range(12):
            factories.create_member()
        services.generate_dues(2026, date(2026, 1, 15))
        db.session.commit()
        statements.clear()
        response = client.get("/dues/", query_string={"status": "open", "year": 2026})
        many = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(numbers_on(response)) == 15
    assert many == few <= 15


def test_list_pages_through_many_invoices(client, treasurer, organisation, monkeypatch):
    from coop.dues import views

    organisation()
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        factories.create_invoice()

    first = client.get("/dues/")
    second = client.get("/dues/", query_string={"page": 2})

    assert numbers_on(first) == ["2026-00003", "2026-00002"]
    assert numbers_on(second) == ["2026-00001"]


def test_detail_shows_lines_payments_and_reminders(client, treasurer, organisation):
    organisation()
    invoice = factories.create_invoice()
    services.record_payment(invoice, 1000, date(2026, 1, 20), "cash", today=date(2026, 1, 20))
    services.send_reminders(date(2026, 3, 1))
    db.session.commit()

    response = client.get(f"/dues/{invoice.id}")

    assert response.status_code == 200
    text = Page(response.text).root.text
    assert "Contributie 2026" in text
    assert "€10.00" in text  # paid
    assert "€15.00" in text  # still due
    assert "Reminder 1 sent to" in text
    assert "overdue" in text


def test_an_unknown_invoice_is_not_found(client, treasurer):
    assert client.get("/dues/999").status_code == 404
    assert client.get("/dues/999/pdf").status_code == 404


def test_the_dues_menu_shows_for_finance_readers_only(client, login_as, organisation):
    organisation()
    login_as(factories.create_user(roles=["auditor"]))
    assert 'href="/dues/"' in client.get("/account").text
    login_as(factories.create_user(roles=["member"]))
    assert 'href="/dues/"' not in client.get("/account").text


def test_list_charts_the_dues_collected_per_month(client, treasurer, organisation,
                                                  monkeypatch):
    organisation()
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 3, 15))
    first, second, third = (factories.create_invoice(issue_date=date(2026, 1, 10))
                            for _ in range(3))
    services.record_payment(first, 2500, date(2026, 1, 20), "cash")
    services.record_payment(second, 1000, date(2026, 3, 2), "cash")
    services.record_payment(second, 500, date(2026, 3, 15), "cash")
    gone = services.record_payment(third, 2500, date(2026, 2, 3), "bank_transfer")
    services.reverse_payment(gone, date(2026, 2, 10), "storno")
    db.session.commit()

    charts = page_charts(client.get("/dues/").text)

    chart = charts["Dues collected per month"]
    assert chart.description == ("Dues payments received in each month from April 2025 "
                                 "to March 2026, reversed payments left out.")
    assert chart.head == ["Month", "Collected"]
    assert chart.rows[0] == ["Apr 2025", "€0.00"]
    assert chart.rows[-3:] == [["Jan 2026", "€25.00"], ["Feb 2026", "€0.00"],
                               ["Mar 2026", "€15.00"]]
    assert len(chart.rows) == 12
    assert {"€25", "€15"} <= set(chart.svg_texts)
