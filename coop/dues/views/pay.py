"""Paying a dues invoice online: the "pay now" link (no login, the token is the key)
and the page Mollie sends the payer back to."""

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import get_locale

from coop.dues import online
from coop.dues import services as dues
from coop.dues.models import Invoice
from coop.extensions import db
from coop.payments import services as payments
from coop.payments.models import PaymentStatus
from coop.permissions import public

bp = Blueprint("pay", __name__)


def _invoice_or_404(token: str):
    invoice = dues.invoice_from_token(token)
    if invoice is None:
        abort(404)
    return invoice


def _pay_page(invoice, key: str, error=None, status: int = 200, in_progress: bool = False):
    return payments.allow_checkout_redirect((render_template(
        "dues/pay_invoice.html", invoice=invoice, remaining=dues.remaining_cents(invoice),
        in_progress=in_progress or online.payment_in_progress(invoice), key=key,
        error=error), status))


@bp.route("/pay/invoice/<pay_token>", methods=["GET", "POST"])
@public
def pay_invoice(pay_token: str):
    """The "pay now" link of a dues invoice: no login needed, the token is the key.
    Like a payment page it sends a second visit to the checkout started before, and
    says so when a payment is being processed or the invoice is paid."""
    invoice = _invoice_or_404(pay_token)
    if request.method == "GET":
        return _pay_page(invoice, payments.new_idempotency_key())
    key = request.form.get("key", "")
    try:
        payment = online.start_dues_payment(invoice, key, str(get_locale()))
    except online.PaymentInProgress:
        db.session.rollback()
        return _pay_page(invoice, key, in_progress=True)
    except payments.PaymentError as error:
        db.session.rollback()
        if not dues.remaining_cents(invoice):  # paid meanwhile: the page says so
            return _pay_page(invoice, key)
        return _pay_page(invoice, key, error, 422)
    if payment.status != PaymentStatus.OPEN or not payment.checkout_url:
        return redirect(payments.external_url("pay.paid_return",
                                              payment_reference=payment.idempotency_key))
    return redirect(payment.checkout_url, 303)


@bp.get("/pay/done/<payment_reference>")
@public
def paid_return(payment_reference: str):
    """Where Mollie sends the payer back; shows what we know (the webhook may still be
    on its way, so "open" reads as "being processed")."""
    if not payments.IDEMPOTENCY_KEY.fullmatch(payment_reference):
        abort(404)
    payment = payments.by_idempotency_key(payment_reference)
    if payment is None or payment.invoice_id is None:
        abort(404)
    invoice = db.session.get(Invoice, payment.invoice_id)
    return render_template("dues/paid_return.html", payment=payment, invoice=invoice,
                           retry_url=dues.pay_url(invoice))
