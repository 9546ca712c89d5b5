"""Volunteers: the coordinators' pages (scoped to the initiatives they coordinate; the
board sees all), the caps (treasurer) and the volunteer's own phone page.

The declared permission opens the page to a kind of user; the scope check then answers
403 for an initiative or volunteer outside the user's initiatives (whether it exists
or not, a coordinator learns nothing about other initiatives).
"""


from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from coop import timeutil
from coop.extensions import db
from coop.forms import row_id
from coop.members import services as members
from coop.members.models import Person
from coop.permissions import Permission, require
from coop.volunteers import payments, services
from coop.volunteers.charts import allowance_chart
from coop.volunteers.forms import (
    ALLOWANCE_KIND_LABELS,
    ARRANGEMENT_KIND_LABELS,
    HOUR_STATUS_LABELS,
    AllowanceForm,
    ArrangementForm,
    BankForm,
    CapsForm,
    CoachingForm,
    CoordinatorForm,
    HoursForm,
    InitiativeForm,
    PaidForm,
    PaymentBatchForm,
    ReturnForm,
    VolunteerForm,
)
from coop.volunteers.models import (
    AllowanceCap,
    AllowancePaymentBatch,
    HourEntry,
    Initiative,
    Volunteer,
)
from coop.volunteers.services import OverCapError
from coop.volunteers.statement import render_statement_pdf
from coop.web import refusal

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

VOLUNTEERS_SHOWN = 50  # the overview's list; the search finds the others


def _labels() -> dict:
    return {"allowance_kinds": ALLOWANCE_KIND_LABELS, "arrangement_kinds": ARRANGEMENT_KIND_LABELS,
            "hour_statuses": HOUR_STATUS_LABELS}


def _user():
    return current_user._get_current_object()


def _scope() -> set[int] | None:
    """The user's initiatives (None: all); 403 for someone who coordinates none."""
    scope = services.coordinated_initiative_ids(_user())
    if scope is not None and not scope:
        abort(403)
    return scope


def _initiative_in_scope(initiative_id: int) -> Initiative:
    scope = _scope()
    if scope is not None and initiative_id not in scope:
        abort(403)
    return db.get_or_404(Initiative, initiative_id)


def _volunteer_in_scope(volunteer_id: int) -> Volunteer:
    scope = _scope()
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        abort(403 if scope is not None else 404)
    if not services.may_coordinate_volunteer(_user(), volunteer):
        abort(403)
    return volunteer


def _initiative_choices(volunteer: Volunteer, scope: set[int] | None) -> list[SelectChoice]:
    return [SelectChoice(str(i.id), i.name) for i in services.initiatives_of(volunteer)
            if scope is None or i.id in scope]


# Overview and initiatives -------------------------------------------------------------


@bp.get("/")
@require(Permission.VOLUNTEERS_COORDINATE)
def index():
    scope = _scope()
    name = (request.args.get("q") or "")[:100]
    return render_template(
        "volunteers/index.html", initiatives=services.visible_initiatives(_user()),
        pending=services.pending_hours(scope), query=name,
        volunteers=services.volunteers_in(scope, name=name, limit=VOLUNTEERS_SHOWN),
        return_form=ReturnForm(), may_manage=scope is None, **_labels())


