"""Settling an invoice: payments by hand, credit notes, write-offs; through the pages."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.dues import services
from coop.dues.models import Invoice, InvoiceLine, Payment
from coop.extensions import db
from tests import factories
from tests.pages import Page


@pytest.fixture
def treasurer(login_as):
    return login_as(factories.create_user(roles=["treasurer"], two_factor=True, locale="en"))


@pytest.fixture
def invoice(organisation):
    organisation()
    return factories.create_invoice()  # € 25,00, issued 15 January 2026


def pay(client, invoice, amount, paid_on="2026-01-20", method="bank_transfer", **extra):
    return client.post(
        f"/dues/{invoice.id}/payments",
        data={"amount": amount, "paid_on": paid_on, "method": method, **extra},
    )


def reload(invoice):
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def tags():
    return db.session.scalars(select(AuditEvent.tag).order_by(AuditEvent.id)).all()


def test_full_payment_marks_the_invoice_paid(client, treasurer, invoice):
    response = pay(client, invoice, "25,00", reference="bank 2026-01-20")

    assert response.status_code == 302
    assert reload(invoice).status == "paid"
    payment = db.session.scalar(select(Payment))
    assert (payment.amount_cents, payment.method, payment.paid_on) == (
        2500, "bank_transfer", date(2026, 1, 20)
    )
    assert payment.recorded_by_id == treasurer.id
    assert "finance:payment:record" in tags()


def test_partial_payment_keeps_the_invoice_open_and_shows_the_rest(client, treasurer, invoice):
    response = pay(client, invoice, "10", method="cash")

    assert reload(invoice).status == "open"
    page = Page(client.get(response.location).text)
    assert any("€15.00 is still due" in flash for flash in page.flashes())

    pay(client, invoice, "15,00")
    assert reload(invoice).status == "paid"


@pytest.mark.parametrize(
    ("amount", "paid_on", "field", "message"),
    [
        ("25,01", "2026-01-20", "amount", "That is more than the €25.00 still due."),
        ("0", "2026-01-20", "amount", "The amount must be more than zero."),
        ("twelve", "2026-01-20", "amount", "Enter an amount like 12,50 or 1.234,56."),
        ("", "2026-01-20", "amount", "This field is required."),
        ("1,234", "2026-01-20", "amount", "An amount has at most two decimals."),
        ("-5", "2026-01-20", "amount", "The amount cannot be negative."),
        ("5", "", "paid_on", "Enter a date like 2026-03-31."),
        ("5", (date.today() + timedelta(days=2)).isoformat(), "paid_on",
         "The payment date cannot be in the future."),
    ],
)
def test_a_bad_payment_is_refused_at_the_field(
    client, treasurer, invoice, amount, paid_on, field, message
):
    response = pay(client, invoice, amount, paid_on=paid_on)

    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_error(field) == message
    assert page.is_invalid(field)
    assert db.session.scalar(select(Payment)) is None
    assert reload(invoice).status == "open"


def test_an_unknown_method_is_refused(client, treasurer, invoice):
    response = pay(client, invoice, "5", method="mollie")

    assert response.status_code == 422
    assert Page(response.text).field_error("method")
    assert db.session.scalar(select(Payment)) is None


@pytest.mark.parametrize("settle", ["paid", "credited", "written_off"])
def test_no_payment_on_an_invoice_that_is_not_open(client, treasurer, invoice, settle):
    if settle == "paid":
        services.record_payment(invoice, 2500, date(2026, 1, 20), "cash")
    elif settle == "credited":
        services.credit_invoice(invoice, date(2026, 1, 20))
    else:
        services.write_off(invoice, "vertrokken zonder adres")
    db.session.commit()

    response = pay(client, invoice, "5")

    assert response.status_code == 422
    assert "This invoice is not open: no payment can be recorded." in Page(response.text).flashes()
    assert db.session.scalar(select(Payment.id).where(Payment.amount_cents == 500)) is None


def test_credit_note_cancels_the_invoice_with_its_own_number(client, treasurer, invoice):
    response = client.post(
        f"/dues/{invoice.id}/credit",
        data={"credit-issue_date": "2026-02-01", "credit-reason": "dubbel ingeschreven"},
    )

    assert response.status_code == 302
    original = reload(invoice)
    assert original.status == "credited"
    credit_note = db.session.scalar(select(Invoice).where(Invoice.kind == "credit_note"))
    assert credit_note.credits_invoice_id == original.id
    assert credit_note.number == "2026-00002"
    assert credit_note.total_cents == -2500
    assert credit_note.person_id == original.person_id
    line = db.session.scalar(select(InvoiceLine).where(InvoiceLine.invoice_id == credit_note.id))
    assert line.amount_cents == -2500
    # The original invoice is unchanged apart from its status.
    assert (original.total_cents, original.number) == (2500, "2026-00001")
    assert {"finance:invoice:issue", "finance:invoice:credit"} <= set(tags())

    detail = client.get(f"/dues/{original.id}").text
    assert "Credited by" in detail and "2026-00002" in detail
    assert "Credits invoice" in client.get(response.location).text


def test_a_credited_invoice_cannot_be_credited_again(client, treasurer, invoice):
    services.credit_invoice(invoice, date(2026, 2, 1))
    db.session.commit()

    with pytest.raises(services.DuesError):
        services.credit_invoice(reload(invoice), date(2026, 2, 2))
    db.session.rollback()
    response = client.post(
        f"/dues/{invoice.id}/credit",
        data={"credit-issue_date": "2026-02-02", "credit-reason": "nog eens"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(Invoice)) == 2


def test_a_partly_paid_invoice_is_not_credited(client, treasurer, invoice):
    services.record_payment(invoice, 1000, date(2026, 1, 20), "cash")
    db.session.commit()

    with force_locale("en"), pytest.raises(services.DuesError, match="write off"):
        services.credit_invoice(reload(invoice), date(2026, 2, 1))


def test_a_credit_note_needs_a_reason(client, treasurer, invoice):
    response = client.post(f"/dues/{invoice.id}/credit", data={"credit-issue_date": "2026-02-01"})

    assert response.status_code == 422
    assert Page(response.text).field_error("credit-reason") == "This field is required."
    assert reload(invoice).status == "open"


def test_write_off_needs_a_reason_and_is_audited(client, treasurer, invoice):
    services.record_payment(invoice, 1000, date(2026, 1, 20), "cash")
    db.session.commit()

    refused = client.post(f"/dues/{invoice.id}/write-off", data={"write_off-reason": ""})
    assert refused.status_code == 422
    assert Page(refused.text).field_error("write_off-reason") == "This field is required."

    response = client.post(f"/dues/{invoice.id}/write-off",
                           data={"write_off-reason": "vertrokken zonder adres"})

    assert response.status_code == 302
    assert reload(invoice).status == "written_off"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "finance:invoice:write_off")
    )
    assert event.details == {"number": "2026-00001", "amount_cents": 1500,
                             "reason": "vertrokken zonder adres"}


def test_board_members_read_but_cannot_record_a_payment(client, login_as, invoice):
    login_as(factories.create_user(roles=["board"]))

    assert client.get(f"/dues/{invoice.id}").status_code == 200
    assert "Record a payment" not in client.get(f"/dues/{invoice.id}").text
    assert pay(client, invoice, "25").status_code == 403
    assert reload(invoice).status == "open"


def test_treasurer_without_a_second_factor_in_this_session_cannot_act(
    client, login_as, invoice
):
    user = factories.create_user(roles=["treasurer"], two_factor=True)
    login_as(user)
    with client.session_transaction() as session:
        session["two_factor_ok"] = False

    assert pay(client, invoice, "25").status_code == 403


# Part of a payment going back (a partial refund or chargeback by the provider) ----------


def test_part_of_a_payment_going_back_leaves_that_part_due(app, invoice):
    paid = services.record_payment(invoice, 2500, date(2026, 1, 20), "bank_transfer",
                                   reference="bank 2026-01-20")
    db.session.commit()

    kept = services.reverse_payment_part(paid, 1000, date(2026, 2, 1), "Deels terug")
    db.session.commit()

    invoice = reload(invoice)
    assert invoice.status == "open"
    assert services.remaining_cents(invoice) == 1000
    assert paid.reversed_on == date(2026, 2, 1) and paid.reversal_reason == "Deels terug"
    assert (kept.amount_cents, kept.method, kept.reference, kept.paid_on) == (
        1500, "bank_transfer", "bank 2026-01-20", date(2026, 2, 1))


@pytest.mark.parametrize("amount", [0, 2501])
def test_going_back_for_nothing_or_more_than_the_payment_changes_nothing(app, invoice, amount):
    paid = services.record_payment(invoice, 2500, date(2026, 1, 20), "bank_transfer")
    db.session.commit()

    with pytest.raises(services.DuesError) as refused:
        services.reverse_payment_part(paid, amount, date(2026, 2, 1), "Terug")
    db.session.rollback()

    assert refused.value.field == "amount"
    assert reload(invoice).status == "paid"
    assert db.session.get(Payment, paid.id).reversed_on is None
