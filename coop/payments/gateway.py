"""The app's one door to Mollie: a small interface around `mollie-api-python`.

Everything the app asks Mollie goes through `gateway()`, which wraps the real client
configured with `MOLLIE_API_KEY` and `MOLLIE_API_ENDPOINT` (Mollie's own API in
production, the fake of `coop.payments.fake_mollie` in the demo and the tests). The
rest of the app sees plain dataclasses with amounts in cents, never the client's
objects, and two errors: `GatewayUnavailable` (network, timeout, Mollie's 5xx: try
again later, with the same idempotency key) and `GatewayRefused` (Mollie said no:
a 4xx with its message).
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import NotFoundError, RequestSetupError, ResponseError

from coop.money import MoneyError, from_mollie, to_mollie


class GatewayError(Exception):
    pass


class GatewayUnavailable(GatewayError):
    """Mollie could not be reached or answered with a server error: retry later."""


class GatewayRefused(GatewayError):
    """Mollie refused the request (4xx); `status` is its HTTP status."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class GatewayNotFound(GatewayRefused):
    pass


@dataclass(frozen=True)
class MolliePayment:
    """A payment as Mollie reports it. An amount that is not in euros (or cannot be
    read) is None, never an error: the webhook must flag it and answer, not fail;
    `amount_text` says what Mollie sent (`12.50 USD`)."""

    id: str
    status: str
    amount_cents: int | None
    description: str
    metadata: dict | None
    sequence_type: str
    checkout_url: str | None
    refunded_cents: int | None = 0
    charged_back_cents: int | None = 0
    # What Mollie settles to the coop; below the amount when it reports its fee there.
    # None when it does not say, or settles in another currency (the fee is unknown).
    settlement_cents: int | None = None
    paid_at: datetime | None = None
    customer_id: str | None = None
    mandate_id: str | None = None
    subscription_id: str | None = None
    method: str | None = None
    amount_text: str = ""


@dataclass(frozen=True)
class MollieMoneyBack:
    """A refund (`re_…`) or a chargeback (`chb_…`) of a payment; `amount_cents` is None
    for an amount not in euros (`amount_text` says what Mollie sent)."""

    id: str
    amount_cents: int | None
    # Refunds: queued, pending, processing, refunded, failed, canceled; chargebacks: "chargeback".
    status: str
    created_at: datetime | None = None
    description: str = ""
    # A chargeback the bank undid: the money came back.
    reversed_at: datetime | None = None
    amount_text: str = ""


@dataclass(frozen=True)
class MollieSubscription:
    id: str
    customer_id: str
    status: str
    amount_cents: int
    interval: str
    next_payment_date: str | None = None
    metadata: dict | None = field(default=None)


