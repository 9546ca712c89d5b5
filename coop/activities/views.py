"""Activities: the coordinators' quick-entry week table, one activity's page, the
initiatives' theories of change, partners and key figures, meeting places, neighbourhood
events and counts; the public calendar and its iCalendar feed.

A coordinator sees and changes only their own initiatives (the volunteers package's
scope); the board all. Places and neighbourhood events are the board's.
"""

import hmac
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from coop import timeutil
from coop.activities import importing, services
from coop.activities.forms import (
    COUNT_KIND_LABELS,
    PARTNER_ROLE_LABELS,
    PLACE_KIND_LABELS,
    ActivityForm,
    CountForm,
    EventForm,
    ImportConfirmForm,
    ImportUploadForm,
    KeyFigureForm,
    MonthFigureForm,
    PartnerForm,
    PlaceForm,
    TheoryForm,
    WeekForm,
)
from coop.activities.models import (
    Activity,
    InitiativeKeyFigure,
    InitiativePartner,
    MeetingPlace,
    TheoryOfChange,
)
from coop.activities.services import ActivityError, ActivityValues
from coop.extensions import db
from coop.forms import row_id, show_error
from coop.members.importing import ImportFileError, UploadStore
from coop.money import format_plain
from coop.permissions import Permission, require
from coop.volunteers.models import Initiative
from coop.volunteers.services import coordinated_initiative_ids

bp = Blueprint("activities", __name__, url_prefix="/activities")

BLANK_ROWS = 8  # empty rows of the quick-entry table (a dozen: "More rows" adds eight)


def _user():
    return current_user._get_current_object()


def _scope() -> set[int] | None:
    """The user's initiatives (None: all); 403 for someone who coordinates none."""
    scope = coordinated_initiative_ids(_user())
    if scope is not None and not scope:
        abort(403)
    return scope


def _initiative_in_scope(initiative_id: int) -> Initiative:
    scope = _scope()
    if scope is not None and initiative_id not in scope:
        abort(403)
    return db.get_or_404(Initiative, initiative_id)


def _activity_in_scope(activity_id: int) -> Activity:
    scope = _scope()
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404 if scope is None else 403)
    if scope is not None and activity.initiative_id not in scope:
        abort(403)
    return activity


def _initiative_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank else []
    return choices + [SelectChoice(str(i.id), i.name) for i in services.initiatives_for(_user())]


def _place_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("(none)"))] + [
        SelectChoice(str(p.id), p.name) for p in services.places(active_only=True)]


def _row_place_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("(as above)")), *_place_choices()[1:]]


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


# Overview ------------------------------------------------------------------------------


@bp.get("/")
@require(Permission.VOLUNTEERS_COORDINATE)
def index():
    scope = _scope()
    today = timeutil.local_today()
    return render_template(
        "activities/index.html", initiatives=services.initiatives_for(_user()),
        recent=services.activities_between(scope, today - timedelta(days=13),
                                           today + timedelta(days=14)),
        may_manage=scope is None, places=_place_names(), initiative_names=_initiative_names())


def _place_names() -> dict[int, str]:
    return dict(db.session.execute(select(MeetingPlace.id, MeetingPlace.name)).all())


def _initiative_names() -> dict[int, str]:
    return dict(db.session.execute(select(Initiative.id, Initiative.name)).all())


# The quick-entry week table ------------------------------------------------------------


def _week_form(formdata=None) -> WeekForm:
    form = WeekForm(formdata=formdata)
    form.initiative.choices = _initiative_choices()
    form.place.choices = _place_choices()
    for row in form.rows:
        row.form.place.choices = _row_place_choices()
    return form


def _row_values(row, initiative_id, default_place_id) -> ActivityValues:
    place_id = row_id(row.place.data) if row.place.data else default_place_id
    return ActivityValues(
        initiative_id=initiative_id, title=(row.title.data or "").strip(),
        activity_date=row.activity_date.data, start_time=row.start_time.data,
        place_id=place_id, participants=row.participants.data or 0,
        new_participants=row.new_participants.data or 0, volunteers=row.volunteers.data or 0,
        organised_by_residents=row.organised_by_residents.data,
        costs_cents=row.costs.cents or 0, planned=row.planned.data, public=row.public.data)


