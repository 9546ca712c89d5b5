"""Online payments: starting a Mollie payment, the webhook's state machine, booking,
refunds and chargebacks.

Services flush but do not commit; the caller commits once.

Exactly once, whatever the network does:

- a payment is created at Mollie *before* our row, with an idempotency key that the
  form carries: a retry after a timeout or a failed commit gets the same Mollie
  payment back, and our row is unique per key and per Mollie id;
- the webhook trusts only the id: it fetches the payment from Mollie, locks our row
  (an UPDATE, so SQLite takes its write lock too) and applies the transition; the
  status history is unique per (payment, status) and every booking's journal entry is
  referenced by a unique column, so a repeated, late or concurrent webhook books
  nothing twice.
"""

import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, make_response
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coop import audit, timeutil
from coop.errors import ServiceError
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose
from coop.ledger.services import EntrySpec, LedgerError, Line
from coop.locking import locked
from coop.money import format_money, format_plain
from coop.payments import signals
from coop.payments.gateway import (
    GatewayNotFound,
    GatewayRefused,
    GatewayUnavailable,
    MolliePayment,
    gateway,
)
from coop.payments.models import (
    TRANSITIONS,
    MoneyBack,
    MoneyBackKind,
    OnlinePayment,
    PaymentPurpose,
    PaymentStatus,
    PaymentStatusChange,
    SequenceType,
)
from coop.security import CONTENT_SECURITY_POLICY
from coop.signals import values_from_signal
from coop.templating import money_locale
from coop.timeutil import utcnow

MOLLIE_PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,36}$")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class PaymentError(ServiceError):
    """A refused or failed payment action: a translated message and its form field."""


UNAVAILABLE = _l("Online payment is not available right now. Nothing has been charged; "
                 "please try again in a few minutes.")


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on BASE_URL: Mollie and mail readers reach the app there."""
    base = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def checkout_origin() -> str:
    """The origin of Mollie's hosted checkout (the fake's own, when configured so)."""
    origin = current_app.config.get("MOLLIE_CHECKOUT_ORIGIN")
    if not origin:
        endpoint = urlsplit(current_app.config["MOLLIE_API_ENDPOINT"])
        origin = f"{endpoint.scheme}://{endpoint.netloc}"
    return origin


def allow_checkout_redirect(response):
    """Let a form on this page send the browser on to Mollie's checkout: the app's CSP
    (`form-action 'self'`) also governs where a form's redirect may go."""

    response = make_response(response)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {checkout_origin()}")
    return response


def by_idempotency_key(key: str) -> OnlinePayment | None:
    return db.session.scalar(select(OnlinePayment).where(OnlinePayment.idempotency_key == key))


def start_payment(*, purpose: PaymentPurpose, amount_cents: int, description: str,
                  idempotency_key: str, redirect_url: str, locale: str | None,
                  donation_id: int | None = None, invoice_id: int | None = None,
                  customer_id: str | None = None,
                  sequence_type: SequenceType = SequenceType.ONEOFF) -> OnlinePayment:
    """Create the Mollie payment (the same key answers the same payment) and our row.

    Raises PaymentError when Mollie is unreachable, slow or refuses: nothing is
    stored then, and the same form may be sent again safely.
    """
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key or ""):
        raise PaymentError(_l("The form expired. Please submit it again."))
    metadata = {"reference": idempotency_key, "purpose": str(purpose)}
    if donation_id:
        metadata["donation_id"] = donation_id
    if invoice_id:
        metadata["invoice_id"] = invoice_id
    try:
        remote = gateway().create_payment(
            amount_cents=amount_cents, description=description, redirect_url=redirect_url,
            webhook_url=external_url("payments.webhook"), metadata=metadata,
            idempotency_key=idempotency_key, locale=locale, customer_id=customer_id,
            sequence_type=str(sequence_type),
        )
    except GatewayUnavailable as error:
        current_app.logger.warning("Mollie unavailable creating a payment: %s", error)
        raise PaymentError(UNAVAILABLE) from None
    except GatewayRefused as error:
        current_app.logger.error("Mollie refused a payment: %s", error)
        raise PaymentError(UNAVAILABLE) from None
    if remote.amount_cents != amount_cents:
        current_app.logger.error("Mollie answered payment %s for another amount", remote.id)
        raise PaymentError(UNAVAILABLE)
    payment = OnlinePayment(
        mollie_id=remote.id, idempotency_key=idempotency_key, purpose=str(purpose),
        donation_id=donation_id, invoice_id=invoice_id, amount_cents=amount_cents,
        status=PaymentStatus.OPEN.value, sequence_type=str(sequence_type),
        checkout_url=remote.checkout_url,
        details={"customer_id": customer_id} if customer_id else {},
    )
    db.session.add(payment)
    db.session.flush()
    db.session.add(PaymentStatusChange(payment_id=payment.id, from_status=None,
                                       to_status=PaymentStatus.OPEN.value))
    db.session.flush()
    return payment


