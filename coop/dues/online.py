"""Dues paid online: the pay-now page's payments at Mollie, and what the dues do when
one is paid, refunded or charged back (receivers of `coop.payments.signals`).

Payments is the rail below: this module calls its public functions, and payments
tells it what happened through the signals it connects to here.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coop import timeutil
from coop.accounts.models import User
from coop.dues import services
from coop.dues.models import Invoice, Payment, PaymentMethod
from coop.extensions import db
from coop.ledger import services as ledger
from coop.locking import locked
from coop.payments import services as payments
from coop.payments import signals as payment_signals
from coop.payments.gateway import GatewayRefused, GatewayUnavailable, MolliePayment, gateway
from coop.payments.models import (
    MoneyBack,
    MoneyBackKind,
    OnlinePayment,
    PaymentPurpose,
    PaymentStatus,
)
from coop.timeutil import utcnow

# What happens to a dues payment ------------------------------------------------------


@payment_signals.paid.connect_via(PaymentPurpose.DUES)
def _record_dues_payment(_purpose, *, payment: OnlinePayment, **_kwargs):
    """A paid dues payment: recorded on its invoice (which posts it); Mollie's fee is
    then posted apart. False when the dues refuse it (the payment is flagged)."""
    invoice = db.session.get(Invoice, payment.invoice_id)
    try:
        with db.session.begin_nested():
            recorded = services.record_payment(
                invoice, payment.amount_cents, timeutil.local_date(payment.paid_at),
                PaymentMethod.MOLLIE.value, reference=payment.mollie_id, by_provider=True,
            )
            payment.dues_payment_id = recorded.id
            db.session.flush()
    except services.DuesError as error:
        payments.flag(payment, f"Not booked on invoice {invoice.number}: {error.message}")
        return False
    return []


@payment_signals.money_back.connect_via(PaymentPurpose.DUES)
def _reverse_dues_payment(_purpose, *, payment: OnlinePayment, back: MoneyBack, actor=None,
                          **_kwargs) -> bool | None:
    """A refund or chargeback of a dues payment: the dues service reverses what went
    back (the invoice is open again for that amount, its booking reversed by a
    correcting entry; a partial one re-records what stays paid), all or nothing. Mollie
    keeps its fee, so the fee's entry stands, as for a gift. When the dues refuse (the
    invoice was credited or written off since, the year is closed) nothing is booked
    and the payment is flagged for the treasurer."""
    if payment.dues_payment_id is None:
        return None
    recorded = db.session.get(Payment, payment.dues_payment_id)
    invoice = db.session.get(Invoice, payment.invoice_id)
    label = "Terugbetaling" if back.kind == MoneyBackKind.REFUND else "Chargeback"
    reason = f"{label} Mollie {back.mollie_id}" + (f": {back.reason}" if back.reason else "")
    try:
        with db.session.begin_nested():
            remainder = services.reverse_payment_part(
                recorded, back.amount_cents, timeutil.local_date(), reason[:200], actor=actor)
            entry = services.payment_entry(recorded)
            if entry is not None:
                back.entry_id = ledger.reversal_of(entry).id
            if remainder is not None:
                payment.dues_payment_id = remainder.id
            db.session.flush()
    except services.DuesError as error:
        payments.flag(payment, f"{back.kind} {back.mollie_id} of {back.amount_cents} cents "
                               f"not booked on invoice {invoice.number}: {error.message} "
                               "Settle by hand.")
    return True


@payment_signals.chargeback_reversed.connect_via(PaymentPurpose.DUES)
def _record_dues_payment_again(_purpose, *, payment: OnlinePayment, back: MoneyBack,
                               **_kwargs) -> bool:
    """A reversed chargeback of a dues payment: the invoice is paid again by what came
    back. The online payment keeps one dues payment: a remainder left by a partial
    chargeback is replaced by one payment of the remainder plus what came back."""
    recorded = db.session.get(Payment, payment.dues_payment_id)
    invoice = db.session.get(Invoice, payment.invoice_id)
    day = timeutil.local_date()
    try:
        with db.session.begin_nested():
            amount = back.amount_cents
            if recorded.reversed_on is None:
                services.reverse_payment(recorded, day,
                                         f"Chargeback Mollie {back.mollie_id} teruggedraaid")
                amount += recorded.amount_cents
            again = services.record_payment(invoice, amount, day, PaymentMethod.MOLLIE.value,
                                            reference=payment.mollie_id, by_provider=True)
            payment.dues_payment_id = again.id
            entry = services.payment_entry(again)
            back.reversal_entry_id = entry.id if entry is not None else None
            db.session.flush()
    except services.DuesError as error:
        payments.flag(payment, f"reversal of chargeback {back.mollie_id} not booked on "
                               f"invoice {invoice.number}: {error.message} Settle by hand.")
    return True


# The pay-now page -------------------------------------------------------------------


def online_payments_of_invoice(invoice) -> list[dict]:
    """The Mollie payments of a dues invoice, newest first, each with its status as the
    board reads it (refunded, charged back …), its refunds and chargebacks and who made
    them (a board member, or Mollie itself for a chargeback or a dashboard refund)."""
    found = list(db.session.scalars(
        select(OnlinePayment).where(OnlinePayment.invoice_id == invoice.id)
        .order_by(OnlinePayment.id.desc())))
    if not found:
        return []
    backs: dict[int, list] = {}
    rows = db.session.execute(
        select(MoneyBack, User.name).outerjoin(User, User.id == MoneyBack.created_by_id)
        .where(MoneyBack.payment_id.in_([p.id for p in found])).order_by(MoneyBack.id))
    for back, by_name in rows:
        backs.setdefault(back.payment_id, []).append({"back": back, "by": by_name})
    return [{"payment": p, "status": payments.DISPLAY_STATUS_LABELS[payments.display_status(p)],
             "money_back": backs.get(p.id, [])} for p in found]


class PaymentInProgress(payments.PaymentError):
    """A payment of the invoice is on its way (pending, authorized, or paid at Mollie
    and not booked yet): no new payment is started."""


IN_PROGRESS = _l("A payment of this invoice is being processed. You do not need to pay "
                 "again; the invoice shows as paid as soon as the payment is in.")
# Look at most this far back for payments of the invoice that Mollie may have moved on
# since (a webhook can be late): open ones are asked about, pending ones block a start.
_RECENT = timedelta(days=1)
_RECENT_LIMIT = 5


def _lock_invoice_row(invoice):
    """The invoice locked and re-read: starts for one invoice queue up. (The webhook
    locks a payment row, then the invoice; this path locks no payment row, so the two
    cannot deadlock.)"""
    return locked(Invoice, invoice.id)


def payment_in_progress(invoice) -> bool:
    """Whether our records show a payment of the invoice on its way (what the pay page
    shows without asking Mollie). Only recent ones count, as for a new start: a pending
    payment whose last webhook was lost must not block paying for good."""
    return db.session.scalar(
        select(OnlinePayment.id).where(*_recent_of(invoice, PaymentStatus.PENDING,
                                                   PaymentStatus.AUTHORIZED))
        .limit(1)) is not None


def _recent_of(invoice, *statuses: PaymentStatus) -> tuple:
    """Conditions: the invoice's payments of the last day with one of `statuses`."""
    return (OnlinePayment.invoice_id == invoice.id,
            OnlinePayment.status.in_([status.value for status in statuses]),
            OnlinePayment.created_at >= utcnow() - _RECENT)


