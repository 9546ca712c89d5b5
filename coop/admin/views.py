"""Administration: users and roles, the audit log, the mail outbox."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from coop import audit
from coop.accounts import services as accounts
from coop.accounts.forms import ConfirmForm
from coop.accounts.models import User
from coop.admin.forms import NewUserForm, UserRolesForm
from coop.args import int_arg
from coop.audit import AuditEvent
from coop.extensions import db
from coop.mail import MailError, OutboxMessage, send_mail
from coop.pagination import window
from coop.permissions import ROLE_LABELS, Permission, Role, require

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.get("/audit")
@require(Permission.AUDIT_LOG_READ)
def audit_log():
    """Newest first. `?tag=` takes a whole tag (`accounts:user:login`) or a domain
    (`settings`, also written `settings:`); both are index lookups."""
    tag = request.args.get("tag", "").strip()
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if tag:
        domain, _sep, rest = tag.partition(":")
        if rest.strip(":"):
            query = query.where(AuditEvent.tag == tag)
        else:
            query = query.where(AuditEvent.domain == domain)
    page = window(audit.with_people(query), int_arg("page", 1), PAGE_SIZE)
    return render_template("admin/audit_log.html", page=page, tag=tag)


@bp.get("/outbox")
@require(Permission.OUTBOX_READ)
def outbox():
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/outbox.html", page=page)


@bp.get("/outbox/<int:message_id>")
@require(Permission.OUTBOX_READ)
def outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_message.html", message=message)


@bp.get("/users")
@require(Permission.USERS_READ)
def users():
    query = select(User).order_by(User.name, User.id)
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.USERS_WRITE)
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.name.data, None, form.roles.data)
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
            return render_template("admin/user_new.html", form=form), 422
        _send_invitation(user)
        flash(_("Account created; an invitation to set a password was sent to %(email)s.",
                email=user.email), "success")
        return redirect(url_for("admin.users"))
    status = 422 if form.errors else 200
    return render_template("admin/user_new.html", form=form), status


def _send_invitation(user: User) -> None:
    link = current_app.config["BASE_URL"].rstrip("/") + url_for(
        "accounts.reset_password", token=accounts.password_reset_token(user, "invitation")
    )
    try:
        send_mail(user.email, _l("Your account for the coop"), "invitation",
                  user_name=user.name, link=link)
    except MailError:
        current_app.logger.exception("invitation mail failed")
        flash(_("The invitation mail could not be sent; use 'forgot password' later."), "error")


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(Permission.USERS_WRITE)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserRolesForm(data={"roles": sorted(r.value for r in user.roles)})
    if request.method == "POST":
        form = UserRolesForm()
        if form.validate_on_submit():
            new_roles = {Role(r) for r in form.roles.data}
            if user.id == current_user.id and Role.ADMIN not in new_roles:
                form.roles.errors.append(_("You cannot remove your own administrator role."))
                return render_template("admin/user_edit.html", form=form, user=user), 422
            accounts.set_roles(user, new_roles)
            flash(_("The roles of %(name)s have been saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
        return render_template("admin/user_edit.html", form=form, user=user), 422
    return render_template("admin/user_edit.html", form=form, user=user)


@bp.post("/users/<int:user_id>/active")
@require(Permission.USERS_WRITE)
def user_toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    accounts.set_active(user, not user.is_active_account)
    flash(_("The account has been updated."), "success")
    return redirect(url_for("admin.users"))