# The webhook --------------------------------------------------------------------------


def lock_payment(mollie_id: str) -> OnlinePayment | None:
    """Our row for `mollie_id` (None: not ours), locked until the transaction ends and
    re-read (two webhooks for one payment queue up), marked as checked now."""
    payment_id = db.session.scalar(
        select(OnlinePayment.id).where(OnlinePayment.mollie_id == mollie_id))
    if payment_id is None:
        return None
    payment = locked(OnlinePayment, payment_id)
    payment.checked_at = utcnow()
    return payment


def handle_webhook(mollie_id: str) -> str:
    """Apply what Mollie says about payment `mollie_id`; returns `applied` or `ignored`.

    Raises GatewayUnavailable when Mollie cannot be asked (the webhook answers an error
    so Mollie tries again later).
    """
    mollie_id = (mollie_id or "").strip()
    if not MOLLIE_PAYMENT_ID.fullmatch(mollie_id):
        return "ignored"
    try:
        remote = gateway().get_payment(mollie_id)
    except GatewayNotFound:
        current_app.logger.info("webhook for unknown Mollie payment %s ignored", mollie_id)
        return "ignored"
    except GatewayRefused as error:
        current_app.logger.error("Mollie refused to show payment %s: %s", mollie_id, error)
        return "ignored"
    payment = lock_payment(mollie_id)
    if payment is None and remote.subscription_id:
        found = values_from_signal(signals.subscription_payment, remote=remote)
        payment = found[0] if found else None
    if payment is None:
        current_app.logger.info("webhook for payment %s that is not ours ignored", mollie_id)
        return "ignored"
    apply_remote(payment, remote)
    return "applied"


def flag(payment: OnlinePayment, reason: str) -> None:
    """Mark the payment for the treasurer (the reason is audited once)."""
    if payment.flag != reason:
        payment.flag = reason[:300]
        audit.record("finance:online_payment:flag", {"mollie_id": payment.mollie_id,
                                                      "reason": reason}, obj=payment)


def apply_remote(payment: OnlinePayment, remote: MolliePayment) -> None:
    """Bring our row to Mollie's state: the status transition (once), the booking of a
    paid payment, its fee, and refunds, chargebacks and reversed chargebacks not booked
    yet.

    An amount we did not expect (another currency, another value, an amount refunded or
    charged back that is not in euros) books nothing and flags the payment for the
    treasurer; the status still follows Mollie, so the webhook is answered and Mollie
    stops retrying."""
    reference = (remote.metadata or {}).get("reference")
    if payment.sequence_type != SequenceType.RECURRING and reference != payment.idempotency_key:
        flag(payment, "Mollie's metadata does not name this payment: not booked")
        return
    amount_differs = remote.amount_cents != payment.amount_cents
    if amount_differs:
        flag(payment, f"Mollie reports {remote.amount_text}, we expected "
                      f"{payment.amount_cents} cents ({format_plain(payment.amount_cents)} "
                      "EUR): not booked")
    new_status = remote.status
    if new_status != payment.status and new_status in TRANSITIONS.get(payment.status, ()):
        db.session.add(PaymentStatusChange(payment_id=payment.id, from_status=payment.status,
                                           to_status=new_status))
        payment.status = new_status
        if new_status == PaymentStatus.PAID:
            payment.paid_at = remote.paid_at or utcnow()
            if not amount_differs:
                payment.fee_cents = _fee_of(remote)
        db.session.flush()
        if new_status == PaymentStatus.PAID and not amount_differs:
            _book_paid(payment)
        _after_transition(payment, remote)
    if payment.status != PaymentStatus.PAID or amount_differs:
        return
    if payment.fee_cents is None and _fee_of(remote) is not None:
        # Mollie reported its fee only after the payment was booked.
        payment.fee_cents = _fee_of(remote)
        if payment.fee_cents:
            book(payment, [("fee_entry_id", lambda: _fee_spec(payment))])
    if remote.refunded_cents is None or remote.charged_back_cents is None:
        flag(payment, "Mollie reports an amount refunded or charged back that is not in "
                       "euros: not booked")
        return
    if remote.refunded_cents > payment.refunded_cents:
        for refund in gateway().refunds(payment.mollie_id):
            if refund.status in ("failed", "canceled"):
                continue
            if refund.amount_cents is None:
                flag(payment, f"refund {refund.id} of {refund.amount_text}: not booked")
                continue
            _record_money_back(payment, MoneyBackKind.REFUND, refund.id,
                               refund.amount_cents, refund.description or None)
    if remote.charged_back_cents or payment.charged_back_cents:
        # Also while all is booked: a chargeback can be reversed later (`reversedAt`),
        # and Mollie need not lower the amount charged back when it is.
        for chargeback in gateway().chargebacks(payment.mollie_id):
            if chargeback.amount_cents is None:
                flag(payment, f"chargeback {chargeback.id} of {chargeback.amount_text}: "
                               "not booked")
                continue
            _record_money_back(payment, MoneyBackKind.CHARGEBACK, chargeback.id,
                               chargeback.amount_cents, chargeback.description or None)
            if chargeback.reversed_at is not None:
                _reverse_chargeback(payment, chargeback.id, chargeback.reversed_at)


