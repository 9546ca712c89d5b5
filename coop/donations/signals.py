"""What the donor statements ask of the domains beside and above them; a package above
connects the receivers (donations never names them)."""

from blinker import Namespace

_signals = Namespace()

other_gifts = _signals.signal("collect-other-gifts", doc="""
Collect other gifts for a donor statement. Sent with the year and `email=` (one donor's
e-mail, lower case, or None for every donor); a receiver returns a list of dicts with
`email`, `name`, `date` and `amount_cents` (and optionally `what`, a short text for the
statement's line): gifts in that year that were not paid online, such as an allowance a
volunteer waived in favour of an ANBI.
""")
