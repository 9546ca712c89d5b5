from datetime import timedelta

import pytest

from coop.accounts import services
from coop.timeutil import utcnow


@pytest.fixture
def login_clock(monkeypatch):
    """Stop the clock login attempts are recorded and throttled by; `advance(seconds)`
    lets that much time pass. The waits a test reads are then exact, however slow the
    machine."""
    now = [utcnow()]
    monkeypatch.setattr(services, "utcnow", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    return advance
