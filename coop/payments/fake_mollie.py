"""A fake Mollie for the demo and the tests: a real HTTP server on loopback.

It speaks the subset of Mollie API v2 the app uses, with the documented JSON shapes
(https://docs.mollie.com/reference/): payments (with refunds and chargebacks),
customers, mandates and subscriptions. Ids look like Mollie's (`tr_…`, `cst_…`,
`mdt_…`, `sub_…`, `re_…`, `chb_…`), `_links` point at this server (the real client
follows them) and a create with an `Idempotency-Key` seen before answers the object
made the first time.

Like Mollie's test mode it has a hosted checkout page (`/checkout/<id>`) where the
payer chooses paid, failed, canceled or expired; then it calls the payment's webhook
and sends the browser to the redirect URL.

Tests and the demo steer it through `/_fake/…` (or the same methods in-process):
complete a checkout without a browser, charge a payment back, collect a
subscription's next payment, and make the API slow or failing.

Run it on its own with `python -m coop.payments.fake_mollie --port 5001` or
`flask coop fake-mollie`.
"""

import argparse
import html
import json
import re
import secrets
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HAL = "application/hal+json"
DOCS = "https://docs.mollie.com/reference/"
FINAL = ("paid", "failed", "canceled", "expired")
CHOICES = ("paid", "failed", "canceled", "expired")
# What Mollie charges per iDEAL payment in test mode's price list; reported through
# `settlementAmount` once a payment is paid (the app books the difference as a fee).
DEFAULT_FEE = Decimal("0.29")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _id(prefix: str) -> str:
    return prefix + secrets.token_hex(5)


def _amount(value: Decimal, currency: str = "EUR") -> dict:
    return {"currency": currency, "value": f"{value:.2f}"}


def _value(amount: dict | None) -> Decimal:
    return Decimal(str((amount or {}).get("value", "0")))


