"""`flask coop …` commands: the first admin and the demo cooperative."""

import shlex
import subprocess

import pyotp
from sqlalchemy import select

from coop.accounts.models import User
from coop.audit import AuditEvent
from coop.extensions import db
from coop.permissions import Role
from coop.settings.models import Organisation


def test_create_admin_makes_an_account_that_can_log_in(app, client):
    result = app.test_cli_runner().invoke(
        args=["coop", "create-admin", "--email", "Beheer@Example.org", "--name", "Beheer",
              "--password", "lang-genoeg-wachtwoord"],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "beheer@example.org"))
    assert user.roles == {Role.ADMIN}
    response = client.post(
        "/login", data={"email": "beheer@example.org", "password": "lang-genoeg-wachtwoord"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEvent.tag).where(AuditEvent.tag == "accounts:user:create"))


def test_create_admin_refuses_short_password_and_saves_nothing(app):
    result = app.test_cli_runner().invoke(
        args=["coop", "create-admin", "--email", "a@example.org", "--name", "A",
              "--password", "kort"],
    )
    assert result.exit_code != 0
    assert "10 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_admin_refuses_existing_email(app, make_user):
    make_user("bestaat@example.org")
    result = app.test_cli_runner().invoke(
        args=["coop", "create-admin", "--email", "bestaat@example.org", "--name", "B",
              "--password", "lang-genoeg-wachtwoord"],
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.email == "bestaat@example.org")).roles == set()


def test_demo_loads_a_coop_whose_board_can_log_in(app, client):
    result = app.test_cli_runner().invoke(args=["coop", "load-demo"])
    assert result.exit_code == 0, result.output
    assert "voorzitter@oosterlicht.example" in result.output
    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Wijkcoöperatie Oosterlicht U.A."
    response = client.post(
        "/login",
        data={"email": "voorzitter@oosterlicht.example", "password": "oosterlicht-demo"},
    )
    assert response.headers["Location"] == "/"
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Oosterlicht" in dashboard.text


def test_the_demo_prints_a_two_factor_command_that_works_from_any_directory(app, tmp_path):
    from coop.demo.data import DEMO_TREASURER_TOTP

    result = app.test_cli_runner().invoke(args=["coop", "load-demo"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "two-factor" in line)
    command = shlex.split(line.split("the current code: ", 1)[1])
    printed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,  # noqa: S603 - the demo's own command
                             timeout=60, check=False)
    assert printed.returncode == 0, printed.stderr
    code = printed.stdout.strip()
    assert pyotp.TOTP(DEMO_TREASURER_TOTP).verify(code, valid_window=1), code


def test_demo_refuses_a_database_that_holds_a_coop(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["coop", "load-demo"]).exit_code == 0
    second = runner.invoke(args=["coop", "load-demo"])
    assert second.exit_code != 0
    assert "already holds an organisation" in second.output


def test_demo_has_members_a_year_of_dues_and_overdue_invoices(app, client, login_as):
    from coop.dues.models import Invoice
    from coop.members.models import Membership, Person
    from tests import factories

    assert app.test_cli_runner().invoke(args=["coop", "load-demo"]).exit_code == 0
    memberships = db.session.scalars(select(Membership)).all()
    invoices = db.session.scalars(select(Invoice).where(Invoice.dues_year == 2026)).all()
    statuses = {m.status for m in memberships}
    assert len(memberships) > 60
    assert {"active", "ended", "aspirant", "suspended"} <= statuses
    assert {i.status for i in invoices} == {"paid", "open"}
    member = db.session.scalar(
        select(Person).join(User, User.id == Person.user_id)
        .where(User.email == "lid@oosterlicht.example")
    )
    assert member is not None
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))
    overdue = client.get("/dues/", query_string={"status": "overdue"})
    assert overdue.status_code == 200
    open_numbers = [i.number for i in invoices if i.status == "open"]
    assert open_numbers and all(number in overdue.text for number in open_numbers[:5])


def test_analyze_refreshes_the_planner_statistics(app):
    result = app.test_cli_runner().invoke(args=["coop", "analyze"])

    assert result.exit_code == 0, result.output
    assert "statistics refreshed" in result.output
    if db.engine.dialect.name == "sqlite":
        from sqlalchemy import text

        tables = db.session.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert "sqlite_stat1" in tables