def _recent_payments(invoice) -> list[OnlinePayment]:
    """The invoice's payments of the last day that are not final in our records."""
    return list(db.session.scalars(
        select(OnlinePayment).where(*_recent_of(invoice, PaymentStatus.OPEN,
                                                PaymentStatus.PENDING,
                                                PaymentStatus.AUTHORIZED))
        .order_by(OnlinePayment.id.desc()).limit(_RECENT_LIMIT)
        .execution_options(populate_existing=True)))


def _ask_mollie(recent: list[OnlinePayment]) -> dict[str, MolliePayment | None]:
    """What Mollie says now of our open ones (None: it refuses to say). Asked before
    the invoice is locked: on SQLite that lock holds every writer back."""
    answers = {}
    for payment in recent:
        if payment.status != PaymentStatus.OPEN:
            continue
        try:
            answers[payment.mollie_id] = gateway().get_payment(payment.mollie_id)
        except GatewayUnavailable:
            raise payments.PaymentError(payments.UNAVAILABLE) from None
        except GatewayRefused:
            answers[payment.mollie_id] = None
    return answers


def _reusable_payment(invoice, remaining: int,
                      answers: dict[str, MolliePayment | None]) -> OnlinePayment | None:
    """An open payment of the invoice for `remaining` whose checkout the payer can still
    finish; raises PaymentInProgress when one is on its way.

    Our status may lag behind Mollie's (the webhook can be late), so recent open
    payments were asked about (`answers`); one started by another request meanwhile
    is brand new and open. One is reused only when it was created less than
    `MOLLIE_CHECKOUT_REUSE_MINUTES` ago: Mollie's checkout for iDEAL and cards expires
    after about 15 minutes, and the payer should have time left to finish it.
    """
    now = utcnow()
    window = timedelta(minutes=current_app.config["MOLLIE_CHECKOUT_REUSE_MINUTES"])
    reusable = None
    for payment in _recent_payments(invoice):
        if payment.status != PaymentStatus.OPEN:
            raise PaymentInProgress(IN_PROGRESS)
        if payment.mollie_id in answers:
            remote = answers[payment.mollie_id]
            if remote is None:
                continue
            status, checkout_url = remote.status, remote.checkout_url
        else:
            status, checkout_url = PaymentStatus.OPEN, payment.checkout_url
        if status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.PAID):
            raise PaymentInProgress(IN_PROGRESS)
        if (reusable is None and status == PaymentStatus.OPEN and checkout_url
                and payment.amount_cents == remaining
                and payment.created_at > now - window):
            # Not written back: the webhook may hold this row and wait for the invoice.
            reusable = payment
    return reusable


