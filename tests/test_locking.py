"""`coop.locking`: a row lock holds writers back on SQLite and PostgreSQL alike."""

import threading
import time

from coop.dues.models import InvoiceSequence
from coop.extensions import db
from coop.locking import lock_row, locked, locked_row


def _in_threads(app, count, work):
    """Run `work()` in `count` threads at once, each in its own app context (its own
    session and connection); returns the exceptions raised."""
    start = threading.Barrier(count)
    errors = []

    def run():
        with app.app_context():
            start.wait()
            try:
                work()
            except Exception as error:
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _counter_value():
    db.session.expire_all()
    return db.session.get(InvoiceSequence, 2026).last_number


def test_read_then_write_under_lock_row_loses_no_update(app):
    db.session.add(InvoiceSequence(fiscal_year=2026, last_number=0))
    db.session.commit()

    def work():
        # A read before the lock, as a view does when it loads its objects.
        db.session.get(InvoiceSequence, 2026)
        row = locked(InvoiceSequence, 2026)
        seen = row.last_number
        time.sleep(0.02)
        row.last_number = seen + 1
        db.session.commit()

    assert _in_threads(app, 5, work) == []
    assert _counter_value() == 5


def test_lock_row_after_a_write_in_the_same_transaction_waits_for_nobody_else(app):
    db.session.add(InvoiceSequence(fiscal_year=2026, last_number=0))
    db.session.commit()

    years = iter(range(3000, 3004))
    take = threading.Lock()

    def work():
        with take:
            year = next(years)
        db.session.add(InvoiceSequence(fiscal_year=year, last_number=0))
        db.session.flush()  # the transaction is open and has written
        lock_row(InvoiceSequence, 2026)
        row = db.session.get(InvoiceSequence, 2026, populate_existing=True)
        seen = row.last_number
        time.sleep(0.02)
        row.last_number = seen + 1
        db.session.commit()

    assert _in_threads(app, 4, work) == []
    assert _counter_value() == 4


def test_a_counter_row_is_created_once_and_counts_every_taker(app):
    def work():
        row = locked_row(InvoiceSequence, {"fiscal_year": 2026}, last_number=0)
        seen = row.last_number
        time.sleep(0.02)
        row.last_number = seen + 1
        db.session.commit()

    assert _in_threads(app, 5, work) == []
    assert _counter_value() == 5


def test_a_savepoint_outside_a_transaction_does_not_commit_on_release(app):
    db.session.add(InvoiceSequence(fiscal_year=2026, last_number=0))
    db.session.commit()

    with db.session.begin_nested():
        db.session.add(InvoiceSequence(fiscal_year=2027, last_number=0))
    db.session.rollback()

    assert db.session.get(InvoiceSequence, 2027) is None
