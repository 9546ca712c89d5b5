"""The board's KPI pages: definitions and figures, entered figures, targets and
progress per agreement, reports (narrative, preview, CSV/XLSX, publication), the JSON
export, the city-wide merge and the funder contacts. All need KPI_MANAGE."""

import json
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from coop import timeutil
from coop.accounts.models import User, UserRole
from coop.extensions import db
from coop.forms import row_id, show_error
from coop.funders.models import Funder, FunderAgreement
from coop.kpis import reports, services
from coop.kpis.forms import (
    UNIT_LABELS,
    ContactForm,
    DefinitionForm,
    MergeForm,
    NarrativeForm,
    ReportForm,
    TargetForm,
    ValueForm,
    format_value,
)
from coop.kpis.models import FunderContact, KpiDefinition, KpiReport, KpiReportVersion, KpiSource
from coop.kpis.services import KpiError
from coop.permissions import Permission, Role, require
from coop.spreadsheets import report_download
from coop.volunteers.models import Initiative

bp = Blueprint("kpis", __name__, url_prefix="/kpis")

MAX_UPLOAD_BYTES = 2_000_000


@bp.app_template_filter("kpi_value")
def kpi_value_filter(value, unit: str) -> str:
    return format_value(None if value is None else Decimal(str(value)), unit)


def _year_bounds() -> tuple[date, date]:
    year = request.args.get("year", "")
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        year = timeutil.local_today().year
    year = int(year)
    return date(year, 1, 1), date(year, 12, 31)


def _kpi_choices(source: str | None = None) -> list:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(k.id), k.name) for k in services.definitions()
        if source is None or k.source == source]


def _index(value_form=None, status=200):
    services.ensure_predefined()
    start, end = _year_bounds()
    value_form = value_form or ValueForm(formdata=None)
    value_form.kpi.choices = _kpi_choices(KpiSource.ENTERED)
    agreements = db.session.scalars(select(FunderAgreement).order_by(
        FunderAgreement.start_date.desc(), FunderAgreement.reference)).all()
    result = render_template(
        "kpis/index.html", figures=services.figures(start, end), start=start, end=end,
        value_form=value_form, agreements=agreements, units=UNIT_LABELS,
        behind=services.behind_schedule())
    db.session.commit()  # the predefined definitions, on first use
    return result, status


@bp.get("/")
@require(Permission.KPI_MANAGE)
def index():
    return _index()


@bp.post("/values")
@require(Permission.KPI_MANAGE)
def enter_value():
    form = ValueForm()
    form.kpi.choices = _kpi_choices(KpiSource.ENTERED)
    if form.validate():
        kpi = db.session.get(KpiDefinition, row_id(form.kpi.data)) if form.kpi.data else None
        try:
            if kpi is None:
                raise KpiError(_("Choose the KPI."), "kpi")
            services.enter_value(kpi, form.month.data, form.value.data)
        except KpiError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Figure saved."), "success")
            return redirect(url_for("kpis.index"))
    return _index(form, 422)


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.KPI_MANAGE)
def definition_new():
    form = DefinitionForm()
    if request.method == "POST":
        if form.validate():
            try:
                services.create_definition({name: form[name].data for name in (
                    "name", "code", "description", "unit", "additive")})
            except KpiError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("KPI added."), "success")
                return redirect(url_for("kpis.index"))
        return render_template("kpis/definition_form.html", form=form), 422
    return render_template("kpis/definition_form.html", form=form)


def _initiative_choices() -> list:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(i.id), i.name)
        for i in db.session.scalars(select(Initiative).order_by(Initiative.name))]


# Targets per agreement ----------------------------------------------------------------


