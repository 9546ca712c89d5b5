"""What the books ask of the domains above them; they connect receivers (the ledger
never names them)."""

from blinker import Namespace

_signals = Namespace()

open_receivables = _signals.signal("open-receivables", doc="""
Sent with no sender; a domain with money still to come in returns a select of its open
items with the columns `due_date` and `remaining_cents` (dues: open invoices). The cash
forecast and the dashboard's ledger tile count them.
""")

agreement_choices = _signals.signal("agreement-choices", doc="""
Sent with the first day one can still post on; returns (id, label) pairs of the
agreements a manual journal line may be booked against (funders).
""")

agreement_for_line = _signals.signal("agreement-for-line", doc="""
Sent with the chosen agreement id as typed and `entry_date=`; returns the id to link,
or raises a `ServiceError` (the message belongs at the line's agreement field).
""")

agreement_labels = _signals.signal("agreement-labels", doc="""
Sent with a list of agreement ids; returns {id: label} for the entry page.
""")