class FakeMollieError(Exception):
    def __init__(self, status: int, title: str, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.field = status, title, detail, field


class FakeMollie:
    """The state of the fake: everything in memory, guarded by one lock."""
    def __init__(self, deliver_webhooks: bool = True, fee: Decimal = DEFAULT_FEE):
        self.base_url = ""
        self.lock = threading.RLock()
        self.payments: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.mandates: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.chargebacks: dict[str, dict] = {}
        self.idempotency: dict[tuple[str, str], dict] = {}
        self.deliver_webhooks = deliver_webhooks
        self.notifications: list[tuple[str, str]] = []  # (webhook url, id), when not delivered
        self.fee = fee
        self.delay_seconds = 0.0
        self.failures_left = 0  # answer 503 to this many API calls
        self.requests = 0
        # Lists (refunds, chargebacks, …) answer at most this many items a page, with a
        # `next` link to the rest, as Mollie does (its default is 50; `limit` overrides).
        self.page_size = 50
        # Fields answered on top of a payment's own (a test shapes an answer like one
        # of Mollie's recorded responses: another currency, fields the fake never sends).
        self.answer_overrides: dict[str, dict] = {}

    # Links ------------------------------------------------------------------------

    def _link(self, path: str, kind: str = HAL) -> dict:
        return {"href": f"{self.base_url}{path}", "type": kind}

    def _docs(self, page: str) -> dict:
        return {"href": DOCS + page, "type": "text/html"}

    # Payments ---------------------------------------------------------------------

    def create_payment(self, data: dict, customer_id: str | None = None) -> dict:
        amount = data.get("amount") or {}
        if not re.fullmatch(r"\d+\.\d{2}", str(amount.get("value", ""))):
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "The amount is invalid.", "amount.value")
        if amount.get("currency") != "EUR":
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "The currency is not supported.", "amount.currency")
        if _value(amount) < Decimal("0.01"):
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "The amount is lower than the minimum.", "amount")
        if not data.get("description"):
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "The description is invalid.", "description")
        customer_id = customer_id or data.get("customerId")
        sequence_type = data.get("sequenceType", "oneoff")
        if customer_id and customer_id not in self.customers:
            raise FakeMollieError(404, "Not Found", f"No customer exists with token {customer_id}.")
        if sequence_type == "first" and not customer_id:
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "A first payment needs a customer.", "customerId")
        if sequence_type == "oneoff" and not data.get("redirectUrl"):
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "The redirect URL is invalid.", "redirectUrl")
        payment_id = _id("tr_")
        payment = {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": _now(),
            "amount": {"currency": "EUR", "value": amount["value"]},
            "description": data["description"],
            "method": data.get("method"),
            "metadata": data.get("metadata"),
            "status": "open",
            "isCancelable": False,
            "expiresAt": (datetime.now(UTC) + timedelta(minutes=15)).strftime(
                "%Y-%m-%dT%H:%M:%S+00:00"),
            "profileId": "pfl_fake000001",
            "sequenceType": sequence_type,
            "redirectUrl": data.get("redirectUrl"),
            "cancelUrl": data.get("cancelUrl"),
            "webhookUrl": data.get("webhookUrl"),
            "locale": data.get("locale"),
        }
        if customer_id:
            payment["customerId"] = customer_id
        self.payments[payment_id] = payment
        return self.payment_json(payment_id)

    def payment_json(self, payment_id: str) -> dict:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise FakeMollieError(404, "Not Found", f"No payment exists with token {payment_id}.")
        result = dict(payment)
        links = {
            "self": self._link(f"/v2/payments/{payment_id}"),
            "dashboard": {"href": f"{self.base_url}/dashboard/payments/{payment_id}",
                          "type": "text/html"},
            "documentation": self._docs("get-payment"),
        }
        if payment["status"] == "open" and payment["sequenceType"] != "recurring":
            links["checkout"] = self._link(f"/checkout/{payment_id}", "text/html")
        refunds = [r for r in self.refunds.values() if r["paymentId"] == payment_id]
        chargebacks = [c for c in self.chargebacks.values() if c["paymentId"] == payment_id]
        if refunds:
            links["refunds"] = self._link(f"/v2/payments/{payment_id}/refunds")
        if chargebacks:
            links["chargebacks"] = self._link(f"/v2/payments/{payment_id}/chargebacks")
        if payment.get("customerId"):
            links["customer"] = self._link(f"/v2/customers/{payment['customerId']}")
        if payment.get("mandateId"):
            links["mandate"] = self._link(
                f"/v2/customers/{payment['customerId']}/mandates/{payment['mandateId']}")
        if payment.get("subscriptionId"):
            links["subscription"] = self._link(
                f"/v2/customers/{payment['customerId']}/subscriptions/"
                f"{payment['subscriptionId']}")
        result["_links"] = links
        if payment["status"] == "paid":
            total = _value(payment["amount"])
            refunded = sum((_value(r["amount"]) for r in refunds
                            if r["status"] not in ("failed", "canceled")), Decimal(0))
            # A reversed chargeback came back to the merchant: it no longer counts.
            charged_back = sum((_value(c["amount"]) for c in chargebacks
                                if not c.get("reversedAt")), Decimal(0))
            result["amountRefunded"] = _amount(refunded)
            result["amountRemaining"] = _amount(max(total - refunded - charged_back, Decimal(0)))
            if chargebacks:
                result["amountChargedBack"] = _amount(charged_back)
            result["settlementAmount"] = _amount(total - self.fee)
            result["isCancelable"] = False
        result.update(self.answer_overrides.get(payment_id, {}))
        return result

    def set_status(self, payment_id: str, status: str, notify: bool = True) -> dict:
        """Move an open payment to `status` (the payer's choice at the checkout)."""
        if status not in CHOICES:
            raise FakeMollieError(422, "Unprocessable Entity", f"Unknown status {status}.")
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                raise FakeMollieError(404, "Not Found",
                                      f"No payment exists with token {payment_id}.")
            if payment["status"] != "open":
                raise FakeMollieError(422, "Unprocessable Entity",
                                      "The payment is no longer open.")
            payment["status"] = status
            payment[f"{status}At"] = _now()
            if status == "paid":
                payment["method"] = payment.get("method") or "ideal"
                payment["details"] = {"consumerName": "T. TEST",
                                      "consumerAccount": "NL91ABNA0417164300",
                                      "consumerBic": "ABNANL2A"}
                if payment["sequenceType"] == "first":
                    payment["mandateId"] = self._create_mandate(payment["customerId"])
        if notify:
            self.notify(payment)
        return self.payment_json(payment_id)

    def cancel_payment(self, payment_id: str) -> dict:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                raise FakeMollieError(404, "Not Found",
                                      f"No payment exists with token {payment_id}.")
            if payment["status"] != "open":
                raise FakeMollieError(422, "Unprocessable Entity",
                                      "The payment cannot be canceled.")
            payment["status"] = "canceled"
            payment["canceledAt"] = _now()
        return self.payment_json(payment_id)

    # Refunds and chargebacks ------------------------------------------------------

    def create_refund(self, payment_id: str, data: dict) -> dict:
        with self.lock:
            payment = self.payment_json(payment_id)
            if payment["status"] != "paid":
                raise FakeMollieError(422, "Unprocessable Entity",
                                      "The payment cannot be refunded.")
            amount = data.get("amount") or payment["amount"]
            if _value(amount) <= 0 or _value(amount) > _value(payment["amountRemaining"]):
                raise FakeMollieError(
                    422, "Unprocessable Entity",
                    "The amount is higher than the amount that can be refunded.", "amount")
            refund_id = _id("re_")
            self.refunds[refund_id] = {
                "resource": "refund", "id": refund_id,
                "amount": {"currency": "EUR", "value": f"{_value(amount):.2f}"},
                "status": "pending", "createdAt": _now(),
                "description": data.get("description", ""), "metadata": data.get("metadata"),
                "paymentId": payment_id,
                "settlementAmount": _amount(-_value(amount)),
            }
            return self.refund_json(refund_id)

    def refund_json(self, refund_id: str) -> dict:
        refund = dict(self.refunds[refund_id])
        refund["_links"] = {
            "self": self._link(f"/v2/payments/{refund['paymentId']}/refunds/{refund_id}"),
            "payment": self._link(f"/v2/payments/{refund['paymentId']}"),
            "documentation": self._docs("get-refund"),
        }
        return refund

    def chargeback(self, payment_id: str, value: str | None = None, notify: bool = True) -> dict:
        """The payer's bank takes the money back (test control)."""
        with self.lock:
            payment = self.payment_json(payment_id)
            if payment["status"] != "paid":
                raise FakeMollieError(422, "Unprocessable Entity", "The payment is not paid.")
            amount = Decimal(value) if value else _value(payment["amountRemaining"])
            chargeback_id = _id("chb_")
            self.chargebacks[chargeback_id] = {
                "resource": "chargeback", "id": chargeback_id,
                "amount": _amount(amount), "settlementAmount": _amount(-amount),
                "createdAt": _now(), "reason": {"code": "MD06", "description": "Refund request"},
                "reversedAt": None, "paymentId": payment_id,
            }
        if notify:
            self.notify(self.payments[payment_id])
        return self.chargeback_json(chargeback_id)

    def reverse_chargeback(self, chargeback_id: str, notify: bool = True) -> dict:
        """The payer's bank undoes a chargeback (test control): `reversedAt` is set."""
        with self.lock:
            chargeback = self.chargebacks.get(chargeback_id)
            if chargeback is None:
                raise FakeMollieError(404, "Not Found",
                                      f"No chargeback exists with token {chargeback_id}.")
            if not chargeback.get("reversedAt"):
                chargeback["reversedAt"] = _now()
        if notify:
            self.notify(self.payments[chargeback["paymentId"]])
        return self.chargeback_json(chargeback_id)

    def chargeback_json(self, chargeback_id: str) -> dict:
        chargeback = dict(self.chargebacks[chargeback_id])
        chargeback["_links"] = {
            "self": self._link(
                f"/v2/payments/{chargeback['paymentId']}/chargebacks/{chargeback_id}"),
            "payment": self._link(f"/v2/payments/{chargeback['paymentId']}"),
            "documentation": self._docs("get-chargeback"),
        }
        return chargeback

    # Customers, mandates, subscriptions -------------------------------------------

    def create_customer(self, data: dict) -> dict:
        customer_id = _id("cst_")
        self.customers[customer_id] = {
            "resource": "customer", "id": customer_id, "mode": "test",
            "name": data.get("name"), "email": data.get("email"), "locale": data.get("locale"),
            "metadata": data.get("metadata"), "createdAt": _now(),
        }
        return self.customer_json(customer_id)

    def customer_json(self, customer_id: str) -> dict:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise FakeMollieError(404, "Not Found",
                                  f"No customer exists with token {customer_id}.")
        result = dict(customer)
        result["_links"] = {
            "self": self._link(f"/v2/customers/{customer_id}"),
            "mandates": self._link(f"/v2/customers/{customer_id}/mandates"),
            "subscriptions": self._link(f"/v2/customers/{customer_id}/subscriptions"),
            "payments": self._link(f"/v2/customers/{customer_id}/payments"),
            "documentation": self._docs("get-customer"),
        }
        return result

    def _create_mandate(self, customer_id: str) -> str:
        mandate_id = _id("mdt_")
        self.mandates[mandate_id] = {
            "resource": "mandate", "id": mandate_id, "mode": "test", "status": "valid",
            "method": "directdebit",
            "details": {"consumerName": "T. TEST", "consumerAccount": "NL91ABNA0417164300",
                        "consumerBic": "ABNANL2A"},
            "mandateReference": f"FAKE-{mandate_id[4:].upper()}",
            "signatureDate": date.today().isoformat(), "createdAt": _now(),
            "customerId": customer_id,
        }
        return mandate_id

    def mandate_json(self, customer_id: str, mandate_id: str) -> dict:
        mandate = self.mandates.get(mandate_id)
        if mandate is None or mandate["customerId"] != customer_id:
            raise FakeMollieError(404, "Not Found", f"No mandate exists with token {mandate_id}.")
        result = {k: v for k, v in mandate.items() if k != "customerId"}
        result["_links"] = {
            "self": self._link(f"/v2/customers/{customer_id}/mandates/{mandate_id}"),
            "customer": self._link(f"/v2/customers/{customer_id}"),
            "documentation": self._docs("get-mandate"),
        }
        return result

    def create_subscription(self, customer_id: str, data: dict) -> dict:
        self.customer_json(customer_id)
        if not any(m["customerId"] == customer_id and m["status"] == "valid"
                   for m in self.mandates.values()):
            raise FakeMollieError(422, "Unprocessable Entity",
                                  "The customer has no valid mandate.")
        if not re.fullmatch(r"\d+ (day|days|week|weeks|month|months)", data.get("interval", "")):
            raise FakeMollieError(422, "Unprocessable Entity", "The interval is invalid.",
                                  "interval")
        subscription_id = _id("sub_")
        start = data.get("startDate") or date.today().isoformat()
        self.subscriptions[subscription_id] = {
            "resource": "subscription", "id": subscription_id, "mode": "test",
            "createdAt": _now(), "status": "active", "amount": data["amount"],
            "times": data.get("times"), "timesRemaining": data.get("times"),
            "interval": data["interval"], "startDate": start, "nextPaymentDate": start,
            "description": data["description"], "method": None,
            "mandateId": data.get("mandateId"), "webhookUrl": data.get("webhookUrl"),
            "metadata": data.get("metadata"), "customerId": customer_id,
        }
        return self.subscription_json(customer_id, subscription_id)

    def subscription_json(self, customer_id: str, subscription_id: str) -> dict:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None or subscription["customerId"] != customer_id:
            raise FakeMollieError(404, "Not Found",
                                  f"No subscription exists with token {subscription_id}.")
        result = {k: v for k, v in subscription.items() if k != "customerId"}
        result["_links"] = {
            "self": self._link(f"/v2/customers/{customer_id}/subscriptions/{subscription_id}"),
            "customer": self._link(f"/v2/customers/{customer_id}"),
            "payments": self._link(
                f"/v2/customers/{customer_id}/subscriptions/{subscription_id}/payments"),
            "documentation": self._docs("get-subscription"),
        }
        return result

    def cancel_subscription(self, customer_id: str, subscription_id: str) -> dict:
        with self.lock:
            self.subscription_json(customer_id, subscription_id)
            subscription = self.subscriptions[subscription_id]
            if subscription["status"] != "canceled":
                subscription["status"] = "canceled"
                subscription["canceledAt"] = _now()
                subscription["nextPaymentDate"] = None
            return self.subscription_json(customer_id, subscription_id)

    def charge_subscription(self, subscription_id: str, status: str = "paid",
                            notify: bool = True) -> dict:
        """Mollie collects the subscription's next payment (test control)."""
        with self.lock:
            subscription = self.subscriptions.get(subscription_id)
            if subscription is None:
                raise FakeMollieError(404, "Not Found",
                                      f"No subscription exists with token {subscription_id}.")
            if subscription["status"] != "active":
                raise FakeMollieError(422, "Unprocessable Entity",
                                      "The subscription is not active.")
            payment_id = _id("tr_")
            self.payments[payment_id] = {
                "resource": "payment", "id": payment_id, "mode": "test", "createdAt": _now(),
                "amount": dict(subscription["amount"]),
                "description": subscription["description"], "method": "directdebit",
                "metadata": subscription["metadata"], "status": "open",
                "isCancelable": False, "profileId": "pfl_fake000001",
                "sequenceType": "recurring", "redirectUrl": None,
                "webhookUrl": subscription["webhookUrl"], "locale": None,
                "customerId": subscription["customerId"],
                "mandateId": subscription["mandateId"],
                "subscriptionId": subscription_id,
            }
        # Outside the lock: the webhook call makes the app fetch the payment from here.
        return self.set_status(payment_id, status, notify=notify)

    # Webhooks -----------------------------------------------------------------------

    def notify(self, obj: dict) -> None:
        url = obj.get("webhookUrl")
        if not url:
            return
        if not self.deliver_webhooks:
            self.notifications.append((url, obj["id"]))
            return
        body = urllib.parse.urlencode({"id": obj["id"]}).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310
            "Content-Type": "application/x-www-form-urlencoded"})
        # Mollie retries a failed webhook later; the fake tries a few times at once.
        for _attempt in range(3):
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)

    def take_notifications(self) -> list[tuple[str, str]]:
        with self.lock:
            taken, self.notifications = self.notifications, []
        return taken


