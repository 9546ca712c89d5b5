"""News from the payments rail to the domains that own the payments (dues, donations).

Each signal is sent with the payment's purpose as sender (`"dues"`, `"donation"`), so a
domain connects only to its own payments (`signal.connect_via(PaymentPurpose.DUES)`).
Payments never names the domains above it.
"""

from blinker import Namespace

_signals = Namespace()

subscription_payment = _signals.signal("subscription-payment", doc="""
Sent with no sender and `remote=` (a `MolliePayment` with a `subscription_id`) when the
webhook meets a payment Mollie collected on a subscription that has no row of ours yet;
the domain whose subscription it is creates the rows and returns the locked
`OnlinePayment` (None: not ours).
""")

status_changed = _signals.signal("status-changed", doc="""
Sent with the purpose, `payment=` and `remote=` after each status transition (a monthly
gift starts its subscription, a thank-you mail is queued).
""")

paid = _signals.signal("paid", doc="""
Sent with the purpose and `payment=` when a payment is paid for the amount we asked.
The receiver settles it in its domain and returns the entries to post together with
Mollie's fee, as `(column, make_spec)` pairs stored on the payment (`[]` when it booked
the money itself), or False when it could not (it flagged the payment; the fee is not
booked then).
""")

money_back = _signals.signal("money-back", doc="""
Sent with the purpose, `payment=`, `back=` (the stored `MoneyBack`) and `actor=` for a
refund or chargeback not booked before. The receiver books it and returns True (also
when it flagged the payment because booking was refused), or None when there is nothing
of its own to undo (payments then flags it: settle by hand).
""")

chargeback_reversed = _signals.signal("chargeback-reversed", doc="""
Sent with the purpose, `payment=` and `back=` (a booked chargeback's `MoneyBack`) when the
bank undid the chargeback: the money is back. The receiver books it again and returns
True (also when booking was refused: it flagged the payment), or None when there is
nothing of its own to book (payments then flags it: settle by hand).
""")