def _agreement_page(agreement: FunderAgreement, target_form=None, report_form=None,
                    status=200):
    services.ensure_predefined()
    target_form = target_form or TargetForm(formdata=None, period_start=agreement.start_date,
                                            period_end=agreement.end_date)
    target_form.kpi.choices = _kpi_choices()
    report_form = report_form or ReportForm(formdata=None, period_start=agreement.start_date,
                                            period_end=agreement.end_date)
    report_form.initiative.choices = _initiative_choices()
    report_rows = db.session.scalars(select(KpiReport).where(
        KpiReport.agreement_id == agreement.id).order_by(KpiReport.period_start)).all()
    result = render_template(
        "kpis/agreement.html", agreement=agreement,
        funder=db.session.get(Funder, agreement.funder_id),
        progress=services.progress(agreement), target_form=target_form,
        report_form=report_form, reports=report_rows)
    db.session.commit()
    return result, status


@bp.get("/agreements/<int:agreement_id>")
@require(Permission.KPI_MANAGE)
def agreement(agreement_id: int):
    return _agreement_page(db.get_or_404(FunderAgreement, agreement_id))


@bp.post("/agreements/<int:agreement_id>/targets")
@require(Permission.KPI_MANAGE)
def target_add(agreement_id: int):
    agreement = db.get_or_404(FunderAgreement, agreement_id)
    form = TargetForm()
    form.kpi.choices = _kpi_choices()
    if form.validate():
        kpi = db.session.get(KpiDefinition, row_id(form.kpi.data)) if form.kpi.data else None
        try:
            services.add_target(agreement, kpi, form.period_start.data, form.period_end.data,
                                form.target.data)
        except KpiError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("kpis.agreement", agreement_id=agreement.id))
    return _agreement_page(agreement, target_form=form, status=422)


@bp.post("/agreements/<int:agreement_id>/reports")
@require(Permission.KPI_MANAGE)
def report_open(agreement_id: int):
    agreement = db.get_or_404(FunderAgreement, agreement_id)
    form = ReportForm()
    form.initiative.choices = _initiative_choices()
    if form.validate():
        try:
            report = reports.open_report(agreement, form.period_start.data,
                                         form.period_end.data,
                                         initiative_id=row_id(form.initiative.data or ""))
        except KpiError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("kpis.report", report_id=report.id))
    return _agreement_page(agreement, report_form=form, status=422)


# Reports ------------------------------------------------------------------------------


def _report_page(report: KpiReport, form=None, status=200):
    data = reports.report_data(report)
    form = form or NarrativeForm(formdata=None, narrative=report.narrative)
    return render_template("kpis/report.html", report=report, data=data, form=form,
                           charts=reports.report_charts(data, pdf=False),
                           versions=reports.versions(report.id)), status


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@require(Permission.KPI_MANAGE)
def report(report_id: int):
    report = db.get_or_404(KpiReport, report_id)
    if request.method == "POST":
        form = NarrativeForm()
        if form.validate():
            try:
                reports.save_narrative(report, form.narrative.data)
            except KpiError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Narrative saved."), "success")
                return redirect(url_for("kpis.report", report_id=report.id))
        return _report_page(report, form, 422)
    download = figures_download(reports.report_data(report), f"kpi-{report.id}")
    return download or _report_page(report)


def figures_download(data: dict, filename: str):
    """The figures as CSV or XLSX when `?format=` asks for it (else None)."""
    header = [_("KPI"), _("Unit"), _("Figure"), _("Target")] + [
        m["month"] for m in (data["kpis"][0]["months"] if data["kpis"] else [])]

    def cell(value, unit):
        if value is None:
            return None
        value = Decimal(str(value))
        return value / 100 if unit == "money" else value

    rows = []
    for kpi in data["kpis"]:
        target = data["targets"].get(kpi["code"], {}).get("target")
        rows.append([kpi["name"], str(UNIT_LABELS.get(kpi["unit"], kpi["unit"])),
                     cell(kpi["value"], kpi["unit"]), cell(target, kpi["unit"])]
                    + [cell(m["value"], kpi["unit"]) for m in kpi["months"]])
    return report_download(filename, _("KPI figures"), header, rows)