def _after_transition(payment: OnlinePayment, remote: MolliePayment) -> None:
    signals.status_changed.send(payment.purpose, payment=payment, remote=remote)


# Booking ------------------------------------------------------------------------------


def _fee_of(remote: MolliePayment) -> int | None:
    """Mollie's fee, when it reports one: the amount minus what it settles."""
    if remote.settlement_cents is None or remote.amount_cents is None:
        return None
    fee = remote.amount_cents - remote.settlement_cents
    return fee if 0 <= fee < remote.amount_cents else None


def book(target, entries: list[tuple[str, object]]) -> None:
    """Post entries (`(column, make_spec)` pairs) together inside a savepoint and store
    each entry's id in its column of `target`; a refusal by the ledger (a closed year,
    a missing account) books none of them and flags the payment instead."""
    payment = target if isinstance(target, OnlinePayment) else db.session.get(
        OnlinePayment, target.payment_id)
    try:
        with db.session.begin_nested():
            ledger.ensure_chart()
            specs = [make_spec() for _column, make_spec in entries]
            posted = ledger.post_entries(specs, open_missing_year=True)
            for (column, _make_spec), entry in zip(entries, posted, strict=True):
                setattr(target, column, entry.id)
            db.session.flush()
    except LedgerError as error:
        flag(payment, f"Not booked: {error.message}")


def spec(day, description: str, lines: list[Line], reference: str) -> EntrySpec:
    return EntrySpec(entry_date=day, description=description[:300], lines=lines,
                     reference=reference)


def _fee_spec(payment: OnlinePayment) -> EntrySpec:
    return spec(
        timeutil.local_date(payment.paid_at), f"Transactiekosten Mollie {payment.mollie_id}",
        [Line(ledger.account_for(AccountPurpose.PAYMENT_FEES), debit_cents=payment.fee_cents),
         Line(ledger.account_for(AccountPurpose.BANK), credit_cents=payment.fee_cents)],
        payment.mollie_id,
    )



def _book_paid(payment: OnlinePayment) -> None:
    """The owner of the payment settles it (a gift's income, a dues payment on its
    invoice); Mollie's fee is posted with the entries it returns, or apart when it
    booked the money itself."""
    fee = [("fee_entry_id", lambda: _fee_spec(payment))] if payment.fee_cents else []
    settled = values_from_signal(signals.paid, payment.purpose, payment=payment)
    if not settled or settled[0] is False:
        return
    if settled[0] or fee:
        book(payment, [*settled[0], *fee])


def _record_money_back(payment: OnlinePayment, kind: MoneyBackKind, mollie_id: str,
                       amount_cents: int, reason: str | None, actor=None) -> MoneyBack | None:
    """Store and book a refund or chargeback once (its Mollie id is unique)."""
    if db.session.scalar(select(MoneyBack.id).where(MoneyBack.mollie_id == mollie_id)):
        return None
    back = MoneyBack(payment_id=payment.id, kind=kind.value, mollie_id=mollie_id,
                     amount_cents=amount_cents, reason=reason,
                     created_by_id=audit.acting_user_id(actor))
    db.session.add(back)
    if kind == MoneyBackKind.REFUND:
        payment.refunded_cents += amount_cents
    else:
        payment.charged_back_cents += amount_cents
    db.session.flush()
    if not values_from_signal(signals.money_back, payment.purpose, payment=payment,
                              back=back, actor=actor):
        flag(payment, f"{kind.value} {mollie_id} of {amount_cents} cents: settle by hand")
    audit.record(f"finance:online_payment:{kind.value}",
                 {"mollie_id": payment.mollie_id, "id": mollie_id, "amount_cents": amount_cents,
                  "reason": reason}, obj=payment, actor=actor)
    return back


