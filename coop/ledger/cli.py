"""`flask coop seed-chart`, `flask coop open-year`: setting up the books."""

import click
from flask.cli import with_appcontext

from coop.extensions import db
from coop.ledger import services


@click.command("seed-chart")
@with_appcontext
def seed_chart_command() -> None:
    """Add the default chart of accounts (only the accounts not there yet)."""

    added = services.seed_default_chart()
    db.session.commit()
    click.echo(f"{added} accounts added to the chart")


@click.command("open-year")
@click.argument("year", type=int)
@with_appcontext
def open_year_command(year: int) -> None:
    """Open fiscal YEAR (its bounds from the fiscal year start month)."""

    try:
        fiscal_year = services.open_fiscal_year(year)
    except services.LedgerError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"fiscal year {year} opened: {fiscal_year.start_date} to {fiscal_year.end_date}")


COMMANDS = (seed_chart_command, open_year_command)
