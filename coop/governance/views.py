"""Governance: the bodies and their positions, appointments (terms), signatories and the
rotation schedule. Reading needs GOVERNANCE_READ (board and kascommissie), every change
GOVERNANCE_WRITE (board); members see who sits on the board in their portal."""

from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from coop import timeutil
from coop.args import int_arg
from coop.extensions import db
from coop.governance import services
from coop.governance.forms import (
    AppointmentForm,
    BodyForm,
    PositionForm,
    ReappointForm,
    StepDownForm,
    VoidForm,
)
from coop.governance.models import Appointment, Body, BodyKind, Position
from coop.meetings.models import Decision
from coop.members import signals as member_signals
from coop.members.models import Person
from coop.pdf import render_pdf
from coop.permissions import Permission, has_permission, require
from coop.settings.services import get_organisation
from coop.web import refusal

bp = Blueprint("governance", __name__, url_prefix="/governance")

SCHEDULE_YEARS = 5
PORTAL_KINDS = (BodyKind.BOARD, BodyKind.SUPERVISORY_BOARD, BodyKind.AUDIT_COMMITTEE)


@member_signals.person_page.connect
def _positions_on_person_page(person, **_kwargs):
    """The person's positions on the register's person page, for whoever may read them."""
    if not has_permission(Permission.GOVERNANCE_READ):
        return None
    return {"positions": services.person_positions(person.id, timeutil.local_today())}


def _nothing_saved() -> None:
    flash(_("Nothing was saved: correct the fields marked below."), "error")


@bp.get("/")
@require(Permission.GOVERNANCE_READ)
def index():
    today = timeutil.local_today()
    every_term = services.all_terms(include_voided=True)
    terms = [t for t in every_term if t.appointment.voided_at is None]
    bodies = services.bodies_with_positions()
    organisation = get_organisation()
    holders = {}
    for term in terms:
        if term.appointment.last_day >= today:  # in office or still to start
            holders.setdefault(term.position.id, []).append(term)
    # Terms entered in error appear only here, marked as withdrawn.
    history = sorted((t for t in every_term
                      if t.appointment.last_day < today or t.appointment.voided_at),
                     key=lambda t: t.appointment.last_day, reverse=True)
    return render_template(
        "governance/index.html", today=today, bodies=bodies, holders=holders,
        history=history, signatories=services.signatories(today),
        rules={body.id: services.term_rules(body, organisation) for body, _ in bodies},
        warnings=services.term_warnings(today, terms),
        kind_labels=services.KIND_LABELS, authority_text=services.authority_text,
        can_write=has_permission(Permission.GOVERNANCE_WRITE),
    )


# Bodies and positions ------------------------------------------------------------------


def _body_form_page(form, body, status=200):
    return render_template("governance/body_form.html", form=form, body=body), status


@bp.route("/bodies/new", methods=["GET", "POST"])
@require(Permission.GOVERNANCE_WRITE)
def body_new():
    form = BodyForm()
    if request.method == "GET":
        return _body_form_page(form, None)
    if not form.validate_on_submit():
        _nothing_saved()
        return _body_form_page(form, None, 422)
    with refusal(form) as refused:
        body = services.create_body(form.values())
    if refused:
        _nothing_saved()
        return _body_form_page(form, None, 422)
    flash(_("%(name)s has been added.", name=body.name), "success")
    return redirect(url_for("governance.index"))


