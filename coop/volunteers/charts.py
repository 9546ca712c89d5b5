"""A volunteer's allowances against the tax-free caps, as a chart (coop.charts)."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from coop.charts import Chart, Series, bar_chart
from coop.extensions import db
from coop.money import format_money
from coop.volunteers.models import AllowanceCap
from coop.volunteers.services import Received


def allowance_chart(received: Received, today: date) -> Chart | None:
    """This month's and this year's allowances beside the caps of the volunteer scheme
    (as `services.received` counts them); None when the year has no caps."""
    cap = db.session.get(AllowanceCap, today.year)
    if cap is None:
        return None
    month = format_date(today, "LLLL y")
    return bar_chart(
        _("Allowances and the tax-free cap"),
        _("What you received in %(month)s (%(month_received)s of %(month_cap)s) and in "
          "%(year)d (%(year_received)s of %(year_cap)s), beside the tax-free caps of the "
          "volunteer scheme.", month=month, year=today.year,
          month_received=format_money(received.month_cents),
          month_cap=format_money(cap.month_cents),
          year_received=format_money(received.year_cents),
          year_cap=format_money(cap.year_cents)),
        [month, str(today.year)],
        [Series(_("Received"), [received.month_cents, received.year_cents]),
         Series(_("Tax-free cap"), [cap.month_cents, cap.year_cents])],
        unit="eur", horizontal=True, category_label=_("Period"),
    )
