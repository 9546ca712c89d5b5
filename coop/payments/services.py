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
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from coop import audit, timeutil
from coop.errors import ServiceError
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, LedgerAccount
from coop.ledger.services import EntrySpec, LedgerError, Line
from coop.money import format_money
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
    from urllib.parse import urlsplit

    base = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def checkout_origin() -> str:
    """The origin of Mollie's hosted checkout (the fake's own, when configured so)."""
    from urllib.parse import urlsplit

    origin = current_app.config.get("MOLLIE_CHECKOUT_ORIGIN")
    if not origin:
        endpoint = urlsplit(current_app.config["MOLLIE_API_ENDPOINT"])
        origin = f"{endpoint.scheme}://{endpoint.netloc}"
    return origin


def allow_checkout_redirect(response):
    """Let a form on this page send the browser on to Mollie's checkout: the app's CSP
    (`form-action 'self'`) also governs where a form's redirect may go."""
    from flask import make_response

    from coop.security import CONTENT_SECURITY_POLICY

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


def _lock(mollie_id: str) -> OnlinePayment | None:
    """Our row for `mollie_id`, locked until the transaction ends.

    An UPDATE rather than SELECT … FOR UPDATE: on PostgreSQL both lock the row, and on
    SQLite only a write takes the database's write lock, which is what serialises two
    webhooks there.
    """
    result = db.session.execute(
        update(OnlinePayment).where(OnlinePayment.mollie_id == mollie_id)
        .values(checked_at=utcnow()).execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        return None
    return db.session.scalars(
        select(OnlinePayment).where(OnlinePayment.mollie_id == mollie_id)
        .execution_options(populate_existing=True)
    ).one()


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
    payment = _lock(mollie_id)
    if payment is None and remote.subscription_id:
        from coop.donations.services import record_subscription_payment

        payment = record_subscription_payment(remote)
    if payment is None:
        current_app.logger.info("webhook for payment %s that is not ours ignored", mollie_id)
        return "ignored"
    apply_remote(payment, remote)
    return "applied"


def _flag(payment: OnlinePayment, reason: str) -> None:
    if payment.flag != reason:
        payment.flag = reason[:300]
        audit.record("finance:online_payment:flag", {"mollie_id": payment.mollie_id,
                                                      "reason": reason}, obj=payment)


def apply_remote(payment: OnlinePayment, remote: MolliePayment) -> None:
    """Bring our row to Mollie's state: the status transition (once), the booking of a
    paid payment, its fee, and refunds and chargebacks not booked yet."""
    reference = (remote.metadata or {}).get("reference")
    if payment.sequence_type != SequenceType.RECURRING and reference != payment.idempotency_key:
        _flag(payment, "Mollie's metadata does not name this payment: not booked")
        return
    amount_differs = remote.amount_cents != payment.amount_cents
    if amount_differs:
        _flag(payment, f"Mollie reports {remote.amount_cents} cents, we expected "
                       f"{payment.amount_cents}: not booked")
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
            _book(payment, [("fee_entry_id", lambda: _fee_spec(payment))])
    if remote.refunded_cents > payment.refunded_cents:
        for refund in gateway().refunds(payment.mollie_id):
            if refund.status not in ("failed", "canceled"):
                _record_money_back(payment, MoneyBackKind.REFUND, refund.id,
                                   refund.amount_cents, refund.description or None)
    if remote.charged_back_cents > payment.charged_back_cents:
        for chargeback in gateway().chargebacks(payment.mollie_id):
            _record_money_back(payment, MoneyBackKind.CHARGEBACK, chargeback.id,
                               chargeback.amount_cents, chargeback.description or None)


def _after_transition(payment: OnlinePayment, remote: MolliePayment) -> None:
    if payment.purpose == PaymentPurpose.DONATION:
        from coop.donations.services import after_payment_transition

        after_payment_transition(payment, remote)


# Booking ------------------------------------------------------------------------------


def _account(code_setting: str) -> LedgerAccount:
    code = current_app.config[code_setting]
    account = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))
    if account is None or not account.is_active:
        raise LedgerError(_l("The chart of accounts has no active account %(code)s.", code=code))
    return account


def _fee_of(remote: MolliePayment) -> int | None:
    """Mollie's fee, when it reports one: the amount minus what it settles."""
    if remote.settlement_cents is None:
        return None
    fee = remote.amount_cents - remote.settlement_cents
    return fee if 0 <= fee < remote.amount_cents else None


def _book(target, entries: list[tuple[str, object]]) -> None:
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
        _flag(payment, f"Not booked: {error.message}")


