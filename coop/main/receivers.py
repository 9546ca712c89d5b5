"""Receivers that join two domains of one layer, which may not import each other
(`coop.signals` explains the pattern). This module sits above both; the app factory
imports it so the receivers are connected in every app (web, CLI, tests)."""

from flask_babel import lazy_gettext as _l

from coop.donations import signals as donation_signals
from coop.volunteers import services as volunteers


@donation_signals.other_gifts.connect
def waived_allowances_as_gifts(year: int, *, email: str | None = None, **_kwargs) -> list:
    """An allowance a volunteer waived in favour of the ANBI is their gift: on their
    donor statement, matched by the person's e-mail as online gifts are by the donor's."""
    return [dict(gift, what=_l("Waived volunteer allowance"))
            for gift in volunteers.waived_gifts(year, email)]
