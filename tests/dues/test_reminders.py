"""Reminders for overdue invoices: when, to whom, and never twice."""

from datetime import date, timedelta

from sqlalchemy import select

from coop import timeutil
from coop.dues import services
from coop.dues.models import ReminderLog
from coop.extensions import db
from tests import factories

# Issued 15 January 2026, due 14 February (30 days); first reminder 14 days later.
DUE = date(2026, 2, 14)


def remind(today):
    result = services.send_reminders(today)
    db.session.commit()
    return result


def test_no_reminder_before_the_configured_days_after_the_due_date(organisation, outbox):
    organisation(reminder_after_days=14)
    factories.create_invoice()

    assert remind(date(2026, 2, 27)).sent == 0
    assert outbox() == []


def test_reminder_goes_once_to_the_members_email(organisation, outbox):
    organisation(reminder_after_days=14)
    invoice = factories.create_invoice(email="lid@example.org", given_name="Fatima",
                                       family_name="El Amrani")

    first = remind(date(2026, 2, 28))
    again = remind(date(2026, 2, 28))
    next_day = remind(date(2026, 3, 1))

    assert (first.sent, again.sent, next_day.sent) == (1, 0, 0)
    [mail] = outbox()
    assert mail.recipient == "lid@example.org"
    assert "2026-00001" in mail.subject
    assert "Fatima El Amrani" in mail.body_text
    assert "€\u00a025,00" in mail.body_text
    assert "NL91 ABNA 0417 1643 00" in mail.body_text
    [log] = db.session.scalars(select(ReminderLog)).all()
    assert (log.invoice_id, log.level, log.recipient) == (invoice.id, 1, "lid@example.org")


def test_a_second_reminder_follows_after_as_many_days_and_then_no_more(organisation, outbox):
    # The pause between reminders counts from when the first was really sent: today.
    organisation(reminder_after_days=14)
    today = timeutil.local_today()
    factories.create_invoice(issue_date=today - timedelta(days=100))

    assert remind(today).sent == 1
    assert remind(today + timedelta(days=13)).sent == 0
    assert remind(today + timedelta(days=14)).sent == 1
    assert remind(today + timedelta(days=200)).sent == 0  # two reminders are the most

    levels = db.session.scalars(select(ReminderLog.level).order_by(ReminderLog.id)).all()
    assert levels == [1, 2]
    assert len(outbox()) == 2


def test_paid_and_credited_invoices_get_no_reminder(organisation, outbox):
    organisation()
    paid = factories.create_invoice()
    services.record_payment(paid, 2500, date(2026, 2, 1), "cash", today=date(2026, 2, 1))
    credited = factories.create_invoice()
    services.credit_invoice(credited, date(2026, 2, 1))
    db.session.commit()

    assert remind(date(2026, 4, 1)).sent == 0
    assert outbox() == []


def test_partly_paid_invoice_reminder_names_the_rest(organisation, outbox):
    organisation()
    invoice = factories.create_invoice()
    services.record_payment(invoice, 1000, date(2026, 2, 1), "cash", today=date(2026, 2, 1))
    db.session.commit()

    remind(date(2026, 3, 1))

    assert "€\u00a015,00" in outbox()[0].body_text


def test_a_member_without_email_is_counted_not_mailed(organisation, outbox):
    organisation()
    factories.create_invoice(email=None)

    result = remind(date(2026, 3, 1))

    assert (result.sent, result.no_email) == (0, 1)
    assert db.session.scalar(select(ReminderLog)) is None


def test_the_treasurer_sends_reminders_with_a_button(client, login_as, organisation, outbox):
    organisation()
    factories.create_invoice()  # long overdue by today
    login_as(factories.create_user(roles=["treasurer"], two_factor=True, locale="en"))

    response = client.post("/dues/reminders")
    client.post("/dues/reminders")

    assert response.status_code == 302
    assert len(outbox()) == 1


def test_the_cli_sends_reminders_once(app, organisation, outbox):
    organisation()
    factories.create_invoice()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["coop", "send-reminders", "--today", "2026-03-01"])
    second = runner.invoke(args=["coop", "send-reminders", "--today", "2026-03-01"])

    assert first.exit_code == 0, first.output
    assert "1 reminders sent" in first.output
    assert "0 reminders sent" in second.output
    assert len(outbox()) == 1
