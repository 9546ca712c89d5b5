"""Bank fixtures: the coop's current account set, the ledger's books, the sample statement."""

from pathlib import Path

import pytest

from tests import factories
from tests.ledger.conftest import books, treasurer  # noqa: F401 - shared fixtures

SAMPLES = Path(__file__).parent / "samples"
COOP_IBAN = "NL12TRIO0198765432"


@pytest.fixture
def bank_books(books):  # noqa: F811
    """The books of 2026 and the coop's current account (linked to 1100 Bank)."""
    factories.set_bank_account(COOP_IBAN)
    return books


@pytest.fixture
def sample():
    return (SAMPLES / "camt053_2026-03.xml").read_bytes()
