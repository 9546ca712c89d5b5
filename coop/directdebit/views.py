"""Direct debit pages: mandates and batches for the treasurer (finance readers see them),
and the member's own mandate in the portal (`/portal/direct-debit`)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coop import timeutil
from coop.accounts.forms import ConfirmForm
from coop.args import int_arg
from coop.directdebit import services
from coop.directdebit.forms import (
    KIND_LABELS,
    BatchForm,
    CancelBatchForm,
    PaperMandateForm,
    ReturnItemForm,
    RevokeMandateForm,
    SignMandateForm,
)
from coop.directdebit.models import (
    Batch,
    BatchItem,
    BatchStatus,
    ItemStatus,
    Mandate,
    MandateSource,
    MandateStatus,
)
from coop.dues.models import Invoice
from coop.extensions import db
from coop.members.models import Membership, Person
from coop.members.services import person_for_user
from coop.pagination import window
from coop.permissions import Permission, require
from coop.settings.services import get_organisation
from coop.web import refusal

bp = Blueprint("directdebit", __name__)

PAGE_SIZE = 50
MANDATE_STATUS_LABELS = {
    MandateStatus.ACTIVE.value: _l("active"),
    MandateStatus.REVOKED.value: _l("revoked"),
    MandateStatus.ENDED.value: _l("ended"),
}
BATCH_STATUS_LABELS = {
    BatchStatus.PENDING.value: _l("pending"),
    BatchStatus.COLLECTED.value: _l("collected"),
    BatchStatus.CANCELLED.value: _l("withdrawn"),
}
ITEM_STATUS_LABELS = {
    ItemStatus.PENDING.value: _l("pending"),
    ItemStatus.REJECTED.value: _l("not collected"),
    ItemStatus.COLLECTED.value: _l("collected"),
    ItemStatus.REVERSED.value: _l("reversed (storno)"),
    ItemStatus.CANCELLED.value: _l("withdrawn"),
}
SOURCE_LABELS = {
    MandateSource.PORTAL.value: _l("signed in the portal"),
    MandateSource.PAPER.value: _l("paper form"),
}


def _labels():
    return {
        "mandate_status_labels": MANDATE_STATUS_LABELS,
        "batch_status_labels": BATCH_STATUS_LABELS,
        "item_status_labels": ITEM_STATUS_LABELS,
        "source_labels": SOURCE_LABELS,
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "reason_labels": services.REASON_CODES,
        "mask_iban": services.mask_iban,
    }


# Mandates (treasurer) -----------------------------------------------------------------


@bp.get("/direct-debit/mandates")
@require(Permission.FINANCE_READ)
def mandates():
    status = request.args.get("status", MandateStatus.ACTIVE.value)
    query = select(Mandate).order_by(Mandate.signed_on.desc(), Mandate.id.desc())
    if status in MANDATE_STATUS_LABELS:
        query = query.where(Mandate.status == status)
    else:
        status = ""
    page = window(query, int_arg("page", 1), PAGE_SIZE)
    persons = {
        p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_({m.person_id for m in page.items}))
        )
    }
    return render_template("directdebit/mandates.html", page=page, persons=persons,
                           status=status, **_labels())


def _render_paper_form(form, status=200):
    return render_template("directdebit/mandate_new.html", form=form), status


@bp.route("/direct-debit/mandates/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def mandate_new():
    today = timeutil.local_today()
    if request.method == "GET":
        return _render_paper_form(PaperMandateForm(formdata=None, signed_on=today))
    form = PaperMandateForm()
    if not form.validate_on_submit():
        flash(_("The mandate was not saved: correct the fields marked below."), "error")
        return _render_paper_form(form, 422)
    person = db.session.scalar(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.member_number == form.member_number.data)
    )
    if person is None:
        form.member_number.errors = [_("No member has this number.")]
        return _render_paper_form(form, 422)
    try:
        with refusal(form) as refused:
            mandate = services.sign_mandate(
                person, account_holder=form.account_holder.data, iban=form.iban.data,
                bic=form.bic.data, signed_on=form.signed_on.data, source=MandateSource.PAPER,
                kind=form.kind.data, reference=form.reference.data,
            )
            db.session.flush()  # a concurrent mandate shows here, before the commit
    except IntegrityError:
        db.session.rollback()
        flash(_("Someone registered a mandate for this person at the same time; nothing "
                "was saved."), "error")
        return _render_paper_form(form, 409)
    if refused:
        return _render_paper_form(form, 422)
    flash(_("Mandate %(reference)s registered.", reference=mandate.reference), "success")
    return redirect(url_for("directdebit.mandate", mandate_id=mandate.id))


def _render_mandate(mandate, revoke_form=None, status=200):
    person = db.session.get(Person, mandate.person_id)
    collections = db.session.execute(
        select(BatchItem, Batch, Invoice)
        .join(Batch, Batch.id == BatchItem.batch_id)
        .join(Invoice, Invoice.id == BatchItem.invoice_id)
        .where(BatchItem.mandate_id == mandate.id)
        .order_by(Batch.collection_date.desc(), BatchItem.id.desc())
    ).all()
    return render_template(
        "directdebit/mandate.html", mandate=mandate, person=person, collections=collections,
        next_sequence_type=(services.next_sequence_type(mandate).value
                            if mandate.status == MandateStatus.ACTIVE else None),
        revoke_form=revoke_form or RevokeMandateForm(formdata=None),
        **_labels(),
    ), status


@bp.get("/direct-debit/mandates/<int:mandate_id>")
@require(Permission.FINANCE_READ)
def mandate(mandate_id: int):
    return _render_mandate(db.get_or_404(Mandate, mandate_id))


@bp.post("/direct-debit/mandates/<int:mandate_id>/revoke")
@require(Permission.FINANCE_WRITE)
def mandate_revoke(mandate_id: int):
    mandate = db.get_or_404(Mandate, mandate_id)
    form = RevokeMandateForm()
    if not form.validate_on_submit():
        return _render_mandate(mandate, form, 422)
    with refusal(form) as refused:
        services.revoke_mandate(mandate, form.reason.data)
    if refused:
        return _render_mandate(db.get_or_404(Mandate, mandate_id), form, 422)
    flash(_("Mandate %(reference)s revoked.", reference=mandate.reference), "success")
    return redirect(url_for("directdebit.mandate", mandate_id=mandate.id))


# Batches ------------------------------------------------------------------------------


@bp.get("/direct-debit/")
@require(Permission.FINANCE_READ)
def batches():
    page = window(
        select(Batch).order_by(Batch.collection_date.desc(), Batch.id.desc()),
        int_arg("page", 1), PAGE_SIZE,
    )
    active = db.session.scalar(
        select(func.count(Mandate.id)).where(Mandate.status == MandateStatus.ACTIVE)
    )
    return render_template("directdebit/batches.html", page=page, active_mandates=active,
                           **_labels())


def _render_batch_form(form, status=200):
    organisation = get_organisation()
    return render_template("directdebit/batch_new.html", form=form,
                           organisation=organisation,
                           payment_iban=services.payment_iban()), status


@bp.route("/direct-debit/batches/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def batch_new():
    today = timeutil.local_today()
    if request.method == "GET":
        earliest = services.earliest_collection_date(
            today, get_organisation().direct_debit_notice_days
        )
        return _render_batch_form(BatchForm(formdata=None, collection_date=earliest))
    form = BatchForm()
    if not form.validate_on_submit():
        flash(_("No batch was made: correct the fields marked below."), "error")
        return _render_batch_form(form, 422)
    try:
        with refusal(form) as refused:
            batch = services.generate_batch(form.collection_date.data)
            # The batch is committed before the mail goes out: a mail server problem
            # must not undo it (the pre-notifications can be sent again from the batch
            # page). The request commits what sending them recorded.
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Another batch was made at the same time; nothing was saved. Try again: "
                "invoices in that batch are left out."), "error")
        return _render_batch_form(form, 409)
    if refused:
        return _render_batch_form(form, 422)
    result = services.send_prenotifications(batch)
    flash(_("Batch of %(count)d collections made; %(sent)d members were notified.",
            count=batch.transaction_count, sent=result.sent), "success")
    _flash_notice_problems(result)
    return redirect(url_for("directdebit.batch", batch_id=batch.id))


def _flash_notice_problems(result):
    if result.no_email:
        flash(_("%(count)d members have no email address: notify them another way.",
                count=result.no_email), "warning")
    if result.failed:
        flash(_("%(count)d pre-notifications could not be sent; send them again from this "
                "page.", count=result.failed), "error")


def _render_batch(batch, return_form=None, return_item_id=None, cancel_form=None,
                  status=200):
    items = services.batch_items(batch)
    today = timeutil.local_today()
    return render_template(
        "directdebit/batch.html", batch=batch, items=items, today=today,
        unnotified=sum(1 for item, _i, _m in items
                       if item.status == ItemStatus.PENDING and item.notified_at is None),
        return_form=return_form or ReturnItemForm(formdata=None, returned_on=today),
        return_item_id=return_item_id,
        cancel_form=cancel_form or CancelBatchForm(formdata=None, prefix="cancel"),
        file_retention_months=services.FILE_RETENTION_MONTHS,
        **_labels(),
    ), status


@bp.get("/direct-debit/batches/<int:batch_id>")
@require(Permission.FINANCE_READ)
def batch(batch_id: int):
    return _render_batch(db.get_or_404(Batch, batch_id))


@bp.get("/direct-debit/batches/<int:batch_id>/pain.008.xml")
@require(Permission.FINANCE_READ)
def batch_file(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)
    if batch.xml is None:
        # Removed after its retention: say so on the batch page, which keeps the totals
        # and the file's fingerprint.
        flash(_("The pain.008 file of this batch was removed on %(date)s, %(months)d "
                "months after the collection date; its totals and fingerprint are kept.",
                date=format_date(batch.xml_purged_at),
                months=services.FILE_RETENTION_MONTHS), "error")
        return _render_batch(batch, status=410)
    filename = f"incasso-{batch.collection_date.isoformat()}-{batch.id}.xml"
    return Response(
        batch.xml.encode("utf-8"), mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store"},
    )


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.post("/direct-debit/batches/<int:batch_id>/notify")
@require(Permission.FINANCE_WRITE)
def batch_notify(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)
    _confirmed()
    result = services.send_prenotifications(batch)
    flash(_("%(sent)d pre-notifications sent.", sent=result.sent), "success")
    _flash_notice_problems(result)
    return redirect(url_for("directdebit.batch", batch_id=batch.id))


@bp.post("/direct-debit/batches/<int:batch_id>/collected")
@require(Permission.FINANCE_WRITE)
def batch_collected(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)
    _confirmed()
    with refusal() as refused:
        count = services.mark_collected(batch)
    if refused:
        return _render_batch(db.get_or_404(Batch, batch_id), status=422)
    flash(_("Batch marked collected: %(count)d invoices paid.", count=count), "success")
    return redirect(url_for("directdebit.batch", batch_id=batch.id))


@bp.post("/direct-debit/batches/<int:batch_id>/cancel")
@require(Permission.FINANCE_WRITE)
def batch_cancel(batch_id: int):
    batch = db.get_or_404(Batch, batch_id)
    form = CancelBatchForm(prefix="cancel")
    if not form.validate_on_submit():
        return _render_batch(batch, cancel_form=form, status=422)
    with refusal(form) as refused:
        services.cancel_batch(batch, form.reason.data)
    if refused:
        return _render_batch(db.get_or_404(Batch, batch_id), cancel_form=form, status=422)
    flash(_("Batch withdrawn; its invoices can be collected in a new batch."), "success")
    return redirect(url_for("directdebit.batch", batch_id=batch.id))


@bp.post("/direct-debit/items/<int:item_id>/return")
@require(Permission.FINANCE_WRITE)
def item_return(item_id: int):
    item = db.get_or_404(BatchItem, item_id)
    batch_id = item.batch_id
    form = ReturnItemForm()
    if not form.validate_on_submit():
        return _render_batch(db.session.get(Batch, batch_id), form, item_id, status=422)
    with refusal(form) as refused:
        item = services.return_item(item, form.reason_code.data, form.returned_on.data)
    if refused:
        return _render_batch(db.session.get(Batch, batch_id), form, item_id, status=422)
    invoice = db.session.get(Invoice, item.invoice_id)
    if item.status == ItemStatus.REVERSED:
        flash(_("Storno recorded; invoice %(number)s is open again and the payment's "
                "booking is reversed.", number=invoice.number), "success")
    else:
        flash(_("Marked as not collected; invoice %(number)s stays open.",
                number=invoice.number), "success")
    return redirect(url_for("directdebit.batch", batch_id=batch_id))


# The member's own mandate (portal) ----------------------------------------------------


def _render_own(person, form=None, revoke_form=None, status=200):
    organisation = get_organisation()
    mandate = services.active_mandate(person)
    return render_template(
        "directdebit/portal.html", person=person, mandate=mandate,
        form=form or SignMandateForm(formdata=None, account_holder=person.display_name),
        revoke_form=revoke_form or RevokeMandateForm(formdata=None),
        consent=services.consent_text(organisation.name, organisation.creditor_id),
        organisation=organisation,
        **_labels(),
    ), status


def _own_person_or_redirect():
    person = person_for_user(current_user._get_current_object())
    if person is None:
        flash(_("Your account is not linked to an entry in the member register yet."), "info")
    return person


@bp.get("/portal/direct-debit")
@require(Permission.PORTAL_OWN)
def own_mandate():
    person = _own_person_or_redirect()
    if person is None:
        return redirect(url_for("portal.index"))
    return _render_own(person)


@bp.post("/portal/direct-debit")
@require(Permission.PORTAL_OWN)
def own_mandate_sign():
    person = _own_person_or_redirect()
    if person is None:
        return redirect(url_for("portal.index"))
    form = SignMandateForm()
    if not form.validate_on_submit():
        return _render_own(person, form, status=422)
    try:
        with refusal(form) as refused:
            services.sign_mandate(
                person, account_holder=form.account_holder.data, iban=form.iban.data,
                bic=form.bic.data, signed_on=timeutil.local_today(),
                source=MandateSource.PORTAL,
            )
            db.session.flush()  # a mandate signed at the same moment shows here
    except IntegrityError:
        db.session.rollback()
        flash(_("You signed a mandate at the same moment in another window; nothing "
                "more was saved."), "error")
        return _render_own(db.session.get(Person, person.id), status=409)
    if refused:
        return _render_own(db.session.get(Person, person.id), form, status=422)
    flash(_("Thank you: your dues will be collected by direct debit. You hear the amount "
            "and date before each collection."), "success")
    return redirect(url_for("directdebit.own_mandate"))


@bp.post("/portal/direct-debit/revoke")
@require(Permission.PORTAL_OWN)
def own_mandate_revoke():
    person = _own_person_or_redirect()
    if person is None:
        return redirect(url_for("portal.index"))
    mandate = services.active_mandate(person)
    if mandate is None:
        flash(_("You have no active mandate."), "info")
        return redirect(url_for("directdebit.own_mandate"))
    form = RevokeMandateForm()
    if not form.validate_on_submit():
        return _render_own(person, revoke_form=form, status=422)
    with refusal(form) as refused:
        services.revoke_mandate(mandate, form.reason.data)
    if refused:
        return _render_own(db.session.get(Person, person.id), revoke_form=form, status=422)
    flash(_("Your mandate is revoked: nothing more will be collected under it."), "success")
    return redirect(url_for("directdebit.own_mandate"))
