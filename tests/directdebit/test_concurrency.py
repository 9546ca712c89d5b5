"""Signing a mandate with a double click: one active mandate, the other clicks a clear
refusal, no server error, on SQLite and PostgreSQL."""

from sqlalchemy import func, select

from coop.directdebit.models import Mandate
from coop.extensions import db
from coop.members.models import Person
from tests import factories
from tests.concurrency import at_once
from tests.directdebit.conftest import MEMBER_IBAN


def test_four_signings_at_once_make_one_mandate(app, coop):
    membership = factories.create_member()
    person = db.session.get(Person, membership.person_id)
    user = factories.create_user(person.email, roles=["member"], locale="en")
    person.user_id = user.id
    form = {"account_holder": "A. de Vries", "iban": MEMBER_IBAN, "consent": "y"}

    responses = at_once(app, [lambda client: client.post("/portal/direct-debit", data=form)]
                        * 4, as_user=user)

    assert sorted(r.status_code for r in responses) == [302, 422, 422, 422]
    for refused in (r for r in responses if r.status_code == 422):
        assert "There is an active mandate already" in refused.text
    assert db.session.scalar(select(func.count(Mandate.id))) == 1
