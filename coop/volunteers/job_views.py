"""Buurtbanen and other paid work: the board's pages (jobs, the minimum wage table,
the wage cost report with its CSV/XLSX)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from coop import timeutil
from coop.args import int_arg
from coop.extensions import db
from coop.members.models import Person
from coop.money import cents_to_decimal
from coop.permissions import Permission, require
from coop.spreadsheets import report_download
from coop.volunteers import jobs
from coop.volunteers.forms import (
    CONTRACT_TYPE_LABELS,
    EMPLOYER_KIND_LABELS,
    JobForm,
    MinimumWageForm,
)
from coop.volunteers.models import Initiative, Job
from coop.web import refusal

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _labels() -> dict:
    return {"contract_types": CONTRACT_TYPE_LABELS, "employer_kinds": EMPLOYER_KIND_LABELS}


@bp.get("/")
@require(Permission.VOLUNTEERS_ALL)
def index():
    today = timeutil.local_today()
    return render_template("volunteers/jobs.html", jobs=jobs.jobs_list(),
                           flagged=jobs.jobs_below_minimum_wage(today), today=today,
                           **_labels())


def _job_form(job: Job | None) -> JobForm:
    form = JobForm(formdata=request.form if request.method == "POST" else None, obj=job)
    people = db.session.scalars(select(Person).where(Person.anonymised_at.is_(None))
                                .order_by(Person.sort_name).limit(2000))
    form.person.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(p.id), p.display_name) for p in people]
    form.initiative.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(i.id), i.name)
        for i in db.session.scalars(select(Initiative).order_by(Initiative.name))]
    form.agreement.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(key), label) for key, label in jobs.agreement_choices()]
    if request.method != "POST" and job is not None:
        form.person.data = str(job.person_id)
        form.initiative.data = str(job.initiative_id)
        form.agreement.data = str(job.agreement_id or "")
        form.mbo_level.data = str(job.mbo_level or "")
        form.hours_per_week.data = f"{job.quarter_hours_per_week / 4:g}".replace(".", ",")
        form.hourly_wage.data = (f"{cents_to_decimal(job.hourly_wage_cents)}".replace(".", ",")
                                 if job.hourly_wage_cents else "")
        form.fee.data = (f"{cents_to_decimal(job.fee_cents)}".replace(".", ",")
                         if job.fee_cents else "")
        form.labour_distance.data = {True: "yes", False: "no"}.get(job.labour_distance, "")
    return form


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _values(form: JobForm) -> dict:
    """The form as `jobs.save_job` takes it; raises VolunteerError for the hours."""
    quarters = jobs.quarters_per_week(form.hours_per_week.data)
    return {
        "title": form.title.data,
        "person": db.session.get(Person, _int(form.person.data) or 0),
        "date_of_birth": form.date_of_birth.data,
        "initiative": db.session.get(Initiative, _int(form.initiative.data) or 0),
        "employer_kind": form.employer_kind.data, "partner_name": form.partner_name.data,
        "contract_type": form.contract_type.data, "start_date": form.start_date.data,
        "end_date": form.end_date.data, "quarter_hours_per_week": quarters,
        "hourly_wage_cents": form.hourly_wage.cents, "fee_cents": form.fee.cents,
        "mbo_level": _int(form.mbo_level.data), "agreement_id": _int(form.agreement.data),
        "labour_distance": {"yes": True, "no": False}.get(form.labour_distance.data),
        "labour_distance_consent_on": form.labour_distance_consent_on.data,
    }


def _save(job: Job | None):
    form = _job_form(job)
    if request.method == "POST":
        if form.validate():
            with refusal(form) as refused:
                jobs.save_job(job, _values(form))
            if not refused:
                flash(_("Job saved."), "success")
                return redirect(url_for("jobs.index"))
        return render_template("volunteers/job_form.html", form=form, job=job), 422
    return render_template("volunteers/job_form.html", form=form, job=job)


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def job_new():
    return _save(None)


@bp.route("/<int:job_id>", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def job_edit(job_id: int):
    return _save(db.get_or_404(Job, job_id))


@bp.get("/minimum-wage")
@require(Permission.VOLUNTEERS_ALL)
def minimum_wage():
    return _wage_page(MinimumWageForm(formdata=None))


def _wage_page(form, status=200):
    return render_template("volunteers/minimum_wage.html", steps=jobs.latest_steps(12),
                           ages=list(range(21, 14, -1)), form=form), status


@bp.post("/minimum-wage")
@require(Permission.VOLUNTEERS_ALL)
def minimum_wage_set():
    form = MinimumWageForm()
    if form.validate():
        with refusal(form) as refused:
            jobs.set_minimum_wage(form.valid_from.data, form.adult.cents)
        if not refused:
            flash(_("Minimum wage saved."), "success")
            return redirect(url_for("jobs.minimum_wage"))
    return _wage_page(form, 422)


@bp.get("/wage-cost")
@require(Permission.VOLUNTEERS_ALL)
def wage_cost():
    today = timeutil.local_today()
    year = int_arg("year", low=2000)
    if year is None or year > 2100:
        year = today.year
    report = jobs.wage_cost(year, today if today.year == year else
                            today.replace(year=year, month=12, day=31))
    header = [_("Funder agreement")] + [str(m) for m in range(1, 13)] + [_("Total")]
    rows = [[row.agreement or _("No agreement")]
            + [cents_to_decimal(c) for c in row.months] + [cents_to_decimal(row.total_cents)]
            for row in report.rows]
    export = report_download(f"loonkosten-{year}", _("Wage cost"), header, rows)
    return export or render_template("volunteers/wage_cost.html", report=report, year=year)


@bp.get("/third-parties")
@require(Permission.VOLUNTEERS_ALL)
def third_parties():
    """The yearly list of payments to third parties (IB47), as a page, CSV and XLSX."""
    year = int_arg("year", low=2000)
    if year is None or year > 2100:
        year = timeutil.local_today().year - 1
    payments = jobs.third_party_payments(year)
    header = [_("Name"), _("Address"), _("Date of birth"), _("What"), _("Kind of contract"),
              _("Amount")]
    rows = [[p.name, p.address, p.date_of_birth, p.what,
             str(CONTRACT_TYPE_LABELS[p.contract_type]), cents_to_decimal(p.amount_cents)]
            for p in payments]
    export = report_download(f"uitbetaalde-bedragen-derden-{year}",
                             _("Payments to third parties"), header, rows)
    return export or render_template("volunteers/third_parties.html", payments=payments,
                                     year=year, **_labels())
