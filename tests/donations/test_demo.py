"""The demo's online payments go through the fake Mollie with the real client."""

from sqlalchemy import select

from coop.demo.data import load_demo
from coop.donations import services as donations
from coop.donations.models import Campaign, RecurringDonation
from coop.dues.models import Invoice
from coop.extensions import db
from coop.payments.models import OnlinePayment


def test_demo_has_a_campaign_with_gifts_a_monthly_donor_and_dues_paid_online(app_factory,
                                                                          fake):
    app = app_factory(MOLLIE_API_ENDPOINT=fake.url)
    with app.app_context():
        lines = list(load_demo())

        assert any("Buurttuin 1240 of 2000 euros" in line for line in lines)
        garden = db.session.scalar(select(Campaign).where(Campaign.slug == "buurttuin"))
        assert donations.campaign_totals([garden.id])[garden.id] == (124000, 5)
        recurring = db.session.scalars(select(RecurringDonation)).one()
        assert recurring.status == "active"
        dues_payment = db.session.scalar(select(OnlinePayment).where(
            OnlinePayment.purpose == "dues"))
        assert db.session.get(Invoice, dues_payment.invoice_id).status == "paid"
        db.session.remove()
