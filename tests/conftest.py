"""Shared fixtures.

Every test gets an empty database: on SQLite a fresh copy of the schema file, on
PostgreSQL (set `TEST_DATABASE_URL=postgresql+psycopg://…`; see tests/database.py) the
schema is created once and all tables are emptied before each test. Flask-SQLAlchemy 3
ignores a session bound to an outside connection (flask-sqlalchemy#1167), so no per-test
transaction rollback.
"""

import os

import pytest
from flask import g, request_started
from jinja2 import BytecodeCache
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.routing import Rule

from config import TestConfig
from coop import create_app
from coop.extensions import db
from tests import database, factories

# The database the user gave; under pytest-xdist each worker uses one of its own beside it
# (tests/database.py), so two workers never empty each other's tables.
GIVEN_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
TEST_DATABASE_URL = database.worker_url(GIVEN_DATABASE_URL, XDIST_WORKER)
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


# Every test builds its own app (create_app), and some of that repeats the same work for
# every test: what follows does it once per session. None changes what a test sees.

# 1. Werkzeug compiles a URL builder per route per app (Python's `compile` on a generated
#    syntax tree): ~220 routes, a quarter of create_app's time. The generated code
#    depends only on the rule's parsed parts, its defaults and `append_unknown` (the
#    converters are looked up on the rule at call time), so one compiled function serves
#    every app's copy of the rule.
_builders: dict = {}
_compile_builder = Rule._compile_builder


def _cached_compile_builder(self, append_unknown=True):
    key = (
        type(self),
        append_unknown,
        tuple(self._trace),
        repr(sorted((self.defaults or {}).items())),
        tuple(sorted((name, type(c)) for name, c in self._converters.items())),
    )
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _cached_compile_builder


# 2. Each app's Jinja environment compiles the templates it renders anew; one bytecode
#    cache for the session keeps the compiled code (keyed on the template's source, so an
#    edited template compiles again).
class _SessionBytecodeCache(BytecodeCache):
    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._store[bucket.key] = bucket.bytecode_to_string()


_bytecode_cache = _SessionBytecodeCache()


# 3. SQLAlchemy caches each statement's compiled SQL per engine, and each app made its own
#    engine: every test compiled the same queries again (a fifth of the CPU time of a
#    test). The apps that `app_factory` builds share one engine per database URL and
#    options; each test still gets an empty database (on SQLite a fresh copy of the schema
#    file at the same path, on PostgreSQL emptied tables), and the pool's connections are
#    closed (`dispose`) after every test as before.
_engines: dict = {}
_share_engines = False
_make_engine = type(db)._make_engine


def _shared_make_engine(bind_key, options, app):
    if not _share_engines:
        return _make_engine(db, bind_key, options, app)
    key = (bind_key, repr(sorted(options.items(), key=lambda item: item[0])))
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = _make_engine(db, bind_key, options, app)
    return engine


db._make_engine = _shared_make_engine


# 4. SQLite waits for the disk (fsync) at every commit: ~13 ms each, several hundred commits
#    a directory. A test database is thrown away, so it need not survive a power cut; the
#    locking (one writer at a time, busy timeout) is the same with `synchronous=OFF`.
@event.listens_for(Engine, "connect")
def _sqlite_no_fsync(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def pytest_sessionstart(session):
    from pathlib import Path

    from babel.messages.frontend import CommandLineInterface
    from sqlalchemy import create_engine

    distributing = not XDIST_WORKER and getattr(session.config.option, "numprocesses", None)
    if ON_POSTGRES and not distributing:  # (xdist's workers check their own databases)
        # Before anything is emptied: the database must be the suite's (or new).
        if XDIST_WORKER:
            database.ensure_database(TEST_DATABASE_URL, GIVEN_DATABASE_URL)
            url = TEST_DATABASE_URL
        else:
            url = GIVEN_DATABASE_URL
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                database.refuse_foreign_data(connection)
        except database.ForeignDatabaseError as refusal:
            pytest.exit(str(refusal), returncode=4)
        except OperationalError as error:
            pytest.exit(f"Cannot use the test database (create it first, e.g. with "
                        f"createdb): {error.orig}", returncode=4)
        finally:
            engine.dispose()
    if XDIST_WORKER:
        return  # the controller compiled the catalogues before it started the workers
    # The app reads compiled catalogues; compile them so a plain `pytest` is in Dutch.
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
        with db.engine.begin() as connection:
            database.mark(connection)
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


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory):
    """Where the apps of `app_factory` keep their SQLite database: one path for the session
    (so they share an engine, see above); each test starts it from a copy of the schema."""
    return tmp_path_factory.mktemp("database") / "test.sqlite"


@pytest.fixture
def app_factory(tmp_path, sqlite_schema, sqlite_database):
    """Build an app with config overrides; its database is empty."""
    import shutil

    made = []
    # A fresh database for this test: a new file (unlinked first, so a connection that a
    # test left open keeps the old file and cannot see or spoil this one).
    for leftover in (sqlite_database, sqlite_database.with_name("test.sqlite-journal")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(sqlite_schema, sqlite_database)

    def build(**overrides):
        global _share_engines
        overrides.setdefault("SQLALCHEMY_DATABASE_URI",
                             TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{sqlite_database}")
        _share_engines = True
        try:
            app = create_app(make_config(tmp_path, **overrides))
        finally:
            _share_engines = False
        app.jinja_env.bytecode_cache = _bytecode_cache
        request_started.connect(_fresh_request_globals, app)
        with app.app_context():
            if ON_POSTGRES:
                _reset_postgres()
            else:
                database = db.engine.url.database
                if database != str(sqlite_database):  # a test's own database
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
