"""The suite empties the database it is given: it refuses one that holds a coop's data."""

import pytest
from sqlalchemy import create_engine, text

from tests import database


@pytest.fixture
def connection(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coop.sqlite'}")
    with engine.begin() as connection:
        # What `flask db upgrade` and a coop's first settings leave behind.
        connection.execute(text("CREATE TABLE alembic_version (version_num text)"))
        connection.execute(text("CREATE TABLE organisation (id integer, name text)"))
        connection.execute(text("INSERT INTO organisation VALUES (1, 'Wijkcoöperatie Zuid')"))
        yield connection
    engine.dispose()


def test_a_database_with_a_coops_data_is_refused_with_a_way_out(connection):
    with pytest.raises(database.ForeignDatabaseError) as refusal:
        database.refuse_foreign_data(connection, environ={})
    message = str(refusal.value)
    assert "holds a coop's data" in message and "bevat de gegevens van een coöperatie" in message
    assert "COOP_TEST_DATABASE_FORCE=1" in message and "createdb" in message


def test_forcing_lets_the_suite_empty_it(connection):
    database.refuse_foreign_data(connection, environ={"COOP_TEST_DATABASE_FORCE": "1"})


def test_the_suites_own_database_passes(connection):
    database.mark(connection)
    database.refuse_foreign_data(connection, environ={})


@pytest.mark.parametrize("statement", [
    "DELETE FROM organisation",  # migrated, no coop set up yet
    "DROP TABLE alembic_version",  # made by an older run of the suite (create_all)
])
def test_a_database_without_a_coops_data_passes(connection, statement):
    connection.execute(text(statement))
    database.refuse_foreign_data(connection, environ={})


def test_a_new_database_passes(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    with engine.connect() as connection:
        database.refuse_foreign_data(connection, environ={})
    engine.dispose()


def test_each_xdist_worker_gets_a_database_beside_the_given_one():
    given = "postgresql+psycopg://tester:secret@127.0.0.1:5432/coop_test"
    assert database.worker_url(given, None) == given
    assert database.worker_url(given, "gw1") == (
        "postgresql+psycopg://tester:secret@127.0.0.1:5432/coop_test_gw1")
    assert database.worker_url("sqlite:///x.sqlite", "gw0") == "sqlite:///x.sqlite"
