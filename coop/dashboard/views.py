from flask import Blueprint, render_template

from coop import timeutil
from coop.bank.services import open_count
from coop.dashboard.services import ELEVATED_ROLES, dashboard_figures
from coop.fiscal import fiscal_year_bounds, fiscal_year_of
from coop.funders.services import deadlines_needing_attention
from coop.ledger.reports import ledger_tile
from coop.permissions import Permission, has_permission, require
from coop.settings.services import get_organisation
from coop.volunteers.jobs import jobs_below_minimum_wage

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@require(Permission.DASHBOARD_READ)
def index():
    finance = {}
    if has_permission(Permission.FINANCE_READ):
        today = timeutil.local_today()
        start_month = get_organisation().fiscal_year_start_month
        year = fiscal_year_of(today, start_month)
        finance = {"report_deadlines": deadlines_needing_attention(today, limit=10),
                   "open_bank_lines": open_count(),
                   "ledger": ledger_tile(today, year, fiscal_year_bounds(year, start_month)[0])}
    if has_permission(Permission.VOLUNTEERS_ALL):
        # Buurtbanen whose wage falls below the WML (a new rate or a birthday).
        finance["wage_flags"] = jobs_below_minimum_wage(timeutil.local_today())
    return render_template(
        "dashboard/index.html", elevated_roles=ELEVATED_ROLES, **finance,
        **dashboard_figures()
    )