@bp.route("/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@require(Permission.GOVERNANCE_WRITE)
def body_edit(body_id: int):
    body = db.get_or_404(Body, body_id)
    if request.method == "GET":
        return _body_form_page(BodyForm(obj=body), body)
    form = BodyForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return _body_form_page(form, body, 422)
    with refusal(form) as refused:
        changed = services.update_body(body, form.values())
    if refused:
        _nothing_saved()
        return _body_form_page(form, db.session.get(Body, body_id), 422)
    if changed:
        flash(_("%(name)s has been saved.", name=body.name), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("governance.index"))


def _position_form_page(form, body, position, status=200):
    return render_template("governance/position_form.html", form=form, body=body,
                           position=position), status


@bp.route("/bodies/<int:body_id>/positions/new", methods=["GET", "POST"])
@require(Permission.GOVERNANCE_WRITE)
def position_new(body_id: int):
    body = db.get_or_404(Body, body_id)
    form = PositionForm()
    if request.method == "GET":
        return _position_form_page(form, body, None)
    if not form.validate_on_submit():
        _nothing_saved()
        return _position_form_page(form, body, None, 422)
    with refusal(form) as refused:
        position = services.create_position(body, form.values())
    if refused:
        _nothing_saved()
        return _position_form_page(form, db.session.get(Body, body_id), None, 422)
    flash(_("The position %(name)s has been added.", name=position.name), "success")
    return redirect(url_for("governance.index"))


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
@require(Permission.GOVERNANCE_WRITE)
def position_edit(position_id: int):
    position = db.get_or_404(Position, position_id)
    body = db.session.get(Body, position.body_id)
    if request.method == "GET":
        return _position_form_page(PositionForm(obj=position), body, position)
    form = PositionForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return _position_form_page(form, body, position, 422)
    with refusal(form) as refused:
        changed = services.update_position(position, form.values())
    if refused:
        _nothing_saved()
        position = db.session.get(Position, position_id)
        return _position_form_page(form, db.session.get(Body, position.body_id), position,
                                   422)
    if changed:
        flash(_("The position %(name)s has been saved.", name=position.name), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("governance.index"))


# Appointments --------------------------------------------------------------------------


def _appointment_form():
    form = AppointmentForm()
    form.set_position_choices(services.bodies_with_positions())
    return form


@bp.route("/appointments/new", methods=["GET", "POST"])
@require(Permission.GOVERNANCE_WRITE)
def appointment_new():
    form = _appointment_form()
    if request.method == "GET":
        form.position_id.data = int_arg("position")
        return render_template("governance/appointment_new.html", form=form)
    if not form.validate_on_submit():
        _nothing_saved()
        return render_template("governance/appointment_new.html", form=form), 422
    with refusal(form) as refused:
        person = services.find_person(form.person.data)
        appointment = services.appoint(
            person, db.session.get(Position, form.position_id.data), form.start_date.data,
            form.term_years.data, decision=services.find_decision(form.decision.data),
        )
    if refused:
        _nothing_saved()
        return render_template("governance/appointment_new.html", form=_refilled(form)), 422
    flash(_("%(name)s is appointed from %(start)s to %(end)s.", name=person.display_name,
            start=appointment.start_date.strftime("%d-%m-%Y"),
            end=appointment.end_date.strftime("%d-%m-%Y")), "success")
    return redirect(url_for("governance.appointment", appointment_id=appointment.id))


def _refilled(form):
    # After a rollback the position choices are re-read, the typed values kept.
    form.set_position_choices(services.bodies_with_positions())
    return form


def _appointment_page(appointment, reappoint_form=None, step_down_form=None, void_form=None,
                      status=200):
    today = timeutil.local_today()
    person = db.session.get(Person, appointment.person_id)
    position = db.session.get(Position, appointment.position_id)
    body = db.session.get(Body, position.body_id)
    terms = [t for t in services.all_terms(include_voided=True)
             if t.person.id == person.id and t.body.id == body.id]
    rules = services.term_rules(body)
    this = next(t for t in terms if t.appointment.id == appointment.id)
    decision = (
        db.session.get(Decision, appointment.decision_id) if appointment.decision_id else None
    )
    return render_template(
        "governance/appointment.html", appointment=appointment, person=person,
        decision=decision, can_read_meetings=has_permission(Permission.MEETINGS_READ),
        position=position, body=body, terms=terms, rules=rules, today=today,
        reeligibility=services.reeligibility(this, rules),
        next_start=appointment.end_date + timedelta(days=1),
        reappoint_form=reappoint_form or ReappointForm(),
        step_down_form=step_down_form or StepDownForm(),
        void_form=void_form or VoidForm(),
        can_write=has_permission(Permission.GOVERNANCE_WRITE),
        can_read_register=has_permission(Permission.MEMBERS_READ),
        authority_text=services.authority_text,
    ), status


@bp.get("/appointments/<int:appointment_id>")
@require(Permission.GOVERNANCE_READ)
def appointment(appointment_id: int):
    return _appointment_page(db.get_or_404(Appointment, appointment_id))


@bp.post("/appointments/<int:appointment_id>/reappoint")
@require(Permission.GOVERNANCE_WRITE)
def reappoint(appointment_id: int):
    current = db.get_or_404(Appointment, appointment_id)
    form = ReappointForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return _appointment_page(current, reappoint_form=form, status=422)
    with refusal(form) as refused:
        new_term = services.reappoint(current, form.term_years.data,
                                      decision=services.find_decision(form.decision.data))
    if refused:
        _nothing_saved()
        return _appointment_page(db.session.get(Appointment, appointment_id),
                                 reappoint_form=form, status=422)
    flash(_("Reappointed for term %(number)s, from %(start)s to %(end)s.",
            number=new_term.term_number, start=new_term.start_date.strftime("%d-%m-%Y"),
            end=new_term.end_date.strftime("%d-%m-%Y")), "success")
    return redirect(url_for("governance.appointment", appointment_id=new_term.id))


@bp.post("/appointments/<int:appointment_id>/step-down")
@require(Permission.GOVERNANCE_WRITE)
def step_down(appointment_id: int):
    current = db.get_or_404(Appointment, appointment_id)
    form = StepDownForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return _appointment_page(current, step_down_form=form, status=422)
    with refusal(form) as refused:
        services.step_down(current, form.ended_on.data, form.reason.data)
    if refused:
        _nothing_saved()
        return _appointment_page(db.session.get(Appointment, appointment_id),
                                 step_down_form=form, status=422)
    flash(_("The stepping down has been recorded."), "success")
    return redirect(url_for("governance.appointment", appointment_id=appointment_id))


@bp.post("/appointments/<int:appointment_id>/void")
@require(Permission.GOVERNANCE_WRITE)
def void(appointment_id: int):
    current = db.get_or_404(Appointment, appointment_id)
    form = VoidForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return _appointment_page(current, void_form=form, status=422)
    with refusal(form) as refused:
        services.void_appointment(current, form.void_reason.data)
    if refused:
        _nothing_saved()
        return _appointment_page(db.session.get(Appointment, appointment_id),
                                 void_form=form, status=422)
    flash(_("The term has been withdrawn as entered in error."), "success")
    return redirect(url_for("governance.appointment", appointment_id=appointment_id))


# The rotation schedule -----------------------------------------------------------------


def _schedule():
    today = timeutil.local_today()
    first_year = int_arg("from", today.year, low=2000)
    if first_year > 2100:
        first_year = today.year
    return today, first_year, services.rotation_schedule(first_year, SCHEDULE_YEARS, today)


@bp.get("/rotation")
@require(Permission.GOVERNANCE_READ)
def rotation():
    today, first_year, schedule = _schedule()
    return render_template("governance/rotation.html", schedule=schedule,
                           first_year=first_year, today=today)


@bp.get("/rotation.pdf")
@require(Permission.GOVERNANCE_READ)
def rotation_pdf():
    organisation = get_organisation()
    with force_locale("nl"):  # a document for the ALV: Dutch, whoever prints it
        today, first_year, schedule = _schedule()
        pdf = render_pdf("pdf/rotation.html", schedule=schedule, today=today,
                         organisation={"name": organisation.name})
    filename = f"rooster-van-aftreden-{first_year}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# For members ---------------------------------------------------------------------------


@bp.get("/who")
@require(Permission.PORTAL_OWN)
def for_members():
    """Who runs the coop and who signs for it: names and positions, nothing more."""
    today = timeutil.local_today()
    return render_template(
        "governance/for_members.html", today=today,
        bodies=services.current_bodies(today, PORTAL_KINDS),
        signatories=services.signatories(today),
    )