@bp.route("/initiatives/new", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def initiative_new():
    return _initiative_form(None)


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def initiative_edit(initiative_id: int):
    return _initiative_form(db.get_or_404(Initiative, initiative_id))


def _initiative_form(initiative: Initiative | None):
    form = InitiativeForm(obj=initiative)
    if request.method == "POST":
        if form.validate():
            values = {name: form[name].data for name in
                      ("name", "description", "active_from", "active_until")}
            with refusal(form) as refused:
                if initiative is None:
                    initiative = services.create_initiative(values)
                else:
                    services.update_initiative(initiative, values)
            if not refused:
                flash(_("Initiative saved."), "success")
                return redirect(url_for("volunteers.initiative", initiative_id=initiative.id))
        return render_template("volunteers/initiative_form.html", form=form,
                               initiative=initiative), 422
    return render_template("volunteers/initiative_form.html", form=form, initiative=initiative)


@bp.get("/initiatives/<int:initiative_id>")
@require(Permission.VOLUNTEERS_COORDINATE)
def initiative(initiative_id: int):
    initiative = _initiative_in_scope(initiative_id)
    may_manage = services.coordinated_initiative_ids(_user()) is None
    coordinator_form = None
    if may_manage:
        coordinator_form = CoordinatorForm()
        coordinator_form.person.choices = _coordinator_candidates()
    return render_template(
        "volunteers/initiative.html", initiative=initiative,
        coordinators=services.coordinators_of(initiative.id),
        volunteers=services.volunteers_in([initiative.id]),
        coordinator_form=coordinator_form, may_manage=may_manage)


def _coordinator_candidates() -> list[SelectChoice]:
    people = db.session.scalars(select(Person).where(Person.user_id.is_not(None))
                                .order_by(Person.sort_name).limit(500))
    return [SelectChoice("", "—")] + [SelectChoice(str(p.id), p.display_name) for p in people]


@bp.post("/initiatives/<int:initiative_id>/coordinators")
@require(Permission.VOLUNTEERS_ALL)
def coordinator_add(initiative_id: int):
    initiative = db.get_or_404(Initiative, initiative_id)
    person = db.session.get(Person, row_id(request.form.get("person")) or 0)
    if person is None:
        flash(_("Choose a person."), "error")
        return redirect(url_for("volunteers.initiative", initiative_id=initiative.id))
    with refusal() as refused:
        services.add_coordinator(initiative, person)
    if not refused:
        flash(_("Coordinator added."), "success")
    return redirect(url_for("volunteers.initiative", initiative_id=initiative.id))


@bp.route("/initiatives/<int:initiative_id>/volunteers/new", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_COORDINATE)
def volunteer_add(initiative_id: int):
    initiative = _initiative_in_scope(initiative_id)
    form = VolunteerForm()
    if request.method == "POST":
        if form.validate():
            with refusal(form) as refused:
                volunteer = _add_volunteer(form, initiative)
            if not refused:
                flash(_("Volunteer added."), "success")
                return redirect(url_for("volunteers.volunteer", volunteer_id=volunteer.id))
        return render_template("volunteers/volunteer_form.html", form=form,
                               initiative=initiative), 422
    return render_template("volunteers/volunteer_form.html", form=form, initiative=initiative)


def _add_volunteer(form: VolunteerForm, initiative: Initiative) -> Volunteer:
    email = (form.email.data or "").strip().lower() or None
    person = None
    if email:
        person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = members.create_person({
            "given_name": form.given_name.data, "family_name": form.family_name.data,
            "email": email, "phone": form.phone.data})
    volunteer = services.ensure_volunteer(person)
    services.join_initiative(volunteer, initiative)
    return volunteer


# One volunteer --------------------------------------------------------------------------


@bp.get("/<int:volunteer_id>")
@require(Permission.VOLUNTEERS_COORDINATE)
def volunteer(volunteer_id: int):
    volunteer = _volunteer_in_scope(volunteer_id)
    return _volunteer_page(volunteer)


def _volunteer_page(volunteer: Volunteer, *, allowance_form=None, arrangement_form=None,
                    hours_form=None, bank_form=None, coaching_form=None, over_cap=None,
                    status=200):
    scope = services.coordinated_initiative_ids(_user())
    person = db.session.get(Person, volunteer.person_id)
    today = timeutil.local_today()
    if allowance_form is None:
        allowance_form = AllowanceForm(formdata=None, work_date=today)
    allowance_form.initiative.choices = _initiative_choices(volunteer, scope)
    if arrangement_form is None:
        arrangement_form = ArrangementForm(formdata=None, valid_from=today)
    return render_template(
        "volunteers/volunteer.html", volunteer=volunteer, person=person,
        initiatives=services.initiatives_of(volunteer),
        hours=services.hours_of(volunteer, scope),
        allowances=services.allowances_of(volunteer, scope),
        arrangement=services.arrangement_on(volunteer, today),
        received=services.received(volunteer, today), today=today,
        allowance_form=allowance_form, arrangement_form=arrangement_form,
        hours_form=hours_form or _hours_form(volunteer, scope, formdata=None),
        return_form=ReturnForm(), over_cap=over_cap,
        bank_form=bank_form or BankForm(formdata=None, obj=volunteer),
        coaching_form=coaching_form or CoachingForm(formdata=None, held_on=today),
        coaching_count=services.coaching_count(volunteer.person_id),
        initiative_names=_initiative_names(),
        **_labels()), status


def _initiative_names() -> dict[int, str]:
    return {row.id: row.name for row in db.session.execute(select(Initiative.id, Initiative.name))}


def _hours_form(volunteer: Volunteer, scope, formdata=None) -> HoursForm:
    choices = _initiative_choices(volunteer, scope)
    if formdata is None:
        form = HoursForm(formdata=None, work_date=timeutil.local_today(),
                         initiative=choices[0].value if choices else None)
    else:
        form = HoursForm(formdata=formdata)
    form.initiative.choices = choices
    return form


def _declare(form: HoursForm, volunteer: Volunteer, *, approved: bool) -> bool:
    """Validate the hours form and record the hours; False with errors at the fields."""
    if not form.validate():
        return False
    with refusal(form) as refused:
        quarters = services.quarters_from_hours(form.hours.data)
        services.declare_hours(volunteer, row_id(form.initiative.data),
                               form.work_date.data, quarters, form.note.data,
                               today=timeutil.local_today(), approved=approved)
    return not refused


@bp.post("/<int:volunteer_id>/hours")
@require(Permission.VOLUNTEERS_COORDINATE)
def hours_new(volunteer_id: int):
    """A coordinator enters hours for a volunteer (e.g. one without an account);
    they are approved at once."""
    volunteer = _volunteer_in_scope(volunteer_id)
    scope = services.coordinated_initiative_ids(_user())
    form = _hours_form(volunteer, scope, formdata=request.form)
    if scope is not None and row_id(form.initiative.data) not in scope:
        form.initiative.data = None
    if _declare(form, volunteer, approved=True):
        flash(_("Hours recorded and approved."), "success")
        return redirect(url_for("volunteers.volunteer", volunteer_id=volunteer.id))
    return _volunteer_page(volunteer, hours_form=form, status=422)


def _hour_in_scope(hour_id: int) -> HourEntry:
    scope = _scope()
    entry = db.session.get(HourEntry, hour_id)
    if entry is None:
        abort(403 if scope is not None else 404)
    if scope is not None and entry.initiative_id not in scope:
        abort(403)
    return entry


@bp.post("/hours/<int:hour_id>/approve")
@require(Permission.VOLUNTEERS_COORDINATE)
def hours_approve(hour_id: int):
    entry = _hour_in_scope(hour_id)
    with refusal() as refused:
        services.approve_hours(entry)
    if not refused:
        flash(_("Hours approved."), "success")
    if request.form.get("back") == "volunteer":
        return redirect(url_for("volunteers.volunteer", volunteer_id=entry.volunteer_id))
    return redirect(url_for("volunteers.index"))


@bp.post("/hours/<int:hour_id>/return")
@require(Permission.VOLUNTEERS_COORDINATE)
def hours_return(hour_id: int):
    entry = _hour_in_scope(hour_id)
    form = ReturnForm()
    if form.validate():
        with refusal(form) as refused:
            services.return_hours(entry, form.reason.data)
        if not refused:
            flash(_("Hours returned to the volunteer."), "success")
            return redirect(url_for("volunteers.index"))
    person = db.session.scalar(select(Person).join(Volunteer, Volunteer.person_id == Person.id)
                               .where(Volunteer.id == entry.volunteer_id))
    return render_template("volunteers/return_form.html", form=form, entry=entry,
                           person=person), 422


@bp.post("/<int:volunteer_id>/allowances")
@require(Permission.VOLUNTEERS_COORDINATE)
def allowance_new(volunteer_id: int):
    """Check an allowance or verstrekking against the caps and approve it. Over a cap:
    the page shows the room left and a button that approves the highest amount that
    fits (the same form, that amount filled in)."""
    volunteer = _volunteer_in_scope(volunteer_id)
    scope = services.coordinated_initiative_ids(_user())
    form = AllowanceForm()
    form.initiative.choices = _initiative_choices(volunteer, scope)
    if not form.validate():
        return _volunteer_page(volunteer, allowance_form=form, status=422)
    initiative_id = row_id(form.initiative.data)
    if scope is not None and initiative_id not in scope:
        initiative_id = None
    with refusal(form) as refused:
        quarters = (services.quarters_from_hours(form.hours.data)
                    if (form.hours.data or "").strip() else None)
        services.approve_allowance(
            volunteer, initiative_id=initiative_id, kind=form.kind.data,
            work_date=form.work_date.data, amount_cents=form.amount.cents,
            expense_cents=form.expenses.cents, quarter_hours=quarters,
            description=form.description.data, date_of_birth=form.date_of_birth.data,
            supplier=form.supplier.data, today=timeutil.local_today())
    if refused:
        over_cap = refused.error.check if isinstance(refused.error, OverCapError) else None
        return _volunteer_page(volunteer, allowance_form=form, over_cap=over_cap, status=422)
    flash(_("Approved."), "success")
    return redirect(url_for("volunteers.volunteer", volunteer_id=volunteer.id))


@bp.post("/<int:volunteer_id>/arrangement")
@require(Permission.VOLUNTEERS_COORDINATE)
def arrangement_set(volunteer_id: int):
    volunteer = _volunteer_in_scope(volunteer_id)
    form = ArrangementForm()
    if form.validate():
        with refusal(form) as refused:
            services.set_arrangement(volunteer, form.kind.data, form.valid_from.data,
                                     form.rate.cents, form.waived_on.data)
        if not refused:
            flash(_("Arrangement saved."), "success")
            return redirect(url_for("volunteers.volunteer", volunteer_id=volunteer.id))
    return _volunteer_page(volunteer, arrangement_form=form, status=422)


# Caps ------------------------------------------------------------------------------------


@bp.get("/caps")
@require(Permission.VOLUNTEERS_ALL)
def caps():
    return _caps_page(CapsForm(formdata=None))


def _caps_page(form, status=200):
    rows = db.session.scalars(select(AllowanceCap).order_by(AllowanceCap.year.desc())).all()
    return render_template("volunteers/caps.html", caps=rows, form=form), status


@bp.post("/caps")
@require(Permission.FINANCE_WRITE)
def caps_set():
    form = CapsForm()
    if form.validate():
        with refusal(form) as refused:
            services.set_caps(form.year.data, form.hourly_adult.cents, form.hourly_young.cents,
                              form.month.cents, form.year_cap.cents)
        if not refused:
            flash(_("Caps for %(year)s saved.", year=form.year.data), "success")
            return redirect(url_for("volunteers.caps"))
    return _caps_page(form, 422)


# The volunteer's own page ---------------------------------------------------------------


@bp.route("/me", methods=["GET", "POST"])
@require(Permission.VOLUNTEER_OWN)
def own():
    """The phone page: declare hours in under a minute (today and the first initiative
    filled in), repeat one of last week's entries, see what was received and the room
    left."""
    volunteer = services.volunteer_for_user(_user())
    coordinates = bool(services.coordinated_initiative_ids(_user()) or ())
    if volunteer is None:
        return render_template("volunteers/own.html", volunteer=None, coordinates=coordinates)
    form = _hours_form(volunteer, None, formdata=request.form if request.method == "POST"
                       else None)
    status = 200
    if request.method == "POST":
        if _declare(form, volunteer, approved=False):
            flash(_("Thank you! Your hours are recorded."), "success")
            return redirect(url_for("volunteers.own"))
        status = 422
    today = timeutil.local_today()
    received = services.received(volunteer, today)
    return render_template(
        "volunteers/own.html", volunteer=volunteer, form=form, today=today,
        recent=services.recent_entries(volunteer, today),
        received=received, initiative_names=_initiative_names(),
        allowance_chart=allowance_chart(received, today),
        coordinates=coordinates, **_labels()), status


# Bank details and payment -----------------------------------------------------------------


@bp.post("/<int:volunteer_id>/bank")
@require(Permission.VOLUNTEERS_COORDINATE)
def bank_details(volunteer_id: int):
    volunteer = _volunteer_in_scope(volunteer_id)
    form = BankForm()
    if form.validate():
        with refusal(form) as refused:
            payments.set_bank_details(volunteer, form.iban.data, form.account_holder.data)
        if not refused:
            flash(_("Bank account saved."), "success")
            return redirect(url_for("volunteers.volunteer", volunteer_id=volunteer.id))
    return _volunteer_page(volunteer, bank_form=form, status=422)


@bp.get("/payments")
@require(Permission.FINANCE_READ)
def payments_index():
    return _payments_page(PaymentBatchForm(formdata=None, execution_date=timeutil.local_today()))


def _payments_page(form, status=200):
    return render_template("volunteers/payments.html", payable=payments.payable_allowances(),
                           batches=payments.batches(), form=form,
                           paid_form=PaidForm(formdata=None, paid_on=timeutil.local_today()),
                           **_labels()), status


@bp.post("/payments")
@require(Permission.FINANCE_WRITE)
def payment_batch_new():
    form = PaymentBatchForm()
    if form.validate():
        ids = [i for i in (row_id(v) for v in request.form.getlist("allowances")) if i]
        with refusal(form) as refused:  # "allowances" is no field: flashed
            batch = payments.create_payment_batch(ids, form.execution_date.data,
                                                  today=timeutil.local_today())
        if not refused:
            flash(_("Transfer file made: download it and upload it to the bank."), "success")
            return redirect(url_for("volunteers.payments_index", _anchor=f"batch-{batch.id}"))
    return _payments_page(form, 422)


@bp.get("/payments/<int:payment_batch_id>.xml")
@require(Permission.FINANCE_READ)
def payment_batch_file(payment_batch_id: int):
    batch = db.get_or_404(AllowancePaymentBatch, payment_batch_id)
    return Response(batch.xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{batch.message_id}.xml"'})


@bp.post("/payments/<int:payment_batch_id>/paid")
@require(Permission.FINANCE_WRITE)
def payment_batch_paid(payment_batch_id: int):
    batch = db.get_or_404(AllowancePaymentBatch, payment_batch_id)
    form = PaidForm()
    if form.validate():
        with refusal() as refused:
            payments.mark_paid(batch, form.paid_on.data)
        if not refused:
            flash(_("Payment booked."), "success")
            return redirect(url_for("volunteers.payments_index"))
    else:
        flash(_("Enter a date like 2026-03-31."), "error")
    return redirect(url_for("volunteers.payments_index"))


# Yearly statement ----------------------------------------------------------------------------


def _statement_response(volunteer: Volunteer, year: int):

    pdf = render_statement_pdf(volunteer, year, timeutil.local_today())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="vrijwilligersoverzicht-{year}.pdf"'})


@bp.get("/me/statement/<int:year>.pdf")
@require(Permission.VOLUNTEER_OWN)
def own_statement(year: int):
    volunteer = services.volunteer_for_user(_user())
    if volunteer is None or not 2000 <= year <= 2100:
        return redirect(url_for("volunteers.own"))
    return _statement_response(volunteer, year)


@bp.get("/<int:volunteer_id>/statement/<int:year>.pdf")
@require(Permission.VOLUNTEERS_COORDINATE)
def statement_pdf(volunteer_id: int, year: int):
    volunteer = _volunteer_in_scope(volunteer_id)
    if not 2000 <= year <= 2100:
        abort(404)
    return _statement_response(volunteer, year)


@bp.post("/<int:volunteer_id>/coaching")
@require(Permission.VOLUNTEERS_COORDINATE)
def coaching_add(volunteer_id: int):
    """Record a coaching conversation; from the seventh on, a warning: after six the
    direction should be clear (the booklet's rule of thumb)."""
    volunteer = _volunteer_in_scope(volunteer_id)
    form = CoachingForm()
    if form.validate():
        with refusal(form) as refused:
            number = services.add_coaching_conversation(
                db.session.get(Person, volunteer.person_id), form.coach.data,
                form.held_on.data, form.cost.cents, today=timeutil.local_today())
        if not refused:
            flash(_("Conversation %(number)s recorded.", number=number), "success")
            if number > services.COACHING_CLEAR_AFTER:
                flash(_("This is conversation %(number)s: after six conversations the "
                        "direction should be clear. Talk about what comes next.",
                        number=number), "warning")
            return redirect(url_for("volunteers.volunteer", volunteer_id=volunteer.id))
    return _volunteer_page(volunteer, coaching_form=form, status=422)