@bp.route("/week", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_COORDINATE)
def week():
    scope = _scope()
    monday = services.week_start(_parse_day(request.args.get("week")) or timeutil.local_today())
    if request.method == "POST":
        return _save_week(scope, monday)
    form = _week_form()
    initiative_id = row_id(request.args.get("initiative") or "")
    if initiative_id is not None and (scope is None or initiative_id in scope):
        form.initiative.data = str(initiative_id)
    place_id = row_id(request.args.get("place") or "")
    if place_id is not None:
        form.place.data = str(place_id)
    prefill = []
    if request.args.get("repeat"):
        prefill = services.repeat_of_last_week(scope, monday, initiative_id)
        if not prefill:
            flash(_("Last week has no activities to repeat."), "warning")
    extra = min(row_id(request.args.get("rows") or "") or BLANK_ROWS, 40)
    _fill_rows(form, prefill, extra if not prefill else 2)
    return _week_page(form, scope, monday)


def _fill_rows(form: WeekForm, prefill: list[ActivityValues], blank: int) -> None:
    while len(form.rows):
        form.rows.pop_entry()
    for values in prefill:
        entry = form.rows.append_entry()
        row = entry.form
        row.activity_date.data = values.activity_date
        row.start_time.data = values.start_time
        row.title.data = values.title
        row.place.data = str(values.place_id) if values.place_id else ""
        row.volunteers.data = values.volunteers or None
        row.organised_by_residents.data = values.organised_by_residents
        row.planned.data = True
        row.public.data = values.public
    for _index in range(blank):
        form.rows.append_entry()
    for row in form.rows:
        row.form.place.choices = _row_place_choices()


def _week_page(form, scope, monday, status=200):
    initiative_id = row_id(form.initiative.data or "")
    existing = services.activities_between(scope, monday, monday + timedelta(days=6))
    if initiative_id is not None:
        existing = [a for a in existing if a.initiative_id == initiative_id]
    return render_template(
        "activities/week.html", form=form, monday=monday, sunday=monday + timedelta(days=6),
        previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
        existing=existing, places=_place_names(), initiative_id=initiative_id,
        place_id=row_id(form.place.data or ""), row_errors=getattr(form, "row_errors", [])
    ), status


def _save_week(scope, monday):
    form = _week_form(request.form)
    valid = form.validate()
    initiative_id = row_id(form.initiative.data or "")
    if initiative_id is None:
        form.initiative.errors = [*form.initiative.errors, _("Choose an initiative.")]
        valid = False
    elif scope is not None and initiative_id not in scope:
        abort(403)
    default_place = row_id(form.place.data or "")
    rows, problems = [], []
    for number, entry in enumerate(form.rows, start=1):
        row = entry.form
        if row.is_blank():
            continue
        if row.errors:
            problems.append(number)
            continue
        values = _row_values(row, initiative_id, default_place)
        found = services.check_activity(values)
        for problem in found:
            if problem.field == "initiative":
                continue  # shown once, at the initiative select above
            target = row.title
            if problem.field in row:
                target = row[problem.field]
            target.errors = [*target.errors, str(problem.message)]
        if found:
            problems.append(number)
        rows.append(values)
    form.row_errors = problems
    if not valid or problems:
        return _week_page(form, scope, monday, 422)
    if not rows:
        flash(_("Fill in at least one row."), "error")
        return _week_page(form, scope, monday, 422)
    try:
        created = services.create_activities(rows, _user(), source="week")
    except ActivityError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _week_page(form, scope, monday, 422)
    db.session.commit()
    flash(_("%(count)s activities saved.", count=len(created)), "success")
    return redirect(url_for("activities.week", week=monday.isoformat(),
                            initiative=initiative_id, place=default_place or None))


# One activity --------------------------------------------------------------------------


def _activity_values(form: ActivityForm) -> ActivityValues:
    return ActivityValues(
        initiative_id=row_id(form.initiative.data or ""), title=form.title.data or "",
        activity_date=form.activity_date.data, start_time=form.start_time.data,
        place_id=row_id(form.place.data or ""), participants=form.participants.data or 0,
        new_participants=form.new_participants.data or 0,
        volunteers=form.volunteers.data or 0,
        organised_by_residents=form.organised_by_residents.data,
        costs_cents=form.costs.cents or 0, planned=form.planned.data, public=form.public.data)


