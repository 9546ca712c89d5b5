"""Payment fixtures: the fake Mollie on a free loopback port and an app that talks to it
with the real client.

The fake keeps its webhook calls (`fake.take_notifications()`); `deliver()` posts them
to the app's webhook through the test client, as Mollie would.
"""

import pytest

from coop.extensions import db
from coop.ledger import services as ledger
from coop.payments.fake_mollie import FakeMollieServer
from coop.settings.services import get_organisation


@pytest.fixture
def fake():
    server = FakeMollieServer(deliver_webhooks=False).start()
    yield server
    server.stop()


@pytest.fixture
def app(app_factory, fake):
    app = app_factory(MOLLIE_API_ENDPOINT=fake.url)
    with app.app_context():
        get_organisation()
        ledger.seed_default_chart()
        ledger.open_fiscal_year(2026)
        db.session.commit()
        yield app
        db.session.remove()


@pytest.fixture
def deliver(client, fake):
    """Post the fake's pending webhook calls to the app; returns the responses."""

    def run():
        return [client.post("/webhooks/mollie", data={"id": mollie_id})
                for _url, mollie_id in fake.take_notifications()]

    return run


@pytest.fixture
def treasurer(make_user):
    return make_user(roles=["treasurer"], two_factor=True)
