"""`flask coop send-reminders`, `flask coop archive-invoices`: dues tasks for cron."""

from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from coop import timeutil
from coop.dues import services
from coop.dues.models import Invoice
from coop.extensions import db


@click.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (default: today in Amsterdam).")
@with_appcontext
def send_reminders_command(today) -> None:
    """Mail a reminder for every overdue invoice that is due one; never twice."""

    day: date = today.date() if today else timeutil.local_today()
    result = services.send_reminders(day)
    db.session.commit()
    click.echo(f"{result.sent} reminders sent, {result.no_email} without email address, "
               f"{result.failed} failed")
    if result.failed:
        raise SystemExit(1)


@click.command("archive-invoices")
@with_appcontext
def archive_invoices_command() -> None:
    """Write the PDF of every invoice that has none in the archive yet."""

    written = 0
    for invoice in db.session.scalars(
        select(Invoice).where(Invoice.pdf_filename.is_(None)).order_by(Invoice.id)
    ):
        services.invoice_pdf_path(invoice)
        db.session.commit()
        written += 1
    click.echo(f"{written} invoice PDFs archived")


COMMANDS = (send_reminders_command, archive_invoices_command)
