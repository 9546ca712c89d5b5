"""The member register: the list, a person's page, new members, edits, status changes,
rejoining, and the membership types."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from coop.extensions import db
from coop.members import services, signals
from coop.members.forms import (
    KIND_LABELS,
    MembershipForm,
    MembershipTypeForm,
    NewMemberForm,
    PersonForm,
    StatusForm,
)
from coop.members.models import ConsentKind, Membership, MembershipStatus, MembershipType, Person
from coop.members.services import STATUS_LABELS, RegisterFilters
from coop.money import format_plain
from coop.pagination import keyset_page
from coop.permissions import Permission, has_permission, require
from coop.signals import values_from_signal
from coop.web import refusal

bp = Blueprint("members", __name__, url_prefix="/members")

PAGE_SIZE = 50
CONSENT_LABELS = {
    ConsentKind.ELECTRONIC_CONVOCATION: PersonForm.consent_electronic_convocation.args[0],
    ConsentKind.NEWSLETTER: PersonForm.consent_newsletter.args[0],
}


def _types(active_only: bool = False) -> list[MembershipType]:
    query = select(MembershipType).order_by(MembershipType.name, MembershipType.id)
    if active_only:
        query = query.where(MembershipType.is_active.is_(True))
    return list(db.session.scalars(query))


def _nothing_saved() -> None:
    flash(_("Nothing was saved: correct the fields marked below."), "error")


@bp.get("/")
@require(Permission.MEMBERS_READ)
def index():
    filters = RegisterFilters.from_args(request.args)
    # Keyset pages: every page is the same index walk, however deep (an OFFSET reads
    # and discards every row before it). No COUNT either, as on the audit log.
    page = keyset_page(
        services.register_query(filters, ordered=False), services.register_keyset(filters),
        PAGE_SIZE, after=request.args.get("after"), before=request.args.get("before"),
    )
    # The paging and sorting links keep the search and filters.
    arguments = {
        k: v for k, v in request.args.items() if k not in {"page", "after", "before"} and v
    }
    return render_template(
        "members/index.html", page=page, filters=filters, types=_types(),
        arguments=arguments, status_labels=STATUS_LABELS,
    )


@bp.get("/<int:person_id>")
@require(Permission.MEMBERS_READ)
def person(person_id: int):
    return _person_page(db.get_or_404(Person, person_id))


def _person_page(person: Person, status_form: StatusForm | None = None,
                 failed_membership_id: int | None = None, http_status: int = 200):
    consents, memberships = services.person_history(person)
    current = next(
        (h for h in memberships if h.membership.status != MembershipStatus.ENDED), None
    )
    # After a refused change the form stays on the membership it was for, ended or not.
    status_target = next(
        (h for h in memberships if h.membership.id == failed_membership_id), current
    )
    if status_form is None:
        status_form = StatusForm()
    extras = {"positions": None}  # governance adds the person's positions
    for values in values_from_signal(signals.person_page, person):
        extras.update(values)
    return render_template(
        "members/person.html", person=person, consents=consents, memberships=memberships,
        current=current, status_target=status_target, status_form=status_form,
        can_write=has_permission(Permission.MEMBERS_WRITE), status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS, consent_labels=CONSENT_LABELS, **extras,
    ), http_status


def _set_consents(person: Person, form: PersonForm) -> None:
    for kind in ConsentKind:
        services.set_consent(person, kind, bool(form[f"consent_{kind.value}"].data))


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.MEMBERS_WRITE)
def new():
    form = NewMemberForm()
    form.set_type_choices(_types(active_only=True))
    if request.method == "GET":
        return render_template("members/new.html", form=form)
    if not form.validate_on_submit():
        _nothing_saved()
        return render_template("members/new.html", form=form), 422
    with refusal(form) as refused:
        person = services.create_person(form.person_values())
        _set_consents(person, form)
        membership_type = db.session.get(MembershipType, form.type_id.data)
        membership = services.add_membership(
            person, membership_type, form.start_date.data, MembershipStatus(form.status.data)
        )
    if refused:
        _nothing_saved()
        return render_template("members/new.html", form=form), 422
    flash(_("%(name)s is in the register with member number %(number)s.",
            name=person.display_name, number=membership.member_number), "success")
    return redirect(url_for("members.person", person_id=person.id))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@require(Permission.MEMBERS_WRITE)
def edit(person_id: int):
    person = db.get_or_404(Person, person_id)
    if request.method == "GET":
        return render_template("members/edit.html", form=PersonForm(obj=person), person=person)
    form = PersonForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return render_template("members/edit.html", form=form, person=person), 422
    with refusal(form) as refused:
        changed = services.update_person(person, form.person_values())
    if refused:
        _nothing_saved()
        return render_template("members/edit.html", form=form, person=person), 422
    consents_changed = [
        services.set_consent(person, kind, bool(form[f"consent_{kind.value}"].data))
        for kind in ConsentKind
    ]
    if changed or any(consents_changed):
        flash(_("The details of %(name)s have been saved.", name=person.display_name), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("members.person", person_id=person.id))


@bp.post("/memberships/<int:membership_id>/status")
@require(Permission.MEMBERS_WRITE)
def membership_status(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    person = db.session.get(Person, membership.person_id)
    form = StatusForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return _person_page(person, form, membership.id, 422)
    with refusal(form) as refused:
        services.change_status(
            membership, MembershipStatus(form.status.data), form.effective_date.data,
            form.reason.data or None,
        )
    if refused:
        _nothing_saved()
        return _person_page(db.session.get(Person, person.id), form, membership_id, 422)
    flash(_("Membership %(number)s is now %(status)s.", number=membership.member_number,
            status=STATUS_LABELS[MembershipStatus(membership.status)]), "success")
    return redirect(url_for("members.person", person_id=person.id))


@bp.route("/<int:person_id>/memberships/new", methods=["GET", "POST"])
@require(Permission.MEMBERS_WRITE)
def membership_new(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = MembershipForm()
    form.set_type_choices(_types(active_only=True))
    if request.method == "GET":
        return render_template("members/membership_new.html", form=form, person=person)
    if not form.validate_on_submit():
        _nothing_saved()
        return render_template("members/membership_new.html", form=form, person=person), 422
    with refusal(form) as refused:
        membership = services.add_membership(
            person, db.session.get(MembershipType, form.type_id.data), form.start_date.data,
            MembershipStatus(form.status.data),
        )
    if refused:
        _nothing_saved()
        person = db.session.get(Person, person_id)
        return render_template("members/membership_new.html", form=form, person=person), 422
    flash(_("%(name)s is a member again, with member number %(number)s.",
            name=person.display_name, number=membership.member_number), "success")
    return redirect(url_for("members.person", person_id=person.id))


# Membership types ------------------------------------------------------------------


@bp.get("/types")
@require(Permission.MEMBERS_READ)
def types():
    return render_template(
        "members/types.html", types=_types(), can_write=has_permission(Permission.MEMBERS_WRITE)
    )


@bp.route("/types/new", methods=["GET", "POST"])
@require(Permission.MEMBERS_WRITE)
def type_new():
    form = MembershipTypeForm()
    if request.method == "GET":
        return render_template("members/type_form.html", form=form, membership_type=None)
    if not form.validate_on_submit():
        _nothing_saved()
        return render_template("members/type_form.html", form=form, membership_type=None), 422
    with refusal(form) as refused:
        membership_type = services.create_membership_type(form.type_values())
    if refused:
        _nothing_saved()
        return render_template("members/type_form.html", form=form, membership_type=None), 422
    flash(_("Membership type %(name)s has been added.", name=membership_type.name), "success")
    return redirect(url_for("members.types"))


@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
@require(Permission.MEMBERS_WRITE)
def type_edit(type_id: int):
    membership_type = db.get_or_404(MembershipType, type_id)
    if request.method == "GET":
        form = MembershipTypeForm(
            obj=membership_type, yearly_dues=format_plain(membership_type.yearly_dues_cents)
        )
        return render_template("members/type_form.html", form=form,
                               membership_type=membership_type)
    form = MembershipTypeForm()
    if not form.validate_on_submit():
        _nothing_saved()
        return render_template("members/type_form.html", form=form,
                               membership_type=membership_type), 422
    with refusal(form) as refused:
        changed = services.update_membership_type(membership_type, form.type_values())
    if refused:
        _nothing_saved()
        membership_type = db.session.get(MembershipType, type_id)
        return render_template("members/type_form.html", form=form,
                               membership_type=membership_type), 422
    if changed:
        flash(_("Membership type %(name)s has been saved.", name=membership_type.name), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("members.types"))
