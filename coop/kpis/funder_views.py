"""A funder contact's pages: the published KPI report versions of its own funder's
agreements, online and as downloads. Anything else answers 404 (not another funder's,
not an unpublished report)."""

import json

from flask import Blueprint, abort, render_template
from flask_login import current_user

from coop.kpis import reports
from coop.kpis.views import _pdf_response, figures_download
from coop.permissions import Permission, require

bp = Blueprint("funder_reports", __name__, url_prefix="/reports")


def _version(version_id: int):
    version = reports.version_for_funder(version_id, reports.funder_of(current_user.id))
    if version is None:
        abort(404)
    return version


@bp.get("/")
@require(Permission.KPI_REPORTS_OWN)
def index():
    return render_template("kpis/funder_index.html",
                           rows=reports.published_for_funder(reports.funder_of(current_user.id)))


@bp.get("/<int:version_id>")
@require(Permission.KPI_REPORTS_OWN)
def version(version_id: int):
    row = _version(version_id)
    data = json.loads(row.figures_json)
    return figures_download(data, f"kpi-report-v{row.version}") or render_template(
        "kpis/funder_version.html", version=row, data=data,
        charts=reports.report_charts(data, pdf=False))


@bp.get("/<int:version_id>.pdf")
@require(Permission.KPI_REPORTS_OWN)
def version_pdf(version_id: int):
    row = _version(version_id)
    return _pdf_response(row.pdf, f"kpi-report-{row.report_id}-v{row.version}.pdf")
