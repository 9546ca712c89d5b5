from flask import Blueprint, render_template

from coop.dashboard.services import ELEVATED_ROLES, dashboard_figures
from coop.permissions import Permission, require

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@require(Permission.DASHBOARD_READ)
def index():
    return render_template(
        "dashboard/index.html", elevated_roles=ELEVATED_ROLES, **dashboard_figures()
    )
