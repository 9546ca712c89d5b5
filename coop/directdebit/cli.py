"""`flask coop anonymise-mandates` and `flask coop purge-direct-debit-files`: the
retention of mandates and of pain.008 files, for cron (monthly)."""

from datetime import date

import click
from flask.cli import with_appcontext

from coop import timeutil
from coop.directdebit import services
from coop.extensions import db


@click.command("anonymise-mandates")
@click.option("--dry-run", is_flag=True, help="List the mandates; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (default: today in Amsterdam).")
@with_appcontext
def anonymise_mandates_command(dry_run: bool, today) -> None:
    """Remove account holder and IBAN of mandates 36 months after their last collection."""

    day: date = today.date() if today else timeutil.local_today()
    rows = services.anonymise_mandates(day, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would anonymise" if dry_run else "anonymised"
    for row in rows:
        last = row["last_collection_on"].isoformat() if row["last_collection_on"] else "never"
        click.echo(f"{verb} mandate {row['reference']} (last collection: {last})")
    click.echo(f"{len(rows)} mandate(s) {'would be ' if dry_run else ''}anonymised")


@click.command("purge-direct-debit-files")
@click.option("--dry-run", is_flag=True, help="List the batches; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (default: today in Amsterdam).")
@with_appcontext
def purge_direct_debit_files_command(dry_run: bool, today) -> None:
    """Remove the pain.008 files of batches 14 months after their collection date."""

    day: date = today.date() if today else timeutil.local_today()
    rows = services.purge_batch_files(day, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would remove" if dry_run else "removed"
    for row in rows:
        click.echo(f"{verb} the file of batch {row['message_id']} "
                   f"({row['status']}, collection date {row['collection_date'].isoformat()})")
    click.echo(f"{len(rows)} file(s) {'would be ' if dry_run else ''}removed")


COMMANDS = (anonymise_mandates_command, purge_direct_debit_files_command)