@bp.route("/<int:activity_id>", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_COORDINATE)
def activity(activity_id: int):
    item = _activity_in_scope(activity_id)
    if request.method == "GET":
        # Not `obj=item`: the fields `initiative` and `place` would read its relations.
        form = ActivityForm(formdata=None, data={
            "initiative": str(item.initiative_id), "place": str(item.place_id or ""),
            "costs": format_plain(item.costs_cents).replace(".", ",") if item.costs_cents else "",
            **{name: getattr(item, name) for name in (
                "activity_date", "start_time", "title", "participants", "new_participants",
                "volunteers", "organised_by_residents", "planned", "public")}})
    else:
        form = ActivityForm()
    form.initiative.choices = _initiative_choices()
    form.place.choices = _place_choices()
    if request.method == "GET":
        return render_template("activities/activity.html", form=form, activity=item)
    if form.validate():
        values = _activity_values(form)
        problems = services.check_activity(values)
        if not problems:
            try:
                services.update_activity(item, values, _user())
            except ActivityError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Activity saved."), "success")
                return redirect(url_for("activities.week",
                                        week=item.activity_date.isoformat(),
                                        initiative=item.initiative_id))
        for problem in problems:
            show_error(form, problem)
    return render_template("activities/activity.html", form=form, activity=item), 422


@bp.post("/<int:activity_id>/delete")
@require(Permission.VOLUNTEERS_COORDINATE)
def activity_delete(activity_id: int):
    item = _activity_in_scope(activity_id)
    monday, initiative_id = item.activity_date, item.initiative_id
    services.delete_activity(item, _user())
    db.session.commit()
    flash(_("Activity deleted."), "success")
    return redirect(url_for("activities.week", week=monday.isoformat(),
                            initiative=initiative_id))


# Theory of change, partners and key figures -------------------------------------------


@bp.get("/initiatives/<int:initiative_id>")
@require(Permission.VOLUNTEERS_COORDINATE)
def initiative(initiative_id: int):
    return _initiative_page(_initiative_in_scope(initiative_id))


def _initiative_page(item, theory_form=None, partner_form=None, figure_form=None,
                     status=200):
    theory = services.theory_of(item.id)
    return render_template(
        "activities/initiative.html", initiative=item, theory=theory,
        theory_form=theory_form or TheoryForm(obj=theory),
        partner_form=partner_form or PartnerForm(),
        figure_form=figure_form or KeyFigureForm(),
        partners=services.partners_of(item.id), figures=services.key_figures_of(item.id),
        role_labels=PARTNER_ROLE_LABELS, points=TheoryOfChange.points), status


@bp.post("/initiatives/<int:initiative_id>/theory")
@require(Permission.VOLUNTEERS_COORDINATE)
def theory_save(initiative_id: int):
    item = _initiative_in_scope(initiative_id)
    form = TheoryForm()
    if form.validate():
        try:
            services.save_theory(item, form.data, _user())
        except ActivityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Theory of change saved."), "success")
            return redirect(url_for("activities.initiative", initiative_id=item.id))
    return _initiative_page(item, theory_form=form, status=422)


@bp.post("/initiatives/<int:initiative_id>/partners")
@require(Permission.VOLUNTEERS_COORDINATE)
def partner_add(initiative_id: int):
    item = _initiative_in_scope(initiative_id)
    form = PartnerForm()
    if form.validate():
        try:
            services.add_partner(item, form.name.data, form.role.data, _user())
        except ActivityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Partner added."), "success")
            return redirect(url_for("activities.initiative", initiative_id=item.id))
    return _initiative_page(item, partner_form=form, status=422)


@bp.post("/partners/<int:partner_id>/delete")
@require(Permission.VOLUNTEERS_COORDINATE)
def partner_delete(partner_id: int):
    partner = db.session.get(InitiativePartner, partner_id) or abort(404)
    _initiative_in_scope(partner.initiative_id)
    services.remove_partner(partner, _user())
    db.session.commit()
    flash(_("Partner removed."), "success")
    return redirect(url_for("activities.initiative", initiative_id=partner.initiative_id))


