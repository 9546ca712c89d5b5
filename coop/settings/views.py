from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from coop.permissions import Permission, has_permission, require
from coop.settings.forms import OrganisationForm
from coop.settings.services import EDITABLE_FIELDS, get_organisation, update_organisation

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.get("/organisation")
@require(Permission.SETTINGS_READ)
def organisation():
    org = get_organisation()
    form = OrganisationForm(obj=org)
    return render_template(
        "settings/organisation.html",
        form=form,
        can_edit=has_permission(Permission.SETTINGS_WRITE),
        saved=org.id is not None,
    )


@bp.post("/organisation")
@require(Permission.SETTINGS_WRITE)
def organisation_update():
    org = get_organisation()
    form = OrganisationForm()
    if not form.validate_on_submit():
        flash(_("Nothing was saved: correct the fields marked below."), "error")
        return render_template(
            "settings/organisation.html", form=form, can_edit=True, saved=org.id is not None
        ), 422
    changed = update_organisation(org, {field: form[field].data for field in EDITABLE_FIELDS})
    if changed:
        flash(_("The settings have been saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("settings.organisation"))
