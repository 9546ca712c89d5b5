"""Mollie's webhook (paying a dues invoice online is `coop.dues.views.pay`).

The webhook is public and exempt from CSRF (Mollie posts it); it trusts nothing but
the id and answers 200 for what it applied or chose to ignore, 503 only when it wants
Mollie to try again (Mollie or the database unavailable).
"""

from flask import Blueprint, current_app, request
from sqlalchemy.exc import OperationalError

from coop.extensions import csrf, db
from coop.mail import send_queued
from coop.payments import services
from coop.payments.gateway import GatewayUnavailable
from coop.permissions import public

bp = Blueprint("payments", __name__)


@bp.post("/webhooks/mollie")
@csrf.exempt
@public
def webhook():
    mollie_id = request.form.get("id", "")
    # The webhook commits on its own (not at the end of the request, `coop.web`): its
    # answer tells Mollie whether to try again, so a commit that fails must answer 503.
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