@bp.post("/initiatives/<int:initiative_id>/key-figures")
@require(Permission.VOLUNTEERS_COORDINATE)
def key_figure_add(initiative_id: int):
    item = _initiative_in_scope(initiative_id)
    form = KeyFigureForm()
    if form.validate():
        try:
            services.add_key_figure(item, form.value.data, form.label.data, _user())
        except ActivityError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Key figure added."), "success")
            return redirect(url_for("activities.initiative", initiative_id=item.id))
    return _initiative_page(item, figure_form=form, status=422)


@bp.post("/key-figures/<int:figure_id>/delete")
@require(Permission.VOLUNTEERS_COORDINATE)
def key_figure_delete(figure_id: int):
    figure = db.session.get(InitiativeKeyFigure, figure_id) or abort(404)
    _initiative_in_scope(figure.initiative_id)
    services.remove_key_figure(figure, _user())
    db.session.commit()
    flash(_("Key figure removed."), "success")
    return redirect(url_for("activities.initiative", initiative_id=figure.initiative_id))


# Meeting places (the board) ------------------------------------------------------------


def _place_values(form: PlaceForm) -> dict:
    return {name: form[name].data for name in (
        "name", "kind", "opening_days_per_week", "financially_supported",
        "records_visitors", "records_bar_turnover", "active")}