def spec(day, description: str, lines: list[Line], reference: str) -> EntrySpec:
    return EntrySpec(entry_date=day, description=description[:300], lines=lines,
                     reference=reference)


def _fee_spec(payment: OnlinePayment) -> EntrySpec:
    return spec(
        timeutil.local_date(payment.paid_at), f"Transactiekosten Mollie {payment.mollie_id}",
        [Line(_account("MOLLIE_FEE_ACCOUNT"), debit_cents=payment.fee_cents),
         Line(ledger.account_for(AccountPurpose.BANK), credit_cents=payment.fee_cents)],
        payment.mollie_id,
    )



def _book_paid(payment: OnlinePayment) -> None:
    """The gift and Mollie's fee in one posting; a dues payment through the dues
    service (which posts it), its fee apart."""
    fee = [("fee_entry_id", lambda: _fee_spec(payment))] if payment.fee_cents else []
    if payment.purpose == PaymentPurpose.DONATION:
        from coop.donations.services import gift_spec

        _book(payment, [("income_entry_id", lambda: gift_spec(payment)), *fee])
    else:
        _record_dues_payment(payment)
        if fee and payment.dues_payment_id is not None:
            _book(payment, fee)


def _record_dues_payment(payment: OnlinePayment) -> None:
    from coop.dues import services as dues
    from coop.dues.models import Invoice, PaymentMethod

    invoice = db.session.get(Invoice, payment.invoice_id)
    try:
        with db.session.begin_nested():
            recorded = dues.record_payment(
                invoice, payment.amount_cents, timeutil.local_date(payment.paid_at),
                PaymentMethod.MOLLIE.value, reference=payment.mollie_id, by_provider=True,
            )
            payment.dues_payment_id = recorded.id
            db.session.flush()
    except dues.DuesError as error:
        _flag(payment, f"Not booked on invoice {invoice.number}: {error.message}")


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
    if payment.purpose == PaymentPurpose.DONATION and payment.income_entry_id is not None:
        from coop.donations.services import money_back_spec

        _book(back, [("entry_id", lambda: money_back_spec(payment, back))])
        if back.entry_id is None:
            _flag(payment, f"{kind.value} {mollie_id} not booked")
    elif payment.purpose == PaymentPurpose.DUES and payment.dues_payment_id is not None:
        _reverse_dues_payment(payment, back, actor)
    else:
        _flag(payment, f"{kind.value} {mollie_id} of {amount_cents} cents: settle by hand")
    audit.record(f"finance:online_payment:{kind.value}",
                 {"mollie_id": payment.mollie_id, "id": mollie_id, "amount_cents": amount_cents,
                  "reason": reason}, obj=payment, actor=actor)
    return back


def _reverse_dues_payment(payment: OnlinePayment, back: MoneyBack, actor) -> None:
    """A refund or chargeback of a dues payment: the dues service reverses what went
    back (the invoice is open again for that amount, its booking reversed by a
    correcting entry; a partial one re-records what stays paid), all or nothing. Mollie
    keeps its fee, so the fee's entry stands, as for a gift. When the dues refuse (the
    invoice was credited or written off since, the year is closed) nothing is booked
    and the payment is flagged for the treasurer."""
    from coop.dues import services as dues
    from coop.dues.models import Invoice, Payment

    recorded = db.session.get(Payment, payment.dues_payment_id)
    invoice = db.session.get(Invoice, payment.invoice_id)
    label = "Terugbetaling" if back.kind == MoneyBackKind.REFUND else "Chargeback"
    reason = f"{label} Mollie {back.mollie_id}" + (f": {back.reason}" if back.reason else "")
    try:
        with db.session.begin_nested():
            remainder = dues.reverse_payment_part(recorded, back.amount_cents,
                                                  timeutil.local_date(), reason[:200], actor=actor)
            entry = dues.payment_entry(recorded)
            if entry is not None:
                back.entry_id = ledger.reversal_of(entry).id
            if remainder is not None:
                payment.dues_payment_id = remainder.id
            db.session.flush()
    except dues.DuesError as error:
        _flag(payment, f"{back.kind} {back.mollie_id} of {back.amount_cents} cents not booked "
                       f"on invoice {invoice.number}: {error.message} Settle by hand.")


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
    payment = _lock(payment.mollie_id)
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


# Dues online ----------------------------------------------------------------------------


