"""The PostgreSQL database a test run empties: one per xdist worker, never a coop's own.

The suite drops and recreates every table of the database that TEST_DATABASE_URL names.
With pytest-xdist (`-n 2`) each worker gets a database of its own, named after the given
one (`coop_test` → `coop_test_gw0`, `coop_test_gw1`), created on the first run; it is never
dropped. A database that holds a coop's data and not the suite's marker table is refused,
unless COOP_TEST_DATABASE_FORCE=1 says to empty it anyway. A coop's database is one that
`flask db upgrade` made (an alembic_version table: the suite makes its tables without
migrations) with an organisation row; so the suite's own databases from before the marker
pass too.
"""

import os
import time

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

FORCE_VARIABLE = "COOP_TEST_DATABASE_FORCE"
# A table the suite creates in a database it has emptied: a later run knows it as its own.
MARKER_TABLE = "coop_test_suite_marker"


class ForeignDatabaseError(Exception):
    """The database holds a coop's data: the suite would destroy it."""


def worker_url(url: str, worker: str | None) -> str:
    """The database URL for one xdist worker (`gw0`, …); the URL itself without xdist."""
    if not worker or not url.startswith("postgresql"):
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
        hide_password=False)


def ensure_database(url: str, maintenance_url: str) -> None:
    """Create the database of `url` when it does not exist, connected to `maintenance_url`
    (the database the user gave) or, when that one is missing, to `postgres`. Needs the
    CREATEDB privilege."""
    name = make_url(url).database
    engine = create_engine(maintenance_url, isolation_level="AUTOCOMMIT")
    try:
        engine.connect().close()
    except OperationalError:
        engine.dispose()
        engine = create_engine(make_url(maintenance_url).set(database="postgres"),
                               isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(5):
            try:
                with engine.connect() as connection:
                    exists = connection.execute(
                        text("SELECT 1 FROM pg_database WHERE datname = :name"),
                        {"name": name}).scalar()
                    if not exists:
                        quoted = connection.dialect.identifier_preparer.quote(name)
                        connection.execute(text(f"CREATE DATABASE {quoted}"))
                return
            except (OperationalError, ProgrammingError):
                # Two workers creating at once may collide on the template database.
                if attempt == 4:
                    raise
                time.sleep(0.5)
    finally:
        engine.dispose()


def refuse_foreign_data(connection: Connection, environ=os.environ) -> None:
    """Raise ForeignDatabaseError when the database holds a coop's data (migrated, with an
    organisation row) and no marker of a test run. COOP_TEST_DATABASE_FORCE=1 lets it pass."""
    if environ.get(FORCE_VARIABLE) == "1":
        return
    tables = set(inspect(connection).get_table_names())
    if MARKER_TABLE in tables or not {"organisation", "alembic_version"} <= tables:
        return
    if not connection.execute(text("SELECT EXISTS (SELECT 1 FROM organisation)")).scalar():
        return
    database = connection.engine.url.database
    raise ForeignDatabaseError(
        f"The database {database!r} holds a coop's data (an organisation) and was not made "
        "by the test suite, which empties every table of the database it is given. Give "
        "the tests a database of their own (createdb coop_test; "
        "TEST_DATABASE_URL=postgresql+psycopg://user@host/coop_test), or set "
        f"{FORCE_VARIABLE}=1 to empty this one anyway.\n"
        f"De database {database!r} bevat de gegevens van een coöperatie en is niet door de "
        "testsuite gemaakt; de tests maken elke tabel leeg. Geef de tests een eigen "
        f"database, of zet {FORCE_VARIABLE}=1 om deze toch leeg te maken.")


def mark(connection: Connection) -> None:
    """Mark the database as the suite's own (after it emptied it)."""
    connection.execute(text(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (made_by text)"))
