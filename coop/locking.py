"""Row locks that hold other writers of a row back until the transaction ends.

Stand-in with the PostgreSQL behaviour only (branch security12 builds the real helper,
which also serialises on SQLite); the lead keeps that one at merge.
"""

from sqlalchemy import inspect, select

from coop.extensions import db


def lock_row(model, row_id) -> None:
    """Hold every other writer of this row back until the transaction ends
    (`SELECT … FOR UPDATE` on PostgreSQL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = inspect(model).primary_key[0]
    db.session.execute(select(key).where(key == row_id).with_for_update())
