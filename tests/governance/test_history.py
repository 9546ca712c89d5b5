"""History is kept: the database refuses to delete or rewrite a term, in the schema the
models create and in the one the migrations build; stepping down is recorded once."""

from datetime import date

import flask_migrate
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from coop.extensions import db
from tests import factories
from tests.test_migrations import _migrate, empty_database_app  # noqa: F401 - fixture

REFUSED = {
    "delete": "DELETE FROM appointment",
    "move_the_start": "UPDATE appointment SET start_date = '2020-01-01'",
    "lengthen_the_term": "UPDATE appointment SET end_date = '2040-01-01'",
    "another_person": "UPDATE appointment SET person_id = person_id + 1",
}


def _one_term():
    body = factories.create_body("board")
    return factories.appoint(factories.create_position(body, "voorzitter"),
                             start_date=date(2024, 6, 15))


def _assert_history_is_kept(appointment_id: int) -> None:
    for statement in REFUSED.values():
        with pytest.raises(DBAPIError, match="appointment history is kept"):
            db.session.execute(text(statement))
        db.session.rollback()

    db.session.execute(text(
        "UPDATE appointment SET ended_on = '2025-01-31', end_reason = 'Verhuisd'"))
    db.session.commit()
    with pytest.raises(DBAPIError, match="appointment history is kept"):
        db.session.execute(text("UPDATE appointment SET ended_on = '2025-03-31'"))
    db.session.rollback()
    assert db.session.execute(
        text("SELECT start_date, ended_on, end_reason FROM appointment WHERE id = :id"),
        {"id": appointment_id},
    ).one()[2] == "Verhuisd"


def test_the_database_keeps_the_history_of_terms(app):
    appointment = _one_term()

    _assert_history_is_kept(appointment.id)


def test_the_migrated_database_keeps_the_history_of_terms(empty_database_app):  # noqa: F811
    _migrate(flask_migrate.upgrade)

    _assert_history_is_kept(_one_term().id)
