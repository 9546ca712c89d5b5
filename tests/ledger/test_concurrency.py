"""Entry numbers under load: entries posted at the same moment each get their own next
number (no server error from a duplicate number), on SQLite and PostgreSQL."""

from sqlalchemy import select

from coop.extensions import db
from coop.ledger.models import JournalEntry
from tests.concurrency import at_once


def test_six_manual_entries_at_once_are_all_posted_with_consecutive_numbers(
        app, books, treasurer):
    form = {"entry_date": "2026-03-08", "description": "Baromzet", "reference": "Kasblad",
            "lines-0-account": "1000", "lines-0-debit": "10,00", "lines-0-credit": "",
            "lines-1-account": "8400", "lines-1-debit": "", "lines-1-credit": "10,00"}

    responses = at_once(app, [lambda client: client.post("/finance/entries/new", data=form)]
                        * 6, as_user=treasurer)

    assert [r.status_code for r in responses] == [302] * 6
    numbers = db.session.scalars(select(JournalEntry.number)).all()
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