def _time(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # a shape we do not know: the time is not needed to book
        return None


def _cents(amount) -> int:
    return from_mollie(amount) if amount else 0


def _euro_cents(amount) -> int | None:
    """Cents of a euro amount (0 when absent); None for another currency or a value that
    cannot be read."""
    if not amount:
        return 0
    if not isinstance(amount, dict):
        return None
    try:
        return from_mollie(amount)
    except MoneyError:
        return None


def _amount_text(amount) -> str:
    if not isinstance(amount, dict):
        return repr(amount)[:40]
    return f"{str(amount.get('value'))[:20]} {str(amount.get('currency'))[:5]}"


def _payment(data) -> MolliePayment:
    settlement = data.get("settlementAmount")
    return MolliePayment(
        id=data["id"],
        status=data["status"],
        amount_cents=_euro_cents(data.get("amount")) if data.get("amount") else None,
        description=data.get("description") or "",
        metadata=data.get("metadata") if isinstance(data.get("metadata"), dict) else None,
        sequence_type=data.get("sequenceType") or "oneoff",
        checkout_url=data.checkout_url,
        refunded_cents=_euro_cents(data.get("amountRefunded")),
        charged_back_cents=_euro_cents(data.get("amountChargedBack")),
        settlement_cents=_euro_cents(settlement) if settlement else None,
        paid_at=_time(data.get("paidAt")),
        customer_id=data.get("customerId"),
        mandate_id=data.get("mandateId"),
        subscription_id=data.get("subscriptionId"),
        method=data.get("method"),
        amount_text=_amount_text(data.get("amount")),
    )


def _every(page):
    """Every item of a paginated list, following its `next` links."""
    while page is not None:
        yield from page
        page = page.get_next() if page.has_next() else None


def _chargeback_reason(reason) -> str:
    """The bank's reason for a chargeback (`{"code": "MD06", "description": …}`), if any."""
    if not isinstance(reason, dict):
        return ""
    return " ".join(str(part) for part in (reason.get("code"), reason.get("description"))
                    if part)


def _subscription(data, customer_id: str) -> MollieSubscription:
    return MollieSubscription(
        id=data["id"], customer_id=customer_id, status=data["status"],
        amount_cents=_cents(data["amount"]), interval=data["interval"],
        next_payment_date=data.get("nextPaymentDate"), metadata=data.get("metadata"),
    )


class _Translate:
    """Turn the client's exceptions into the gateway's two kinds."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None:
            return False
        if isinstance(error, NotFoundError):
            raise GatewayNotFound(str(error), 404) from error
        if isinstance(error, ResponseError) and error.status and 400 <= error.status < 500:
            raise GatewayRefused(str(error), error.status) from error
        if isinstance(error, RequestSetupError):
            raise GatewayRefused(str(error)) from error
        if isinstance(error, MollieError):
            raise GatewayUnavailable(str(error)) from error
        return False


class MollieGateway:
    def __init__(self, api_key: str, api_endpoint: str, timeout: tuple[float, float]):
        self.client = Client(api_endpoint=api_endpoint, timeout=timeout, retry=0)
        self.client.set_api_key(api_key)

    # Payments -------------------------------------------------------------------

    def create_payment(self, *, amount_cents: int, description: str, redirect_url: str | None,
                       webhook_url: str, metadata: dict, idempotency_key: str,
                       locale: str | None = None, customer_id: str | None = None,
                       sequence_type: str = "oneoff") -> MolliePayment:
        data = {
            "amount": to_mollie(amount_cents),
            "description": description[:255],
            "webhookUrl": webhook_url,
            "metadata": metadata,
            "sequenceType": sequence_type,
        }
        if redirect_url:
            data["redirectUrl"] = redirect_url
        if locale:
            data["locale"] = {"nl": "nl_NL", "en": "en_US"}.get(locale, "nl_NL")
        if customer_id:
            data["customerId"] = customer_id
        with _Translate():
            return _payment(self.client.payments.create(data, idempotency_key=idempotency_key))

    def get_payment(self, payment_id: str) -> MolliePayment:
        with _Translate():
            return _payment(self.client.payments.get(payment_id))

    def refunds(self, payment_id: str) -> list[MollieMoneyBack]:
        with _Translate():
            payment = self.client.payments.get(payment_id)
            return [MollieMoneyBack(r.id, _euro_cents(r.amount), r.status,
                                    _time(r.created_at), r.description or "",
                                    amount_text=_amount_text(r.amount))
                    for r in _every(payment.refunds.list())]

    def chargebacks(self, payment_id: str) -> list[MollieMoneyBack]:
        with _Translate():
            payment = self.client.payments.get(payment_id)
            return [MollieMoneyBack(c.id, _euro_cents(c.amount), "chargeback",
                                    _time(c.created_at), _chargeback_reason(c.get("reason")),
                                    reversed_at=_time(c.get("reversedAt")),
                                    amount_text=_amount_text(c.amount))
                    for c in _every(payment.chargebacks.list())]

    def create_refund(self, payment_id: str, amount_cents: int, description: str,
                      idempotency_key: str) -> MollieMoneyBack:
        with _Translate():
            payment = self.client.payments.get(payment_id)
            refund = payment.refunds.create(
                {"amount": to_mollie(amount_cents), "description": description[:140]},
                idempotency_key=idempotency_key,
            )
            return MollieMoneyBack(refund.id, _cents(refund.amount), refund.status,
                                   _time(refund.created_at), refund.description or "")

    # Customers and subscriptions --------------------------------------------------

    def create_customer(self, *, name: str | None, email: str | None,
                        idempotency_key: str) -> str:
        data = {key: value for key, value in (("name", name), ("email", email)) if value}
        with _Translate():
            return self.client.customers.create(data, idempotency_key=idempotency_key).id

    def create_subscription(self, *, customer_id: str, amount_cents: int, interval: str,
                            description: str, webhook_url: str, metadata: dict,
                            mandate_id: str | None, start_date: str | None,
                            idempotency_key: str) -> MollieSubscription:
        data = {"amount": to_mollie(amount_cents), "interval": interval,
                "description": description[:255], "webhookUrl": webhook_url,
                "metadata": metadata}
        if mandate_id:
            data["mandateId"] = mandate_id
        if start_date:
            data["startDate"] = start_date
        with _Translate():
            customer = self.client.customers.get(customer_id)
            return _subscription(
                customer.subscriptions.create(data, idempotency_key=idempotency_key),
                customer_id)

    def cancel_subscription(self, customer_id: str, subscription_id: str) -> MollieSubscription:
        with _Translate():
            customer = self.client.customers.get(customer_id)
            return _subscription(customer.subscriptions.delete(subscription_id), customer_id)

    def get_subscription(self, customer_id: str, subscription_id: str) -> MollieSubscription:
        with _Translate():
            customer = self.client.customers.get(customer_id)
            return _subscription(customer.subscriptions.get(subscription_id), customer_id)


def gateway() -> MollieGateway:
    """The app's gateway, built once per app from its configuration."""
    app = current_app._get_current_object()
    built = app.extensions.get("coop_mollie")
    if built is None:
        key = app.config.get("MOLLIE_API_KEY")
        if not key:
            raise GatewayUnavailable("MOLLIE_API_KEY is not set")
        built = MollieGateway(
            key, app.config["MOLLIE_API_ENDPOINT"],
            (app.config["MOLLIE_CONNECT_TIMEOUT_SECONDS"],
             app.config["MOLLIE_READ_TIMEOUT_SECONDS"]),
        )
        app.extensions["coop_mollie"] = built
    return built


def reset_gateway(app) -> None:
    """Forget the built gateway (after the configuration changed, in tests)."""
    app.extensions.pop("coop_mollie", None)
