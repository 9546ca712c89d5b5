import pytest

from coop.extensions import db
from coop.settings.services import get_organisation

IBAN = "NL91ABNA0417164300"


@pytest.fixture
def organisation(app):
    """Save the coop's settings; call with overrides (`organisation(dues_proration="full")`)."""

    def save(**values):
        org = get_organisation()
        defaults = {
            "name": "Wijkcoöperatie Oost voor Elkaar",
            "kvk_number": "12345678",
            "iban": IBAN,
            "street": "Oosterstraat 1",
            "postcode": "3581 AB",
            "city": "Utrecht",
            "fiscal_year_start_month": 1,
            "dues_proration": "monthly",
            "payment_term_days": 30,
            "reminder_after_days": 14,
        }
        for key, value in {**defaults, **values}.items():
            setattr(org, key, value)
        db.session.add(org)
        db.session.commit()
        return org

    return save