def start_dues_payment(invoice, idempotency_key: str, locale: str | None) -> OnlinePayment:
    """A Mollie payment for what remains of an open dues invoice: like a payment page,
    the open payment started a moment ago (another tab, the link clicked again) when
    its checkout can still be finished, else a new one.

    Starts for one invoice are serialised on its row, so double clicks and two tabs
    cannot make two open payments; the same form sent again answers its own payment.

    Raises PaymentInProgress when a payment of the invoice is on its way, and
    PaymentError for an expired form, an invoice that is not open or has nothing left
    to pay, or when Mollie cannot be reached (nothing is stored then).
    """
    if not payments.IDEMPOTENCY_KEY.fullmatch(idempotency_key or ""):
        raise payments.PaymentError(_l("The form expired. Please submit it again."))
    answers = _ask_mollie(_recent_payments(invoice))
    # From here to the commit, starts for this invoice wait for each other. The creation
    # at Mollie below still happens under the lock (that is what keeps two tabs from
    # making two payments); it is one call, normally ~0.2 s.
    invoice = _lock_invoice_row(invoice)
    existing = payments.by_idempotency_key(idempotency_key)
    if existing is not None:
        if existing.invoice_id != invoice.id:  # a key from another form: start afresh
            raise payments.PaymentError(_l("The form expired. Please submit it again."))
        return existing
    remaining = services.remaining_cents(invoice)
    if remaining <= 0:
        raise payments.PaymentError(_l("This invoice has been paid; nothing is due."))
    reusable = _reusable_payment(invoice, remaining, answers)
    if reusable is not None:
        return reusable
    return payments.start_payment(
        purpose=PaymentPurpose.DUES, amount_cents=remaining,
        description=f"Contributie factuur {invoice.number}",
        idempotency_key=idempotency_key,
        redirect_url=payments.external_url("pay.paid_return",
                                           payment_reference=idempotency_key),
        locale=locale, invoice_id=invoice.id,
    )
