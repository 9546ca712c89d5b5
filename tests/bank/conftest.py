"""Bank fixtures: the coop's IBAN set, the ledger's books, the sample statement."""

from pathlib import Path

import pytest

from coop.extensions import db
from coop.settings.services import get_organisation
from tests.ledger.conftest import books, treasurer  # noqa: F401 - shared fixtures

SAMPLES = Path(__file__).parent / "samples"
COOP_IBAN = "NL12TRIO0198765432"


@pytest.fixture
def bank_books(books):  # noqa: F811
    organisation = get_organisation()
    organisation.iban = COOP_IBAN
    db.session.add(organisation)
    db.session.commit()
    return books


@pytest.fixture
def sample():
    return (SAMPLES / "camt053_2026-03.xml").read_bytes()