def online_payments_of_invoice(invoice) -> list[dict]:
    """The Mollie payments of a dues invoice, newest first, each with its status as the
    board reads it (refunded, charged back …), its refunds and chargebacks and who made
    them (a board member, or Mollie itself for a chargeback or a dashboard refund)."""
    from coop.accounts.models import User

    payments = list(db.session.scalars(
        select(OnlinePayment).where(OnlinePayment.invoice_id == invoice.id)
        .order_by(OnlinePayment.id.desc())))
    if not payments:
        return []
    backs: dict[int, list] = {}
    rows = db.session.execute(
        select(MoneyBack, User.name).outerjoin(User, User.id == MoneyBack.created_by_id)
        .where(MoneyBack.payment_id.in_([p.id for p in payments])).order_by(MoneyBack.id))
    for back, by_name in rows:
        backs.setdefault(back.payment_id, []).append({"back": back, "by": by_name})
    from coop.donations.services import GIFT_STATUS_LABELS, gift_status

    return [{"payment": p, "status": GIFT_STATUS_LABELS[gift_status(p)],
             "money_back": backs.get(p.id, [])} for p in payments]


PAY_SALT = "dues-pay-now"


def _pay_serializer():
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PAY_SALT)


def pay_token(invoice) -> str:
    """The token in a dues invoice's "pay now" link (mail and portal): it names the
    invoice and cannot be guessed or changed into another invoice's."""
    return _pay_serializer().dumps({"i": invoice.id, "n": invoice.number})


def pay_url(invoice) -> str:
    return external_url("payments.pay_invoice", pay_token=pay_token(invoice))


def invoice_from_token(token: str):
    from itsdangerous import BadSignature

    from coop.dues.models import Invoice

    try:
        data = _pay_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    invoice = db.session.get(Invoice, data.get("i")) if isinstance(data.get("i"), int) else None
    if invoice is None or invoice.number != data.get("n"):
        return None
    return invoice


class PaymentInProgress(PaymentError):
    """A payment of the invoice is on its way (pending, authorized, or paid at Mollie
    and not booked yet): no new payment is started."""


IN_PROGRESS = _l("A payment of this invoice is being processed. You do not need to pay "
                 "again; the invoice shows as paid as soon as the payment is in.")
# Look at most this far back for payments of the invoice that Mollie may have moved on
# since (a webhook can be late): open ones are asked about, pending ones block a start.
_RECENT = timedelta(days=1)
_RECENT_LIMIT = 5


def _lock_invoice_row(invoice):
    """The invoice re-read, locked until the transaction ends: starts for one invoice
    queue up. An UPDATE rather than SELECT … FOR UPDATE, as in `_lock`: on SQLite only
    a write takes the lock. (The webhook locks a payment row, then the invoice; this
    path locks no payment row, so the two cannot deadlock.)"""
    from coop.dues.models import Invoice

    db.session.execute(
        update(Invoice).where(Invoice.id == invoice.id).values(status=Invoice.status)
        .execution_options(synchronize_session=False))
    return db.session.scalars(
        select(Invoice).where(Invoice.id == invoice.id)
        .execution_options(populate_existing=True)).one()


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


def _ask_mollie(payments: list[OnlinePayment]) -> dict[str, MolliePayment | None]:
    """What Mollie says now of our open ones (None: it refuses to say). Asked before
    the invoice is locked: on SQLite that lock holds every writer back."""
    answers = {}
    for payment in payments:
        if payment.status != PaymentStatus.OPEN:
            continue
        try:
            answers[payment.mollie_id] = gateway().get_payment(payment.mollie_id)
        except GatewayUnavailable:
            raise PaymentError(UNAVAILABLE) from None
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
    from coop.dues import services as dues

    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key or ""):
        raise PaymentError(_l("The form expired. Please submit it again."))
    answers = _ask_mollie(_recent_payments(invoice))
    # From here to the commit, starts for this invoice wait for each other. The creation
    # at Mollie below still happens under the lock (that is what keeps two tabs from
    # making two payments); it is one call, normally ~0.2 s.
    invoice = _lock_invoice_row(invoice)
    existing = by_idempotency_key(idempotency_key)
    if existing is not None:
        if existing.invoice_id != invoice.id:  # a key from another form: start afresh
            raise PaymentError(_l("The form expired. Please submit it again."))
        return existing
    remaining = dues.remaining_cents(invoice)
    if remaining <= 0:
        raise PaymentError(_l("This invoice has been paid; nothing is due."))
    reusable = _reusable_payment(invoice, remaining, answers)
    if reusable is not None:
        return reusable
    return start_payment(
        purpose=PaymentPurpose.DUES, amount_cents=remaining,
        description=f"Contributie factuur {invoice.number}",
        idempotency_key=idempotency_key,
        redirect_url=external_url("payments.paid_return", payment_reference=idempotency_key),
        locale=locale, invoice_id=invoice.id,
    )
