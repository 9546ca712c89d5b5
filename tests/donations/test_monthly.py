"""Monthly gifts: the first payment creates a customer and mandate, then a Mollie
subscription; its payments are booked once; the donor stops it from the mail link."""

import re

from sqlalchemy import func, select

from coop.donations.models import Donation, RecurringDonation
from coop.extensions import db
from coop.payments.models import OnlinePayment
from tests.payments.helpers import balance


def _start_monthly(client, amount="5,00"):
    page = client.get("/donate/")
    key = re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', page.text).group(1)
    return client.post("/donate/", data={
        "amount_choice": "other", "amount_other": amount, "frequency": "monthly",
        "donor_kind": "private", "donor_name": "Joost", "donor_email": "joost@example.org",
        "key": key})


def _recurring() -> RecurringDonation:
    db.session.expire_all()
    return db.session.scalars(select(RecurringDonation)).one()


def _active_monthly(client, fake, deliver):
    _start_monthly(client)
    first = db.session.scalars(select(OnlinePayment)).one()
    fake.set_status(first.mollie_id, "paid")
    deliver()
    return _recurring()


def test_first_payment_creates_customer_and_mandate_then_a_subscription(
        client, fake, deliver, outbox):
    response = _start_monthly(client, "5,00")
    first = db.session.scalars(select(OnlinePayment)).one()
    remote = fake.state.payments[first.mollie_id]
    assert response.status_code == 303
    assert (remote["sequenceType"], remote["customerId"]) == ("first", _recurring()
                                                              .mollie_customer_id)

    fake.set_status(first.mollie_id, "paid")
    deliver()

    recurring = _recurring()
    assert recurring.status == "active"
    subscription = fake.state.subscriptions[recurring.mollie_subscription_id]
    assert subscription["status"] == "active"
    assert (subscription["amount"]["value"], subscription["interval"]) == ("5.00", "1 month")
    assert recurring.mollie_mandate_id in fake.state.mandates
    assert balance("8200") == 500  # the first month
    [mail] = outbox()
    assert mail.recipient == "joost@example.org"
    assert "/donate/stop/" in mail.body_text


def test_subscription_payments_are_recorded_and_booked_once(client, fake, deliver, login_as,
                                                            make_user):
    recurring = _active_monthly(client, fake, deliver)

    for _ in range(2):
        fake.charge_subscription(recurring.mollie_subscription_id)
    deliver()
    for mollie_id in list(fake.state.payments):
        client.post("/webhooks/mollie", data={"id": mollie_id})

    assert db.session.scalar(select(func.count()).select_from(Donation)) == 3
    assert balance("8200") == 1500
    login_as(make_user(roles=["board"]))
    overview = client.get("/donations/monthly")
    assert "Joost" in overview.text and "€\u00a015,00" in overview.text
    detail = client.get(f"/donations/monthly/{recurring.id}")
    assert detail.text.count("betaald") >= 3


def test_a_failed_first_payment_starts_no_subscription(client, fake, deliver):
    _start_monthly(client)
    first = db.session.scalars(select(OnlinePayment)).one()

    fake.set_status(first.mollie_id, "failed")
    deliver()

    recurring = _recurring()
    assert recurring.status == "failed"
    assert recurring.mollie_subscription_id is None
    assert fake.state.subscriptions == {}


def test_the_donor_stops_the_monthly_gift_from_the_mail_link(client, fake, deliver, outbox):
    recurring = _active_monthly(client, fake, deliver)
    link = re.search(r"http://localhost(/donate/stop/\S+)", outbox()[0].body_text).group(1)

    confirm = client.get(link)
    stopped = client.post(link, follow_redirects=True)

    assert "Je maandelijkse gift van €\u00a05,00 wordt gestopt" in confirm.text
    assert "Je maandelijkse gift is gestopt." in stopped.text
    assert _recurring().status == "canceled"
    assert fake.state.subscriptions[recurring.mollie_subscription_id]["status"] == "canceled"
    again = client.post(link, follow_redirects=True)
    assert again.status_code == 200  # stopping twice is harmless


def test_a_tampered_stop_link_is_404(client, fake, deliver, outbox):
    _active_monthly(client, fake, deliver)
    link = re.search(r"http://localhost(/donate/stop/\S+)", outbox()[0].body_text).group(1)

    assert client.get(link[:-3] + "abc").status_code == 404
    assert _recurring().status == "active"


def test_the_treasurer_stops_a_monthly_gift(client, fake, deliver, login_as, treasurer):
    recurring = _active_monthly(client, fake, deliver)
    login_as(treasurer)

    response = client.post(f"/donations/monthly/{recurring.id}/stop", follow_redirects=True)

    assert "De maandelijkse gift is gestopt." in response.text
    assert fake.state.subscriptions[recurring.mollie_subscription_id]["status"] == "canceled"


def test_stopping_while_mollie_is_down_changes_nothing(client, fake, deliver, outbox):
    _active_monthly(client, fake, deliver)
    link = re.search(r"http://localhost(/donate/stop/\S+)", outbox()[0].body_text).group(1)
    fake.state.failures_left = 1

    response = client.post(link)

    assert response.status_code == 503
    assert "Online betalen lukt nu even niet" in response.text
    assert _recurring().status == "active"


def test_eight_concurrent_webhooks_for_a_new_subscription_payment_record_it_once(
        app, client, fake, deliver):
    import threading

    recurring = _active_monthly(client, fake, deliver)
    charged = fake.charge_subscription(recurring.mollie_subscription_id, notify=False)
    db.session.remove()
    start = threading.Barrier(8)
    statuses = []

    def call():
        thread_client = app.test_client()
        start.wait()
        statuses.append(thread_client.post("/webhooks/mollie",
                                           data={"id": charged["id"]}).status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200] * 8
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 2
    assert balance("8200") == 1000
