"""Other appreciation and the yearly statements: sponsoring of neighbourhood events
(coordinators, scoped to their initiatives; the board sees all), mailing the
volunteers' yearly statements (the treasurer, one click for a whole year), and the fees
paid for internships and freelance assignments (the "derden" list is made of them)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from coop import timeutil
from coop.extensions import db
from coop.forms import row_id, show_error
from coop.mail import send_queued
from coop.members.models import Person
from coop.permissions import Permission, require
from coop.volunteers import jobs, services, statement
from coop.volunteers.forms import (
    CONTRACT_TYPE_LABELS,
    JobPaymentForm,
    SponsorshipForm,
    StatementMailForm,
)
from coop.volunteers.models import Job
from coop.volunteers.services import VolunteerError

bp = Blueprint("volunteer_extras", __name__, url_prefix="/volunteers")


def _user():
    return current_user._get_current_object()


def _scope() -> set[int] | None:
    scope = services.coordinated_initiative_ids(_user())
    if scope is not None and not scope:
        abort(403)
    return scope


# Sponsoring of neighbourhood events -------------------------------------------------------


def _sponsoring_page(form: SponsorshipForm, scope, status=200):
    form.initiative.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(i.id), i.name) for i in services.visible_initiatives(_user())]
    return render_template("volunteers/sponsoring.html", form=form,
                           rows=services.sponsorships(scope)), status


@bp.get("/sponsoring")
@require(Permission.VOLUNTEERS_COORDINATE)
def sponsoring():
    return _sponsoring_page(SponsorshipForm(formdata=None), _scope())


@bp.post("/sponsoring")
@require(Permission.VOLUNTEERS_COORDINATE)
def sponsoring_add():
    """Sponsor a neighbourhood event: booked at once, payable to the organiser."""
    scope = _scope()
    form = SponsorshipForm()
    if form.validate():
        try:
            services.sponsor_event(row_id(form.initiative.data), form.event_name.data,
                                   form.organiser.data, form.held_on.data, form.cost.cents,
                                   today=timeutil.local_today(), allowed_initiatives=scope,
                                   actor=_user())
        except VolunteerError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Sponsoring recorded and booked."), "success")
            return redirect(url_for("volunteer_extras.sponsoring"))
    return _sponsoring_page(form, scope, 422)


# The yearly statements, mailed --------------------------------------------------------------


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.get("/statements/<int:year>")
@require(Permission.FINANCE_READ)
def statements(year: int):
    year = _year_or_404(year)
    mailed = statement.mailed_volunteer_ids(year)
    return render_template("volunteers/statements.html", year=year,
                           rows=statement.statement_volunteers(year), mailed=mailed,
                           form=StatementMailForm())


@bp.post("/statements/<int:year>/mail")
@require(Permission.FINANCE_WRITE)
def statements_mail(year: int):
    """Mail every volunteer of `year` their statement; a volunteer mailed before is not
    mailed again (re-clicking is safe)."""
    year = _year_or_404(year)
    form = StatementMailForm()
    if not form.validate():
        return redirect(url_for("volunteer_extras.statements", year=year))
    result = statement.mail_statements(year, timeutil.local_today(), actor=_user())
    db.session.commit()
    send_queued()
    if result.sent:
        flash(_("Statements mailed: %(count)s.", count=len(result.sent)), "success")
    else:
        flash(_("No statement was left to mail."), "info")
    if result.failed:
        flash(_("Not mailed (try again later): %(names)s.", names=", ".join(result.failed)),
              "error")
    if result.without_email:
        flash(_("No e-mail address (download and hand over the statement): %(names)s.",
                names=", ".join(result.without_email)), "warning")
    return redirect(url_for("volunteer_extras.statements", year=year))


# Fees paid for internships and freelance assignments ------------------------------------------


def _job_payments_page(job: Job, form: JobPaymentForm, status=200):
    person = db.session.get(Person, job.person_id)
    return render_template("volunteers/job_payments.html", job=job, person=person, form=form,
                           payments=jobs.payments_of(job),
                           contract_types=CONTRACT_TYPE_LABELS), status


@bp.get("/jobs/<int:job_id>/payments")
@require(Permission.VOLUNTEERS_ALL)
def job_payments(job_id: int):
    return _job_payments_page(db.get_or_404(Job, job_id), JobPaymentForm(formdata=None))


@bp.post("/jobs/<int:job_id>/payments")
@require(Permission.FINANCE_WRITE)
def job_payment_add(job_id: int):
    """Record and book a fee paid to an intern or a freelancer."""
    job = db.get_or_404(Job, job_id)
    form = JobPaymentForm()
    if form.validate():
        try:
            jobs.record_job_payment(job, form.paid_on.data, form.amount.cents,
                                    today=timeutil.local_today(), actor=_user())
        except VolunteerError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Payment recorded and booked."), "success")
            return redirect(url_for("volunteer_extras.job_payments", job_id=job.id))
    return _job_payments_page(job, form, 422)
