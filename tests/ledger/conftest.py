"""Ledger fixtures: the default chart and an open fiscal year 2026 (calendar year)."""

import pytest

from coop.extensions import db
from coop.ledger import services as ledger
from coop.settings.services import get_organisation


@pytest.fixture
def books(app):
    """The default chart of accounts and fiscal year 2026, open."""
    get_organisation()
    ledger.seed_default_chart()
    ledger.open_fiscal_year(2026)
    db.session.commit()
    return app


@pytest.fixture
def treasurer(make_user):
    return make_user(roles=["treasurer"], two_factor=True)
