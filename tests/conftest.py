"""Shared fixtures.

Every test gets an empty database: on SQLite a fresh file, on PostgreSQL (set
`TEST_DATABASE_URL=postgresql+psycopg://…`) the schema is created once and all tables are
truncated after each test. Flask-SQLAlchemy 3 ignores a session bound to an outside
connection (flask-sqlalchemy#1167), so no per-test transaction rollback.
"""

import os

import pytest
from flask import g, request_started
from sqlalchemy import text

from config import TestConfig
from coop import create_app
from coop.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def make_config(tmp_path, **overrides):
    class Config(TestConfig):
        WTF_CSRF_ENABLED = False
        DATA_DIR = str(tmp_path)
        INVOICES_DIR = str(tmp_path / "invoices")
        SQLALCHEMY_DATABASE_URI = (
            TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'test.sqlite'}"
        )

    for key, value in overrides.items():
        setattr(Config, key, value)
    return Config


_postgres_schema_ready = False


def pytest_sessionstart(session):
    # The app reads compiled catalogues; compile them so a plain `pytest` is in Dutch.
    from pathlib import Path

    from babel.messages.frontend import CommandLineInterface

    translations = Path(__file__).resolve().parent.parent / "coop" / "translations"
    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(translations)])


def _reset_postgres() -> None:
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            connection.execute(text("DROP FUNCTION IF EXISTS audit_event_refuse_change() CASCADE"))
        db.create_all()
        _postgres_schema_ready = True
    else:
        with db.engine.begin() as connection:
            if _superuser(connection):
                # DELETE with triggers off (the append-only and immutability triggers
                # refuse deletes; foreign keys are triggers too) takes ~4 ms, TRUNCATE of
                # every table ~200 ms a test.
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                connection.execute(text("".join(  # our own metadata's table names
                    f'DELETE FROM "{t.name}";'  # noqa: S608
                    for t in reversed(db.metadata.sorted_tables))))
                connection.execute(text(
                    "SELECT setval(s.oid, 1, false) FROM pg_class s JOIN pg_namespace n "
                    "ON n.oid = s.relnamespace WHERE s.relkind = 'S' "
                    "AND n.nspname = current_schema()"))
            else:
                tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


_is_superuser: bool | None = None


def _superuser(connection) -> bool:
    global _is_superuser
    if _is_superuser is None:
        _is_superuser = bool(connection.execute(text(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())
    return _is_superuser


def _fresh_request_globals(sender, **extra):
    # A test keeps one app context open and every request reuses it, so `g` would carry
    # flask-login's user and flask-babel's locale from one request (and one client) to
    # the next. Each request starts with an empty `g`, as it does in production.
    for name in list(g):
        g.pop(name)


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """An empty SQLite database with the whole schema (tables, triggers), made once: each
    test starts from a copy of the file, which takes a millisecond where `create_all`
    takes a quarter of a second."""
    from importlib import import_module

    from sqlalchemy import create_engine

    from coop import MODEL_MODULES

    for module in MODEL_MODULES:  # every table, as create_app registers them
        import_module(module)
    path = tmp_path_factory.mktemp("schema") / "schema.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def app_factory(tmp_path, sqlite_schema):
    """Build an app with config overrides; its database is empty."""
    import shutil

    made = []

    def build(**overrides):
        app = create_app(make_config(tmp_path, **overrides))
        request_started.connect(_fresh_request_globals, app)
        with app.app_context():
            if ON_POSTGRES:
                _reset_postgres()
            else:
                database = db.engine.url.database
                if database and not os.path.exists(database):
                    shutil.copyfile(sqlite_schema, database)
                db.create_all()  # a no-op on the copy; the whole schema otherwise
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """The mails sent so far (outbox backend), newest last."""
    from coop.mail import OutboxMessage

    def read():
        return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()

    return read


@pytest.fixture
def make_user(app):
    return factories.create_user


@pytest.fixture
def login_as(client):
    """Log a user in on the test client, as after password (and 2FA when enabled)."""

    def do(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["two_factor_ok"] = user.two_factor_enabled
        return user

    return do