@bp.route("/places", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def places():
    form = PlaceForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                place = services.save_place(None, _place_values(form), _user())
            except ActivityError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Place saved."), "success")
                return redirect(url_for("activities.place", place_id=place.id))
        status = 422
    return render_template("activities/places.html", form=form, places=services.places(),
                           kind_labels=PLACE_KIND_LABELS), status


@bp.route("/places/<int:place_id>", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def place(place_id: int):
    item = db.get_or_404(MeetingPlace, place_id)
    form = PlaceForm(obj=item) if request.method == "GET" else PlaceForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.save_place(item, _place_values(form), _user())
            except ActivityError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Place saved."), "success")
                return redirect(url_for("activities.place", place_id=item.id))
        status = 422
    return _place_page(item, form, MonthFigureForm(), status)


def _place_page(item, form, month_form, status=200):
    return render_template(
        "activities/place.html", place=item, form=form, month_form=month_form,
        figures=services.month_figures(item.id), kind_labels=PLACE_KIND_LABELS), status


def _parse_month(text: str | None) -> date | None:
    text = (text or "").strip()
    try:
        return datetime.strptime(text[:7], "%Y-%m").date() if len(text) in (7, 10) \
            else None
    except ValueError:
        return None


@bp.post("/places/<int:place_id>/months")
@require(Permission.VOLUNTEERS_ALL)
def place_month(place_id: int):
    item = db.get_or_404(MeetingPlace, place_id)
    month_form = MonthFigureForm()
    if month_form.validate():
        month = _parse_month(month_form.month.data)
        try:
            if month is None:
                raise ActivityError(_("Enter a month like 2026-03."), "month")
            services.record_month_figure(item, month, month_form.visitors_per_day.data,
                                         month_form.bar_turnover.cents, _user())
        except ActivityError as error:
            db.session.rollback()
            show_error(month_form, error)
        else:
            db.session.commit()
            flash(_("Month figures saved."), "success")
            return redirect(url_for("activities.place", place_id=item.id))
    return _place_page(item, PlaceForm(obj=item), month_form, 422)


# Neighbourhood events (the board) and counts (coordinators) ----------------------------


@bp.route("/events", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_ALL)
def events():
    form = EventForm()
    form.initiative.choices = _initiative_choices(blank=_("(none)"))
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.record_event({
                    "event_date": form.event_date.data, "name": form.name.data,
                    "initiative_id": row_id(form.initiative.data or ""),
                    "present": form.present.data, "sponsored": form.sponsored.data,
                    "sponsored_cents": form.sponsored_amount.cents}, _user())
            except ActivityError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Event saved."), "success")
                return redirect(url_for("activities.events"))
        status = 422
    return render_template("activities/events.html", form=form, events=services.events(),
                           initiative_names=_initiative_names()), status


@bp.route("/counts", methods=["GET", "POST"])
@require(Permission.VOLUNTEERS_COORDINATE)
def counts():
    scope = _scope()
    form = CountForm()
    form.initiative.choices = _initiative_choices()
    status = 200
    if request.method == "POST":
        if form.validate():
            initiative_id = row_id(form.initiative.data or "")
            if initiative_id is not None and scope is not None and initiative_id not in scope:
                abort(403)
            try:
                services.record_count({
                    "initiative_id": initiative_id, "kind": form.kind.data,
                    "period_start": form.period_start.data,
                    "period_end": form.period_end.data, "count": form.count.data}, _user())
            except ActivityError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Count saved."), "success")
                return redirect(url_for("activities.counts"))
        status = 422
    return render_template("activities/counts.html", form=form, counts=services.counts(scope),
                           kind_labels=COUNT_KIND_LABELS,
                           initiative_names=_initiative_names()), status


# Import (CSV or XLSX, with a preview) ---------------------------------------------------

IMPORT_SESSION_KEY = "activity_import"
IMPORT_MAX_BYTES = 2 * 1024 * 1024


def _upload_store() -> UploadStore:
    return UploadStore(Path(current_app.config["DATA_DIR"]) / "activity_imports")


@bp.get("/import")
@require(Permission.VOLUNTEERS_COORDINATE)
def import_form():
    _scope()
    return render_template("activities/import.html", form=ImportUploadForm(formdata=None))


@bp.post("/import")
@require(Permission.VOLUNTEERS_COORDINATE)
def import_preview():
    """Read and check the upload; show every row's problems. Writes no activity."""
    _scope()
    request.max_content_length = IMPORT_MAX_BYTES * 4 + 64 * 1024
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("activities/import.html", form=form), 422
    data = form.file.data.read(IMPORT_MAX_BYTES + 1)
    try:
        if len(data) > IMPORT_MAX_BYTES:
            raise ImportFileError(_("The file is larger than %(size)s MB; split it into "
                                    "smaller files.", size="2"))
        checked = importing.check(importing.read(data), _user())
    except ImportFileError as error:
        form.file.errors = [*form.file.errors, str(error.message)]
        return render_template("activities/import.html", form=form), 422
    db.session.rollback()
    store = _upload_store()
    previous = session.pop(IMPORT_SESSION_KEY, None)
    if previous:
        store.discard(previous)
    token = store.put(data)
    session[IMPORT_SESSION_KEY] = token
    return _import_preview_page(checked, token)


def _import_preview_page(checked, token, status=200):
    return render_template(
        "activities/import_preview.html", checked=checked,
        problems=sum(1 for row in checked if row.problems),
        form=ImportConfirmForm(formdata=None, token=token),
        initiative_names=_initiative_names(), places=_place_names()), status


@bp.post("/import/confirm")
@require(Permission.VOLUNTEERS_COORDINATE)
def import_confirm():
    """Check the stored upload again and save every row, or nothing."""
    _scope()
    form = ImportConfirmForm()
    token = session.get(IMPORT_SESSION_KEY)
    stale = not form.validate_on_submit() or not token or not hmac.compare_digest(
        str(form.token.data or ""), str(token))
    store = _upload_store()
    if not stale:
        try:
            checked = importing.check(importing.read(store.get(token)), _user())
        except (KeyError, ImportFileError):
            stale = True
    if stale:
        session.pop(IMPORT_SESSION_KEY, None)
        flash(_("This preview is no longer current: upload the file again."), "error")
        return redirect(url_for("activities.import_form"))
    if any(row.problems for row in checked):
        db.session.rollback()
        flash(_("Nothing was imported: correct the rows with a problem and upload the "
                "file again."), "error")
        return _import_preview_page(checked, token, 422)
    created = services.create_activities([row.values for row in checked], _user(),
                                         source="import")
    db.session.commit()
    store.discard(token)
    session.pop(IMPORT_SESSION_KEY, None)
    flash(_("%(count)s activities saved.", count=len(created)), "success")
    return redirect(url_for("activities.index"))
