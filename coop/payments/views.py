"""Mollie's webhook and paying a dues invoice online.

The webhook is public and exempt from CSRF (Mollie posts it); it trusts nothing but
the id and answers 200 for what it applied or chose to ignore, 503 only when it wants
Mollie to try again (Mollie or the database unavailable).
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import get_locale
from sqlalchemy.exc import OperationalError

from coop.dues import services as dues
from coop.extensions import csrf, db
from coop.mail import send_queued
from coop.payments import services
from coop.payments.gateway import GatewayUnavailable
from coop.payments.models import PaymentStatus
from coop.permissions import public

bp = Blueprint("payments", __name__)


@bp.post("/webhooks/mollie")
@csrf.exempt
@public
def webhook():
    mollie_id = request.form.get("id", "")
    try:
        outcome = services.handle_webhook(mollie_id)
        db.session.commit()
    except GatewayUnavailable as error:
        db.session.rollback()
        current_app.logger.warning("webhook %s: Mollie unavailable (%s)", mollie_id, error)
        return "try again later", 503
    except OperationalError:
        db.session.rollback()
        current_app.logger.exception("webhook %s: database unavailable", mollie_id)
        return "try again later", 503
    # Mails queued by the transition (a thank-you) go out now that it is committed; a
    # failed mail is logged and does not make Mollie retry the webhook.
    send_queued()
    return outcome, 200, {"Content-Type": "text/plain; charset=utf-8"}


def _invoice_or_404(token: str):
    invoice = services.invoice_from_token(token)
    if invoice is None:
        abort(404)
    return invoice


def _pay_page(invoice, key: str, error=None, status: int = 200, in_progress: bool = False):
    return services.allow_checkout_redirect((render_template(
        "payments/pay_invoice.html", invoice=invoice, remaining=dues.remaining_cents(invoice),
        in_progress=in_progress or services.payment_in_progress(invoice), key=key,
        error=error), status))


@bp.route("/pay/invoice/<pay_token>", methods=["GET", "POST"])
@public
def pay_invoice(pay_token: str):
    """The "pay now" link of a dues invoice: no login needed, the token is the key.
    Like a payment page it sends a second visit to the checkout started before, and
    says so when a payment is being processed or the invoice is paid."""
    invoice = _invoice_or_404(pay_token)
    if request.method == "GET":
        return _pay_page(invoice, services.new_idempotency_key())
    key = request.form.get("key", "")
    try:
        payment = services.start_dues_payment(invoice, key, str(get_locale()))
    except services.PaymentInProgress:
        db.session.rollback()
        return _pay_page(invoice, key, in_progress=True)
    except services.PaymentError as error:
        db.session.rollback()
        if not dues.remaining_cents(invoice):  # paid meanwhile: the page says so
            return _pay_page(invoice, key)
        return _pay_page(invoice, key, error, 422)
    db.session.commit()
    if payment.status != PaymentStatus.OPEN or not payment.checkout_url:
        return redirect(services.external_url("payments.paid_return",
                                              payment_reference=payment.idempotency_key))
    return redirect(payment.checkout_url, 303)


@bp.get("/pay/done/<payment_reference>")
@public
def paid_return(payment_reference: str):
    """Where Mollie sends the payer back; shows what we know (the webhook may still be
    on its way, so "open" reads as "being processed")."""
    if not services.IDEMPOTENCY_KEY.fullmatch(payment_reference):
        abort(404)
    payment = services.by_idempotency_key(payment_reference)
    if payment is None or payment.invoice_id is None:
        abort(404)
    from coop.dues.models import Invoice

    invoice = db.session.get(Invoice, payment.invoice_id)
    return render_template("payments/paid_return.html", payment=payment, invoice=invoice,
                           retry_url=services.pay_url(invoice))
