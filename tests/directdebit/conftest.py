"""Direct debit fixtures: the coop with its creditor details, members with invoices."""

from datetime import date

import pytest

from coop.directdebit import services
from coop.extensions import db
from coop.ledger import services as ledger
from coop.members.models import Person
from coop.settings.services import get_organisation
from tests import factories

CREDITOR_ID = "NL79ZZZ999999990000"  # the Dutch banks' example: KvK 99999999
KVK = "99999999"
COOP_IBAN = "NL91ABNA0417164300"
COOP_BIC = "ABNANL2A"
MEMBER_IBAN = "NL44RABO0123456789"  # an example account with valid check digits
TODAY = date(2026, 2, 2)  # a Monday
COLLECTION_DAY = date(2026, 2, 16)  # 14 days later, a Monday


@pytest.fixture
def coop(app):
    """The coop's settings with incassant-ID, IBAN and BIC; the books of 2026 open."""
    org = get_organisation()
    for key, value in {
        "name": "Wijkcoöperatie Oost voor Elkaar", "kvk_number": KVK,
        "bic": COOP_BIC, "creditor_id": CREDITOR_ID, "fiscal_year_start_month": 1,
    }.items():
        setattr(org, key, value)
    db.session.add(org)
    ledger.seed_default_chart()
    ledger.open_fiscal_year(2026)
    db.session.commit()
    factories.set_bank_account(COOP_IBAN)
    return org


@pytest.fixture
def treasurer(make_user, login_as):
    return login_as(make_user(roles=["treasurer"], two_factor=True))


def member_with_invoice(dues_cents=2500, **person_values):
    """A member (with an account) and their open 2026 dues invoice."""
    membership_type = factories.create_membership_type(dues_cents=dues_cents)
    membership = factories.create_member(membership_type=membership_type, **person_values)
    invoice = factories.create_invoice(membership)
    person = db.session.get(Person, membership.person_id)
    return person, invoice


def give_mandate(person, **values):
    defaults = {
        "account_holder": person.display_name, "iban": MEMBER_IBAN, "signed_on": date(2026, 1, 20),
        "source": "paper", "today": TODAY,
    }
    mandate = services.sign_mandate(person, **{**defaults, **values})
    db.session.commit()
    return mandate
