from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from coop.extensions import db
from coop.permissions import Permission, has_permission, public

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    """Send each user to where their work is."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if has_permission(Permission.DASHBOARD_READ):
        return redirect(url_for("dashboard.index"))
    if has_permission(Permission.PORTAL_OWN):
        return redirect(url_for("portal.index"))  # it links a volunteer's own page
    if has_permission(Permission.VOLUNTEER_OWN):
        return redirect(url_for("volunteers.own"))
    if has_permission(Permission.KPI_REPORTS_OWN):
        return redirect(url_for("funder_reports.index"))
    return redirect(url_for("accounts.profile"))


@bp.get("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
