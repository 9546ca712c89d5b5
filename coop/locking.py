"""Row locks that hold on both databases: the one way to say "hold every other writer of
this row back until the transaction ends".

Every rule that counts before it writes (a proxy cap, the next entry number, booking a
bank line once, what is left to pay of an invoice, one active mandate, one appointment
per seat) calls `lock_row` first and only then reads what it counts.

PostgreSQL
    `lock_row` is `SELECT id FROM … WHERE id = … FOR UPDATE`: a second writer of the
    same row waits at its own `lock_row` until the first commits or rolls back. Under
    READ COMMITTED every later statement of the waiter sees what the first committed.

SQLite (the default database)
    `FOR UPDATE` does not exist there (SQLAlchemy leaves it out) and a reader never
    blocks a writer, so the only lock there is is the database's write lock: one writing
    transaction at a time. `lock_row` takes it, which serialises all writers, not just
    those of the row; it is held from the call to the commit, so keep slow work (a call
    to Mollie) before the lock where the rule allows.

    How it is taken matters. Python's sqlite3 driver (in its default, "legacy"
    transaction control, which the app keeps) opens a transaction only right before the
    first INSERT/UPDATE/DELETE; reads before that run outside any transaction and hold no
    lock afterwards. So on a connection

    - not in a transaction, `lock_row` issues `BEGIN IMMEDIATE`: it takes the write lock
      at once, waiting (the busy timeout, `SQLITE_BUSY_TIMEOUT_SECONDS`) while another
      connection holds it. Because this connection holds no read lock yet, SQLite does
      wait here instead of failing at once;
    - already in a transaction, that transaction was opened by a write and so holds the
      write lock already; `lock_row` asserts it with a write that matches no row (it
      must hold the lock, or it fails).

    The pitfall avoided: a *deferred* transaction that has read and then tries to write
    gets SQLITE_BUSY at once when another connection holds the write lock (SQLite's
    deadlock avoidance in rollback-journal mode; SQLITE_BUSY_SNAPSHOT in WAL), without
    waiting. A deferred transaction with reads only arises here from a SAVEPOINT issued
    outside a transaction (SQLite then opens a deferred one, and releasing the savepoint
    would even commit it); `install()` makes such a SAVEPOINT start with
    `BEGIN IMMEDIATE` instead, so on SQLite every open transaction holds the write lock.

    Read-only requests never start a transaction on SQLite, so pages that only read are
    not slowed or serialised by any of this.

Why not the alternatives: `BEGIN IMMEDIATE` for every POST would hold the one write
lock through work that needs none (a call to Mollie, rendering a PDF) and serialise
every form of the app; SQLAlchemy's pysqlite recipe that begins every transaction
explicitly (`isolation_level=None` plus a "begin" event) would make every read hold a
shared lock until the commit and bring the deferred-transaction pitfall to every
request that reads before it writes. A no-op UPDATE of the row itself (what
`payments._lock` did) takes the write lock too, but cannot be used on rows whose
update triggers refuse any update (a posted journal entry) and writes for nothing.

The helpers:

- `lock_row(model, row_id)` and `locked(model, row_id)` (the row re-read): one row;
- `lock_rows(select(...), of=..., skip_locked=...)`: the rows a queue query reads;
- `locked_row(model, key, **defaults)`: a counter row, created if missing;
- `lock_key(name)`: a rule about a row that does not exist yet (one payment per form
  key): a transaction-scoped advisory lock on PostgreSQL, the write lock on SQLite.

Callers must read what they count *after* the lock (objects loaded before may be stale:
`locked()` returns the row re-read). Lock rows in the same order everywhere on
PostgreSQL (a payment before its invoice), or two writers can deadlock there.
"""

import hashlib

from sqlalchemy import event, false, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from coop.extensions import db


def lock_row(model, row_id) -> None:
    """Hold every other writer of `model`'s row `row_id` back until this transaction
    ends (see the module's docstring for how, per database). Raises
    sqlalchemy.exc.OperationalError when the lock is not had within the database's
    timeout."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _take_sqlite_write_lock(connection)
    else:
        key = _primary_key(model)
        connection.execute(select(key).where(key == row_id).with_for_update())


def locked(model, row_id):
    """`model`'s row `row_id` locked as by `lock_row`, read afresh from the database
    (None when there is no such row)."""
    lock_row(model, row_id)
    return db.session.get(model, row_id, populate_existing=True)


def lock_rows(statement, **for_update):
    """`statement`, a SELECT whose rows stay locked as by `lock_row` once it has run
    (queues and batches: `of=`, `skip_locked=` as for `with_for_update`). On SQLite the
    write lock is taken now (SKIP LOCKED then means: wait for the other run)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _take_sqlite_write_lock(connection)
        return statement
    return statement.with_for_update(**for_update)


def locked_row(model, key: dict, **defaults):
    """The row of `model` with primary key `key`, created if missing, locked until the
    transaction ends (counters and sequences).

    The row is created with an insert that ignores a conflict, so two transactions that
    both find it missing cannot both create it (the second insert waits for the first,
    then does nothing); then it is locked with `lock_row` and read afresh.
    """
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    lock_first = db.session.get_bind().dialect.name == "sqlite"
    if lock_first:  # the write lock before the insert: the insert must not open it
        _take_sqlite_write_lock(db.session.connection())
    db.session.execute(
        insert(model).values(**key, **defaults).on_conflict_do_nothing(index_elements=list(key))
    )
    query = select(model).filter_by(**key)
    if not lock_first:
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def lock_key(name: str) -> None:
    """Hold every other transaction that locks the same `name` back until this one ends:
    for rules about a row that does not exist yet (one payment per form key). On
    PostgreSQL a transaction-scoped advisory lock on a 64-bit hash of `name`; on SQLite
    the database's write lock, as `lock_row` takes it."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _take_sqlite_write_lock(connection)
    else:
        digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
        connection.execute(select(func.pg_advisory_xact_lock(
            int.from_bytes(digest, "big", signed=True))))


def _take_sqlite_write_lock(connection) -> None:
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # Opened by a write (or by `BEGIN IMMEDIATE`): the write lock is ours. Assert it
    # with a write that changes no row (of any table; no trigger fires); it fails when
    # the transaction holds no write lock and another connection does.
    table = db.metadata.sorted_tables[0]
    column = next(iter(table.columns))
    connection.execute(update(table).where(false()).values({column.name: column}))


def _primary_key(model):
    (column,) = model.__table__.primary_key.columns
    return column


def _savepoint_takes_the_write_lock(connection, name) -> None:
    # On SQLite a SAVEPOINT outside a transaction opens a deferred one, which can read
    # and then fail at once on its first write; and releasing that savepoint commits.
    # Open a write transaction first instead (a savepoint is only used around writes).
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def install() -> None:
    """Register the SQLite savepoint rule on every engine (idempotent)."""
    if not event.contains(Engine, "savepoint", _savepoint_takes_the_write_lock):
        event.listen(Engine, "savepoint", _savepoint_takes_the_write_lock)