def _error_json(error: FakeMollieError) -> dict:
    body = {"status": error.status, "title": error.title, "detail": error.detail,
            "_links": {"documentation": {"href": DOCS + "handling-errors",
                                         "type": "text/html"}}}
    if error.field:
        body["field"] = error.field
    return body


_CHECKOUT_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Testbetaling · Mollie (nep)</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}
fieldset{{border:1px solid #555;padding:1rem}}label{{display:block;margin:.4rem 0}}
button{{margin-top:1rem;padding:.5rem 1rem}}</style></head>
<body><main>
<h1>Testbetaling</h1>
<p>{description}</p>
<p>Bedrag: <strong>&euro; {amount}</strong></p>
<form method="post">
<fieldset><legend>Kies de uitkomst van deze testbetaling</legend>
<label><input type="radio" name="status" value="paid" checked> Betaald (paid)</label>
<label><input type="radio" name="status" value="failed"> Mislukt (failed)</label>
<label><input type="radio" name="status" value="canceled"> Geannuleerd (canceled)</label>
<label><input type="radio" name="status" value="expired"> Verlopen (expired)</label>
</fieldset>
<button type="submit">Doorgaan</button>
</form></main></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeMollie/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK of the headers (40 ms on Linux loopback), which made
    # every call to the fake take 40 ms more than Mollie's own.
    disable_nagle_algorithm = True
    fake: FakeMollie  # set on the subclass made per server

    def log_message(self, format, *args):  # quiet: tests and the demo need no access log
        return

    def _send(self, status: int, body: bytes, content_type: str, headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict, headers=None) -> None:
        self._send(status, json.dumps(data).encode(), HAL, headers)

    def _read(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        split = urllib.parse.urlsplit(self.path)
        path = split.path.rstrip("/")
        self.query = {key: values[-1] for key, values
                      in urllib.parse.parse_qs(split.query).items()}
        fake = self.fake
        raw = self._read()
        try:
            if path.startswith("/checkout/"):
                return self._checkout(method, path.removeprefix("/checkout/"), raw)
            if path.startswith("/_fake/"):
                return self._json(200, self._control(method, path, raw))
            if not path.startswith("/v2/"):
                raise FakeMollieError(404, "Not Found", "Unknown resource.")
            if not re.fullmatch(r"Bearer (test|live)_\w+",
                                self.headers.get("Authorization", "")):
                raise FakeMollieError(401, "Unauthorized Request", "Missing authentication.")
            with fake.lock:
                fake.requests += 1
                failing = fake.failures_left > 0
                if failing:
                    fake.failures_left -= 1
                delay = fake.delay_seconds
            if delay:
                time.sleep(delay)
            if failing:
                raise FakeMollieError(503, "Service Unavailable",
                                      "The service is temporarily unavailable.")
            data = json.loads(raw) if raw else {}
            key = self.headers.get("Idempotency-Key")
            if method == "POST" and key:
                with fake.lock:
                    seen = fake.idempotency.get((path, key))
                    if seen is None:
                        status, result = self._api(method, path, data)
                        fake.idempotency[(path, key)] = {"status": status, "id": result["id"]}
                        return self._json(status, result)
                # The same key again: the object as it is now, marked as a replay.
                return self._json(seen["status"], self._current(path, seen["id"]),
                                  {"Idempotent-Replayed": "true"})
            with fake.lock:
                status, result = self._api(method, path, data)
            return self._json(status, result)
        except FakeMollieError as error:
            return self._json(error.status, _error_json(error))
        except (ValueError, KeyError) as error:
            return self._json(400, _error_json(FakeMollieError(
                400, "Bad Request", f"The request is invalid: {error}")))

    def _current(self, path: str, object_id: str) -> dict:
        fake = self.fake
        parts = path.split("/")[2:]
        if object_id.startswith("tr_"):
            return fake.payment_json(object_id)
        if object_id.startswith("re_"):
            return fake.refund_json(object_id)
        if object_id.startswith("cst_"):
            return fake.customer_json(object_id)
        if object_id.startswith("sub_"):
            return fake.subscription_json(parts[1], object_id)
        raise FakeMollieError(404, "Not Found", "Unknown resource.")

    def _api(self, method: str, path: str, data: dict) -> tuple[int, dict]:
        fake = self.fake
        parts = path.split("/")[2:]  # after "/v2"
        match (method, parts):
            case ("POST", ["payments"]):
                return 201, fake.create_payment(data)
            case ("GET", ["payments", payment_id]):
                return 200, fake.payment_json(payment_id)
            case ("DELETE", ["payments", payment_id]):
                return 200, fake.cancel_payment(payment_id)
            case ("POST", ["payments", payment_id, "refunds"]):
                return 201, fake.create_refund(payment_id, data)
            case ("GET", ["payments", payment_id, "refunds" | "chargebacks" as kind]):
                fake.payment_json(payment_id)
                store, as_json = self._money_back(kind)
                items = [as_json(key) for key, value in store.items()
                         if value["paymentId"] == payment_id]
                return 200, self._list(kind, items, path)
            case ("GET", ["payments", payment_id, "refunds" | "chargebacks" as kind, key]):
                store, as_json = self._money_back(kind)
                row = store.get(key)
                if row is None or row["paymentId"] != payment_id:
                    raise FakeMollieError(404, "Not Found",
                                          f"No {kind[:-1]} exists with token {key}.")
                return 200, as_json(key)
            case ("POST", ["customers"]):
                return 201, fake.create_customer(data)
            case ("GET", ["customers", customer_id]):
                return 200, fake.customer_json(customer_id)
            case ("POST", ["customers", customer_id, "payments"]):
                return 201, fake.create_payment(data, customer_id=customer_id)
            case ("GET", ["customers", customer_id, "mandates"]):
                fake.customer_json(customer_id)
                items = [fake.mandate_json(customer_id, m) for m, v in fake.mandates.items()
                         if v["customerId"] == customer_id]
                return 200, self._list("mandates", items, path)
            case ("GET", ["customers", customer_id, "mandates", mandate_id]):
                return 200, fake.mandate_json(customer_id, mandate_id)
            case ("POST", ["customers", customer_id, "subscriptions"]):
                return 201, fake.create_subscription(customer_id, data)
            case ("GET", ["customers", customer_id, "subscriptions"]):
                fake.customer_json(customer_id)
                items = [fake.subscription_json(customer_id, s)
                         for s, v in fake.subscriptions.items()
                         if v["customerId"] == customer_id]
                return 200, self._list("subscriptions", items, path)
            case ("GET", ["customers", customer_id, "subscriptions", subscription_id]):
                return 200, fake.subscription_json(customer_id, subscription_id)
            case ("DELETE", ["customers", customer_id, "subscriptions", subscription_id]):
                return 200, fake.cancel_subscription(customer_id, subscription_id)
            case ("GET", ["customers", customer_id, "subscriptions", subscription_id,
                          "payments"]):
                fake.subscription_json(customer_id, subscription_id)
                items = [fake.payment_json(p) for p, v in fake.payments.items()
                         if v.get("subscriptionId") == subscription_id]
                return 200, self._list("payments", items, path)
        raise FakeMollieError(404, "Not Found", "Unknown resource.")

    def _money_back(self, kind: str):
        """A payment's refunds or chargebacks: their rows by id, and their JSON."""
        if kind == "refunds":
            return self.fake.refunds, self.fake.refund_json
        return self.fake.chargebacks, self.fake.chargeback_json

    def _list(self, name: str, items: list[dict], path: str) -> dict:
        """One page of `items`, as Mollie pages: `limit` items from the one named by
        `from`, `_links.self` naming this page and `next` the one after (or null)."""
        try:
            limit = int(self.query.get("limit") or self.fake.page_size)
        except ValueError as error:
            raise FakeMollieError(400, "Bad Request", "The limit is invalid.", "limit") from error
        if not 1 <= limit <= 250:
            raise FakeMollieError(400, "Bad Request", "The limit is invalid.", "limit")
        start = 0
        if self.query.get("from"):
            ids = [item["id"] for item in items]
            if self.query["from"] not in ids:
                raise FakeMollieError(400, "Bad Request", "The from is invalid.", "from")
            start = ids.index(self.query["from"])
        page = items[start:start + limit]
        rest = items[start + limit:]

        def link(first: str | None) -> dict:
            query = {"limit": limit, **({"from": first} if first else {})}
            return self.fake._link(f"{path}?{urllib.parse.urlencode(query)}")

        previous = None
        if start:
            previous = link(items[max(start - limit, 0)]["id"])
        return {
            "count": len(page),
            "_embedded": {name: page},
            "_links": {"self": link(self.query.get("from")), "previous": previous,
                       "next": link(rest[0]["id"]) if rest else None,
                       "documentation": self.fake._docs(f"list-{name}")},
        }

    def _checkout(self, method: str, payment_id: str, raw: bytes) -> None:
        fake = self.fake
        with fake.lock:
            payment = fake.payments.get(payment_id)
        if payment is None:
            return self._send(404, b"Unknown payment", "text/plain; charset=utf-8")
        if method == "GET":
            if payment["status"] != "open":
                return self._redirect(payment)
            page = _CHECKOUT_PAGE.format(description=html.escape(payment["description"]),
                                         amount=payment["amount"]["value"].replace(".", ","))
            return self._send(200, page.encode(), "text/html; charset=utf-8")
        choice = urllib.parse.parse_qs(raw.decode()).get("status", ["paid"])[0]
        if payment["status"] == "open":
            fake.set_status(payment_id, choice if choice in CHOICES else "paid")
        return self._redirect(payment)

    def _redirect(self, payment: dict) -> None:
        target = payment.get("redirectUrl") or self.fake.base_url + "/"
        self._send(303, b"", "text/plain", {"Location": target})

    def _control(self, method: str, path: str, raw: bytes) -> dict:
        fake = self.fake
        data = json.loads(raw) if raw else {}
        parts = path.split("/")[2:]
        notify = data.get("notify", True)
        match (method, parts):
            case ("POST", ["payments", payment_id, "status"]):
                return fake.set_status(payment_id, data["status"], notify=notify)
            case ("POST", ["payments", payment_id, "chargeback"]):
                return fake.chargeback(payment_id, data.get("value"), notify=notify)
            case ("POST", ["chargebacks", chargeback_id, "reverse"]):
                return fake.reverse_chargeback(chargeback_id, notify=notify)
            case ("POST", ["subscriptions", subscription_id, "charge"]):
                return fake.charge_subscription(subscription_id, data.get("status", "paid"),
                                                notify=notify)
            case ("POST", ["faults"]):
                fake.delay_seconds = float(data.get("delay_seconds", 0))
                fake.failures_left = int(data.get("failures", 0))
                return {"delay_seconds": fake.delay_seconds, "failures": fake.failures_left}
        raise FakeMollieError(404, "Not Found", "Unknown control.")


class FakeMollieServer:
    """The fake on a loopback port, served from a background thread."""
    def __init__(self, host: str = "127.0.0.1", port: int = 0, deliver_webhooks: bool = True):
        self.state = FakeMollie(deliver_webhooks=deliver_webhooks)
        handler = type("Handler", (_Handler,), {"fake": self.state})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_port}"
        self.state.base_url = self.url
        self.thread: threading.Thread | None = None

    def start(self) -> "FakeMollieServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="fake-mollie",
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __getattr__(self, name):
        # set_status, chargeback, charge_subscription, take_notifications, …
        return getattr(self.state, name)


class FakeMollieControl:
    """Steer a fake running in another process (the demo's, the benchmark's) over HTTP."""
    def __init__(self, url: str, timeout: float = 10):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, data: dict) -> dict:

        response = requests.post(f"{self.url}/_fake/{path}", json=data, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def set_status(self, payment_id: str, status: str, notify: bool = True) -> dict:
        return self._post(f"payments/{payment_id}/status", {"status": status, "notify": notify})

    def chargeback(self, payment_id: str, value: str | None = None,
                   notify: bool = True) -> dict:
        return self._post(f"payments/{payment_id}/chargeback", {"value": value, "notify": notify})

    def reverse_chargeback(self, chargeback_id: str, notify: bool = True) -> dict:
        return self._post(f"chargebacks/{chargeback_id}/reverse", {"notify": notify})

    def charge_subscription(self, subscription_id: str, status: str = "paid",
                            notify: bool = True) -> dict:
        return self._post(f"subscriptions/{subscription_id}/charge",
                          {"status": status, "notify": notify})

    def faults(self, delay_seconds: float = 0, failures: int = 0) -> dict:
        return self._post("faults", {"delay_seconds": delay_seconds, "failures": failures})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="A fake Mollie API v2 on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    arguments = parser.parse_args(argv)
    server = FakeMollieServer(arguments.host, arguments.port)
    print(f"fake Mollie on {server.url} (checkout pages at {server.url}/checkout/…)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
