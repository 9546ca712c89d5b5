"""`flask coop …`: set-up and admin tasks."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import text

from coop.accounts.services import MIN_PASSWORD_LENGTH, AccountError, create_user
from coop.demo.data import load_demo as _load
from coop.directdebit.cli import COMMANDS as direct_debit_commands
from coop.donations.privacy import COMMANDS as donor_commands
from coop.dues.cli import COMMANDS as dues_commands
from coop.extensions import db
from coop.kpis.cli import COMMANDS as kpi_commands
from coop.ledger.cli import COMMANDS as ledger_commands
from coop.members.views.transfer import upload_store
from coop.payments.fake_mollie import main
from coop.permissions import Role
from coop.privacy.services import anonymise_former_members_command

coop_cli = AppGroup("coop", help="Coop administration tasks.")


@coop_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first administrator account."""

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"password needs at least {MIN_PASSWORD_LENGTH} characters")
    try:
        user = create_user(email, name, password, roles=[Role.ADMIN])
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"admin account {user.email} created")


@coop_cli.command("load-demo")
def load_demo() -> None:
    """Load the demo cooperative (invented people) into an empty database."""

    try:
        for line in _load():
            click.echo(line)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error


@coop_cli.command("analyze")
def analyze() -> None:
    """Refresh the database's planner statistics (run after a large import).

    PostgreSQL's autovacuum does this by itself; SQLite keeps no statistics until asked,
    and without them it sorts the whole register instead of walking its indexes.
    """

    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    click.echo("statistics refreshed")


@coop_cli.command("sweep-imports")
def sweep_imports() -> None:
    """Delete member-import uploads older than a day (run daily; they hold personal data)."""

    click.echo(f"{upload_store().sweep()} upload(s) removed")


@coop_cli.command("fake-mollie")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True)
def fake_mollie(host: str, port: int) -> None:
    """Serve the fake Mollie (demo and tests; never in production)."""

    main(["--host", host, "--port", str(port)])


def register(app: Flask) -> None:
    coop_cli.add_command(anonymise_former_members_command)

    for command in dues_commands:
        coop_cli.add_command(command)

    for command in ledger_commands:
        coop_cli.add_command(command)

    for command in direct_debit_commands:
        coop_cli.add_command(command)

    for command in donor_commands:
        coop_cli.add_command(command)

    for command in kpi_commands:
        coop_cli.add_command(command)
    app.cli.add_command(coop_cli)
