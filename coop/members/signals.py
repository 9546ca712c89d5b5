"""What the register asks of the domains above it; they connect receivers."""

from blinker import Namespace

_signals = Namespace()

person_filter = _signals.signal("person-filter", doc="""
Sent with a register filter's name as sender (`"dues_open"`); the domain that owns it
returns a SQL condition on `Person` (dues: the person has an open invoice).
""")

person_page = _signals.signal("person-page", doc="""
Sent with the `Person` whose page is shown; a receiver returns a dict of extra template
values for that page (governance: `positions`), or None when the viewer may not see them.
""")
