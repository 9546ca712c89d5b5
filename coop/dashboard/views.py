from flask import Blueprint, render_template

from coop.dashboard.services import ELEVATED_ROLES, dashboard_figures
from coop.permissions import Permission, has_permission, require

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@require(Permission.DASHBOARD_READ)
def index():
    finance = {}
    if has_permission(Permission.FINANCE_READ):
        from coop.bank.services import open_count
        from coop.dues.services import local_today
        from coop.funders.services import deadlines_needing_attention

        finance = {"report_deadlines": deadlines_needing_attention(local_today(), limit=10),
                   "open_bank_lines": open_count()}
    return render_template(
        "dashboard/index.html", elevated_roles=ELEVATED_ROLES, **finance,
        **dashboard_figures()
    )
