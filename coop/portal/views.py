"""The member portal: a member's own data, invoices, contact details and data export.

Every page starts from the logged-in account's own `Person` (`Person.user_id`); no
page takes a person id from the URL. An invoice id that is not the member's own
answers 404, whether it exists or not.
"""

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coop import audit
from coop.accounts import services as accounts
from coop.accounts.forms import ConfirmForm
from coop.dues import services as dues
from coop.dues.models import InvoiceKind, InvoiceStatus
from coop.extensions import db
from coop.mail import MailError, send_mail
from coop.members.models import ConsentKind, Person
from coop.members.services import STATUS_LABELS
from coop.permissions import Permission, require
from coop.portal import services
from coop.portal.forms import ContactDetailsForm
from coop.privacy import services as privacy
from coop.web import refusal

bp = Blueprint("portal", __name__, url_prefix="/portal")


def _own_person() -> Person | None:
    return services.person_for_user(current_user._get_current_object())


def _no_person_redirect():
    flash(_("Your account is not linked to an entry in the member register yet."), "info")
    return redirect(url_for("portal.index"))


@bp.get("/")
@require(Permission.PORTAL_OWN)
def index():
    person = _own_person()
    if person is None:
        return render_template("portal/no_person.html")
    today = date.today()
    invoices = services.invoices_of(person)
    return render_template(
        "portal/index.html",
        person=person,
        memberships=services.memberships_of(person),
        invoices=invoices,
        invoice_status={i.id: dues.display_status(i, today) for i in invoices},
        pay_links=_pay_links(invoices),
        status_labels=services.INVOICE_STATUS_LABELS,
        kind_labels=services.INVOICE_KIND_LABELS,
        membership_status_labels=STATUS_LABELS,
        consents=services.consents_of(person),
    )


def _pay_links(invoices) -> dict[int, str]:
    """A "pay now" link (Mollie) for every open invoice of the member."""

    return {
        invoice.id: url_for("pay.pay_invoice", pay_token=dues.pay_token(invoice))
        for invoice in invoices
        if invoice.kind == InvoiceKind.INVOICE and invoice.status == InvoiceStatus.OPEN
    }


@bp.route("/details", methods=["GET", "POST"])
@require(Permission.PORTAL_OWN)
def details():
    person = _own_person()
    if person is None:
        return _no_person_redirect()
    if request.method == "GET":
        form = ContactDetailsForm(obj=person)
        return render_template("portal/details.html", form=form, person=person)
    form = ContactDetailsForm()
    if form.validate_on_submit():
        consents = {
            kind.value: form[f"consent_{kind.value}"].data for kind in ConsentKind
        }
        with refusal(form) as refused:
            diff = services.update_own_details(
                person, form.data, consents, current_user._get_current_object()
            )
        if not refused:
            if diff:
                flash(_("Your details have been saved. The board sees what you changed."),
                      "success")
            else:
                flash(_("Your details have been saved."), "success")
            return redirect(url_for("portal.index"))
    return render_template("portal/details.html", form=form, person=person), 422


@bp.get("/invoices/<int:invoice_id>.pdf")
@require(Permission.PORTAL_OWN)
def invoice_pdf(invoice_id: int):
    person = _own_person()
    if person is None:
        return _no_person_redirect()
    invoice = services.own_invoice(person, invoice_id)
    if invoice is None:
        abort(404)
    path = services.invoice_pdf_file(invoice)
    return send_file(
        path, mimetype="application/pdf", as_attachment=True,
        download_name=f"{invoice.number}.pdf", max_age=0,
    )


@bp.get("/export.json")
@require(Permission.PORTAL_OWN)
def export():
    user = current_user._get_current_object()
    person = _own_person()
    data = privacy.export_data(user, person)
    audit.record("members:person:export", {}, obj=person or user, actor=user)
    filename = f"mijn-gegevens-{date.today().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# The board invites a person in the register ------------------------------------------


@bp.post("/invite/<int:person_id>")
@require(Permission.MEMBERS_WRITE)
def invite(person_id: int):
    person = db.get_or_404(Person, person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusal() as refused:
        invitation = services.invite(person, actor=current_user._get_current_object())
    if refused:
        return redirect(_person_page(person_id))
    _send_portal_mail(invitation.user)
    flash(_("%(name)s can now use the member portal; a mail was sent to %(email)s.",
            name=person.display_name, email=invitation.user.email), "success")
    return redirect(_person_page(person_id))


def _person_page(person_id: int) -> str:
    return url_for("members.person", person_id=person_id)


def _send_portal_mail(user) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    if services.needs_password(user):
        token = accounts.password_reset_token(user, "invitation")
        link = base + url_for("accounts.reset_password", token=token)
    else:
        link = base + url_for("portal.index")
    try:
        send_mail(user.email, _l("Your access to the member portal"), "portal_invitation",
                  locale=user.locale, user_name=user.name, link=link,
                  set_password=services.needs_password(user))
    except MailError:
        current_app.logger.exception("portal invitation mail failed")
        flash(_("The invitation mail could not be sent; the person can use 'forgot "
                "password' on the login page."), "error")
