import pytest

from coop.extensions import db
from coop.settings import services as settings
from coop.settings.services import get_organisation
from tests import factories

IBAN = "NL91ABNA0417164300"


@pytest.fixture
def organisation(app):
    """Save the coop's settings; call with overrides (`organisation(dues_proration="full")`)."""

    def save(**values):
        org = get_organisation()
        defaults = {
            "name": "Wijkcoöperatie Oost voor Elkaar",
            "kvk_number": "12345678",
            "street": "Oosterstraat 1",
            "postcode": "3581 AB",
            "city": "Utrecht",
            "fiscal_year_start_month": 1,
            "dues_proration": "monthly",
            "payment_term_days": 30,
            "reminder_after_days": 14,
        }
        iban = values.pop("iban", IBAN)
        for key, value in {**defaults, **values}.items():
            setattr(org, key, value)
        db.session.add(org)
        db.session.commit()
        if iban and settings.payment_iban() is None:
            factories.set_bank_account(iban)  # the current account: on every invoice
        return org

    return save