def _reverse_chargeback(payment: OnlinePayment, chargeback_id: str,
                        reversed_at: datetime) -> None:
    """The bank undid a chargeback (Mollie reports `reversedAt`): the money is back.
    Booked once (the chargeback's row remembers it), dated today like the chargeback's
    own booking, by the owner of the payment (`signals.chargeback_reversed`: a gift's
    income booked again, a dues payment recorded again on its invoice). When that is
    refused (a closed year, the invoice settled otherwise) the payment is flagged for
    the treasurer."""
    back = db.session.scalar(select(MoneyBack).where(
        MoneyBack.mollie_id == chargeback_id,
        MoneyBack.kind == MoneyBackKind.CHARGEBACK.value))
    if back is None or back.reversed_at is not None:
        return
    back.reversed_at = reversed_at
    payment.charged_back_cents -= back.amount_cents
    db.session.flush()
    if back.entry_id is None or not values_from_signal(
            signals.chargeback_reversed, payment.purpose, payment=payment, back=back):
        flag(payment, f"chargeback {chargeback_id} of {back.amount_cents} cents was "
                      "reversed: settle by hand")
    audit.record("finance:online_payment:chargeback_reversed",
                 {"mollie_id": payment.mollie_id, "id": chargeback_id,
                  "amount_cents": back.amount_cents}, obj=payment)


def refundable_cents(payment: OnlinePayment) -> int:
    if payment.status != PaymentStatus.PAID:
        return 0
    return payment.amount_cents - payment.refunded_cents - payment.charged_back_cents


def refund(payment: OnlinePayment, amount_cents: int, reason: str, idempotency_key: str,
           actor=None) -> MoneyBack:
    """Refund (part of) a paid payment through Mollie and book it.

    Raises PaymentError without a reason, for an amount of zero or more than what can
    still be refunded, for a payment that is not paid, or when Mollie is unavailable or
    refuses (nothing is stored then; the same form can be sent again).
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_l("Give a reason."), "reason")
    if len(reason) > 200:
        raise PaymentError(_l("The reason is too long (at most 200 characters)."), "reason")
    payment = lock_payment(payment.mollie_id)
    if payment.status != PaymentStatus.PAID:
        raise PaymentError(_l("Only a paid payment can be refunded."))
    if amount_cents <= 0:
        raise PaymentError(_l("The amount must be more than zero."), "amount")
    available = refundable_cents(payment)
    if amount_cents > available:
        raise PaymentError(
            _l("At most %(amount)s can still be refunded.",
               amount=format_money(available, money_locale())), "amount")
    try:
        remote = gateway().create_refund(payment.mollie_id, amount_cents, reason,
                                         idempotency_key)
    except GatewayUnavailable:
        raise PaymentError(_l("Mollie cannot be reached right now; nothing was refunded. "
                              "Try again in a few minutes.")) from None
    except GatewayRefused as error:
        raise PaymentError(_l("Mollie refused the refund: %(reason)s", reason=str(error)),
                           "amount") from None
    back = _record_money_back(payment, MoneyBackKind.REFUND, remote.id, remote.amount_cents,
                              reason, actor=actor)
    if back is None:  # the same form sent twice: Mollie answered the refund made before
        back = db.session.scalar(select(MoneyBack).where(MoneyBack.mollie_id == remote.id))
    return back


def status_history(payment: OnlinePayment) -> list[PaymentStatusChange]:
    return list(db.session.scalars(
        select(PaymentStatusChange).where(PaymentStatusChange.payment_id == payment.id)
        .order_by(PaymentStatusChange.id)))


def money_back_of(payment: OnlinePayment) -> list[MoneyBack]:
    return list(db.session.scalars(
        select(MoneyBack).where(MoneyBack.payment_id == payment.id).order_by(MoneyBack.id)))


# How a payment reads -----------------------------------------------------------------

DISPLAY_STATUS_LABELS = {
    "open": _l("waiting for payment"),
    "pending": _l("waiting for payment"),
    "authorized": _l("waiting for payment"),
    "paid": _l("paid"),
    "failed": _l("failed"),
    "canceled": _l("canceled"),
    "expired": _l("expired"),
    "partially_refunded": _l("partially refunded"),
    "refunded": _l("refunded"),
    "charged_back": _l("charged back"),
}


def display_status(payment: OnlinePayment) -> str:
    """The status as the board reads it: paid, partially refunded, refunded, charged back …"""
    if payment.status == PaymentStatus.PAID:
        if payment.charged_back_cents:
            return "charged_back"
        if payment.refunded_cents >= payment.amount_cents:
            return "refunded"
        if payment.refunded_cents:
            return "partially_refunded"
    return payment.status