@bp.get("/reports/<int:report_id>/preview.pdf")
@require(Permission.KPI_MANAGE)
def report_preview(report_id: int):
    report = db.get_or_404(KpiReport, report_id)
    return _pdf_response(reports.render_report_pdf(reports.report_data(report)),
                         f"kpi-report-{report.id}-preview.pdf")


@bp.post("/reports/<int:report_id>/publish")
@require(Permission.KPI_MANAGE)
def report_publish(report_id: int):
    report = db.get_or_404(KpiReport, report_id)
    version = reports.publish(report)
    db.session.commit()
    flash(_("Version %(n)s published: the funder sees it now.", n=version.version), "success")
    return redirect(url_for("kpis.report", report_id=report.id))


@bp.get("/versions/<int:version_id>.pdf")
@require(Permission.KPI_MANAGE)
def version_pdf(version_id: int):
    version = db.get_or_404(KpiReportVersion, version_id)
    return _pdf_response(version.pdf, f"kpi-report-{version.report_id}-v{version.version}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


# Export and merge ---------------------------------------------------------------------


@bp.get("/export.json")
@require(Permission.KPI_MANAGE)
def export():
    start, end = _year_bounds()
    data = reports.export(start, end)
    db.session.commit()
    return Response(json.dumps(data, ensure_ascii=False, indent=1),
                    mimetype="application/json", headers={
                        "Content-Disposition":
                            f'attachment; filename="kpi-export-{start.year}.json"',
                        "Cache-Control": "no-store"})


@bp.route("/merge", methods=["GET", "POST"])
@require(Permission.KPI_MANAGE)
def merge():
    form = MergeForm()
    merged = None
    if request.method == "POST" and form.validate():
        files = [f for f in request.files.getlist("files") if f and f.filename]
        try:
            contents = []
            for upload in files:
                raw = upload.read(MAX_UPLOAD_BYTES + 1)
                if len(raw) > MAX_UPLOAD_BYTES:
                    raise reports.MergeError(_("%(name)s is larger than 2 MB.",
                                               name=upload.filename))
                contents.append((upload.filename, raw))
            merged = reports.merge(contents)
        except KpiError as error:
            show_error(form, error)
            return render_template("kpis/merge.html", form=form, merged=None), 422
    return render_template("kpis/merge.html", form=form, merged=merged)


# Funder contacts ----------------------------------------------------------------------


def _contact_form(form=None) -> ContactForm:
    form = form or ContactForm(formdata=None)
    users = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role == Role.FUNDER.value)
                               .order_by(User.name)).all()
    form.user.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), f"{u.name} <{u.email}>") for u in users]
    form.funder.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(f.id), f.name)
        for f in db.session.scalars(select(Funder).order_by(Funder.name))]
    return form


def _contacts_page(form=None, status=200):
    rows = db.session.execute(
        select(User.name, User.email, Funder.name)
        .join(FunderContact, FunderContact.user_id == User.id)
        .join(Funder, Funder.id == FunderContact.funder_id).order_by(Funder.name, User.name)
    ).all()
    return render_template("kpis/contacts.html", form=_contact_form(form), rows=rows), status


@bp.route("/contacts", methods=["GET", "POST"])
@require(Permission.KPI_MANAGE)
def contacts():
    if request.method != "POST":
        return _contacts_page()
    form = _contact_form(ContactForm())
    if form.validate():
        user = db.session.get(User, row_id(form.user.data)) if form.user.data else None
        funder = db.session.get(Funder, row_id(form.funder.data)) if form.funder.data else None
        try:
            if user is None or Role.FUNDER.value not in {r.role for r in user.role_rows}:
                raise KpiError(_("Choose an account with the role funder contact."), "user")
            reports.link_contact(user, funder)
        except KpiError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Funder contact linked."), "success")
            return redirect(url_for("kpis.contacts"))
    return _contacts_page(form, 422)
