"""One bank line handled from several screens at the same moment: it is booked or
matched once, the other attempts get a clear refusal (no server error), on SQLite and
PostgreSQL."""

from sqlalchemy import func, select

from coop.bank.models import BankTransaction
from coop.dues.models import Payment
from coop.extensions import db
from coop.ledger.models import JournalEntry
from tests import factories
from tests.bank.test_matching import _account, _import, _line
from tests.concurrency import at_once

ALREADY = "already been matched or booked"


def _refusals(responses):
    return [r for r in responses if r.status_code != 302]


def test_six_bookings_of_one_line_at_once_book_it_once(app, bank_books, treasurer):
    treasurer.locale = "en"
    [line] = _import(_line(-1250, text="Kosten betalingsverkeer", bank_reference="R2"))
    line_id = line.id
    url = f"/finance/bank/transactions/{line_id}/book"
    form = {"account": str(_account("4900").id), "description": "Bankkosten maart"}

    responses = at_once(app, [lambda client: client.post(url, data=form)] * 6,
                        as_user=treasurer)

    assert sorted(r.status_code for r in responses).count(302) == 1
    assert all(r.status_code == 422 and ALREADY in r.text for r in _refusals(responses))
    assert db.session.get(BankTransaction, line_id).status == "booked"
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 1


def test_six_matches_of_one_line_at_once_record_one_payment(app, bank_books, treasurer):
    treasurer.locale = "en"
    invoice = factories.create_invoice()
    [line] = _import(_line(reference=invoice.payment_reference, bank_reference="R1"))
    url = f"/finance/bank/transactions/{line.id}/match"
    form = {"invoice": invoice.number}

    responses = at_once(app, [lambda client: client.post(url, data=form)] * 6,
                        as_user=treasurer)

    assert sorted(r.status_code for r in responses).count(302) == 1
    assert all(r.status_code == 422 and ALREADY in r.text for r in _refusals(responses))
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
