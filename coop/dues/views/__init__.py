"""Dues: the invoice list and detail, generating a year's dues, payments, credit notes,
write-offs and reminders. Reading needs FINANCE_READ, every change FINANCE_WRITE."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from coop import timeutil
from coop.accounts.forms import ConfirmForm
from coop.args import int_arg
from coop.charts import Chart, Series, bar_chart
from coop.dues import online, services
from coop.dues.forms import (
    METHOD_LABELS,
    CreditNoteForm,
    GenerateDuesForm,
    MollieRefundForm,
    PaymentForm,
    WriteOffForm,
)
from coop.dues.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment, ReminderLog
from coop.extensions import db
from coop.pagination import Window
from coop.payments import services as mollie
from coop.permissions import Permission, require
from coop.templating import money_filter
from coop.web import refusal

bp = Blueprint("dues", __name__, url_prefix="/dues")

PAGE_SIZE = 50
STATUS_LABELS = {
    "open": _l("open"),
    "overdue": _l("overdue"),
    InvoiceStatus.PAID.value: _l("paid"),
    InvoiceStatus.CREDITED.value: _l("credited"),
    InvoiceStatus.WRITTEN_OFF.value: _l("written off"),
}
KIND_LABELS = {
    InvoiceKind.INVOICE.value: _l("Invoice"),
    InvoiceKind.CREDIT_NOTE.value: _l("Credit note"),
}


def _labels():
    return {
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "method_labels": {m.value: label for m, label in METHOD_LABELS.items()},
    }


def collected_chart(today) -> Chart:
    """Dues received per month, the last twelve months (this one so far included)."""
    months = services.month_starts(today)
    return bar_chart(
        _("Dues collected per month"),
        _("Dues payments received in each month from %(first)s to %(last)s, reversed "
          "payments left out.", first=format_date(months[0], "LLLL y"),
          last=format_date(months[-1], "LLLL y")),
        months, [Series(_("Collected"), services.collected_per_month(months))],
        unit="eur", horizontal=True, category_label=_("Month"),
    )


@bp.get("/")
@require(Permission.FINANCE_READ)
def invoices():
    """Newest first; filters: fiscal year, status (with `overdue`), number or name."""
    today = timeutil.local_today()
    year = int_arg("year")
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    search = request.args.get("q", "").strip()

    query = select(Invoice, services.paid_so_far()).order_by(
        Invoice.fiscal_year.desc(), Invoice.sequence_number.desc()
    )
    if year:
        query = query.where(Invoice.fiscal_year == year)
    if status == "overdue":
        query = query.where(services.overdue_condition(today))
    elif status:  # "open" includes the overdue ones: everything still to be paid
        query = query.where(Invoice.status == status)
    if search:
        query = query.where(
            or_(
                Invoice.number == search,
                Invoice.payment_reference == search,
                func.lower(Invoice.addressee_name).contains(search.lower(), autoescape=True),
            )
        )
    page_number = int_arg("page", 1)
    rows = db.session.execute(
        query.offset((page_number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    page = Window(items=rows[:PAGE_SIZE], page=page_number, has_next=len(rows) > PAGE_SIZE)
    years = db.session.scalars(
        select(Invoice.fiscal_year).distinct().order_by(Invoice.fiscal_year.desc())
    ).all()
    return render_template(
        "dues/invoices.html",
        page=page,
        today=today,
        year=year,
        years=years,
        status=status,
        search=search,
        reminder_form=ConfirmForm(),
        collected=collected_chart(today),
        **_labels(),
    )


def _refundable_payment(invoice, rows=None):
    """The newest Mollie payment booked on the invoice with money left to refund."""
    for row in rows if rows is not None else online.online_payments_of_invoice(invoice):
        payment = row["payment"]
        if payment.dues_payment_id is not None and mollie.refundable_cents(payment) > 0:
            return payment
    return None


def _render_invoice(invoice, *, payment_form=None, credit_form=None, write_off_form=None,
                    refund_form=None, status=200):
    today = timeutil.local_today()
    lines = db.session.scalars(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)
    ).all()
    payments = db.session.scalars(
        select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)
    ).all()
    reminders = db.session.scalars(
        select(ReminderLog).where(ReminderLog.invoice_id == invoice.id).order_by(ReminderLog.id)
    ).all()
    paid = sum(p.amount_cents for p in payments if p.reversed_on is None)
    original = (
        db.session.get(Invoice, invoice.credits_invoice_id)
        if invoice.credits_invoice_id is not None
        else None
    )
    credit_note = services.credit_note_of(invoice)
    online_payments = online.online_payments_of_invoice(invoice)
    refundable = _refundable_payment(invoice, online_payments)
    is_open = invoice.kind == InvoiceKind.INVOICE and invoice.status == InvoiceStatus.OPEN
    return render_template(
        "dues/invoice.html",
        invoice=invoice,
        lines=lines,
        payments=payments,
        reminders=reminders,
        paid=paid,
        remaining=invoice.total_cents - paid if is_open else 0,
        display_status=services.display_status(invoice, today),
        original=original,
        credit_note=credit_note,
        online_payments=online_payments,
        refundable=refundable,
        refundable_cents=mollie.refundable_cents(refundable) if refundable else 0,
        refund_form=refund_form or MollieRefundForm(
            formdata=None, prefix="refund", key=mollie.new_idempotency_key()),
        is_open=is_open,
        can_credit=is_open and not paid,
        payment_form=payment_form or PaymentForm(formdata=None, paid_on=today),
        credit_form=credit_form or CreditNoteForm(formdata=None, prefix="credit", issue_date=today),
        write_off_form=write_off_form or WriteOffForm(formdata=None, prefix="write_off"),
        **_labels(),
    ), status


@bp.get("/<int:invoice_id>")
@require(Permission.FINANCE_READ)
def invoice(invoice_id: int):
    return _render_invoice(db.get_or_404(Invoice, invoice_id))


@bp.get("/<int:invoice_id>/pdf")
@require(Permission.FINANCE_READ)
def invoice_pdf(invoice_id: int):
    invoice = db.get_or_404(Invoice, invoice_id)
    path = services.invoice_pdf_path(invoice)
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=path.name,
        max_age=0,
    )


@bp.route("/generate", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def generate():
    today = timeutil.local_today()
    form = GenerateDuesForm(
        formdata=request.form if request.method == "POST" else None,
        fiscal_year=today.year, issue_date=today,
    )
    if request.method == "POST":
        if not form.validate():
            flash(_("Nothing was generated: correct the fields marked below."), "error")
            return render_template("dues/generate.html", form=form), 422
        try:
            with refusal(form) as refused:
                result = services.generate_dues(form.fiscal_year.data, form.issue_date.data)
        except IntegrityError:
            # Another run for the same year, numbered in another fiscal year, got there
            # first (runs in the same numbering year wait for each other instead).
            db.session.rollback()
            flash(_("Another run generated dues at the same time; nothing was saved. "
                    "Try again: members who have an invoice now are skipped."), "error")
            return render_template("dues/generate.html", form=form), 409
        if refused:
            return render_template("dues/generate.html", form=form), 422
        flash(
            _("Dues %(year)s: %(created)d invoices issued, %(existing)d already had one, "
              "%(free)d owe nothing.",
              year=result.fiscal_year, created=result.created,
              existing=result.already_invoiced, free=result.not_charged),
            "success",
        )
        return redirect(url_for("dues.invoices", year=result.invoice_year))
    return render_template("dues/generate.html", form=form)


@bp.post("/<int:invoice_id>/payments")
@require(Permission.FINANCE_WRITE)
def record_payment(invoice_id: int):
    invoice = db.get_or_404(Invoice, invoice_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        flash(_("The payment was not recorded: correct the fields marked below."), "error")
        return _render_invoice(invoice, payment_form=form, status=422)
    with refusal(form) as refused:
        services.record_payment(
            invoice, form.amount.cents, form.paid_on.data, form.method.data,
            form.reference.data,
        )
    if refused:
        invoice = db.get_or_404(Invoice, invoice_id)
        return _render_invoice(invoice, payment_form=form, status=422)
    if invoice.status == InvoiceStatus.PAID:
        flash(_("Payment recorded; invoice %(number)s is paid.", number=invoice.number),
              "success")
    else:
        flash(_("Payment recorded; %(amount)s is still due.",
                amount=money_filter(services.remaining_cents(invoice))), "success")
    return redirect(url_for("dues.invoice", invoice_id=invoice.id))


@bp.post("/<int:invoice_id>/refund")
@require(Permission.FINANCE_WRITE)
def refund(invoice_id: int):
    """Refund (part of) the invoice's Mollie payment through Mollie: the dues payment
    is reversed for that amount, as after a chargeback (see `payments.services.refund`)."""
    invoice = db.get_or_404(Invoice, invoice_id)
    form = MollieRefundForm(prefix="refund")
    payment = _refundable_payment(invoice)
    if payment is None:
        flash(_("Nothing paid through Mollie can be refunded on this invoice."), "error")
        return redirect(url_for("dues.invoice", invoice_id=invoice.id))
    if form.validate_on_submit():
        with refusal(form) as refused:
            back = mollie.refund(payment, form.amount.cents, form.reason.data,
                                 form.key.data or mollie.new_idempotency_key())
        if not refused:
            if back.entry_id is None:
                flash(_("Mollie refunded the amount, but it could not be booked on the "
                        "invoice; see the note under online payments."), "error")
            else:
                flash(_("The refund has been sent to Mollie; the amount is due on the "
                        "invoice again."), "success")
            return redirect(url_for("dues.invoice", invoice_id=invoice.id))
    invoice = db.get_or_404(Invoice, invoice_id)
    return _render_invoice(invoice, refund_form=form, status=422)


@bp.post("/<int:invoice_id>/credit")
@require(Permission.FINANCE_WRITE)
def credit(invoice_id: int):
    invoice = db.get_or_404(Invoice, invoice_id)
    form = CreditNoteForm(prefix="credit")
    if not form.validate_on_submit():
        flash(_("No credit note was issued: correct the fields marked below."), "error")
        return _render_invoice(invoice, credit_form=form, status=422)
    with refusal(form) as refused:
        credit_note = services.credit_invoice(invoice, form.issue_date.data, form.reason.data)
    if refused:
        invoice = db.get_or_404(Invoice, invoice_id)
        return _render_invoice(invoice, credit_form=form, status=422)
    flash(_("Credit note %(credit)s issued; invoice %(number)s is credited.",
            credit=credit_note.number, number=invoice.number), "success")
    return redirect(url_for("dues.invoice", invoice_id=credit_note.id))


@bp.post("/<int:invoice_id>/write-off")
@require(Permission.FINANCE_WRITE)
def write_off(invoice_id: int):
    invoice = db.get_or_404(Invoice, invoice_id)
    form = WriteOffForm(prefix="write_off")
    if not form.validate_on_submit():
        flash(_("Nothing was written off: correct the fields marked below."), "error")
        return _render_invoice(invoice, write_off_form=form, status=422)
    with refusal(form) as refused:
        amount = services.write_off(invoice, form.reason.data)
    if refused:
        invoice = db.get_or_404(Invoice, invoice_id)
        return _render_invoice(invoice, write_off_form=form, status=422)
    flash(_("%(amount)s of invoice %(number)s written off.",
            amount=money_filter(amount), number=invoice.number), "success")
    return redirect(url_for("dues.invoice", invoice_id=invoice.id))


@bp.post("/reminders")
@require(Permission.FINANCE_WRITE)
def reminders():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = services.send_reminders(timeutil.local_today())
    flash(_("%(sent)d reminders sent.", sent=result.sent), "success")
    if result.no_email:
        flash(_("%(count)d overdue invoices have no email address to remind: contact these "
                "members another way.", count=result.no_email), "warning")
    if result.failed:
        flash(_("%(count)d reminders could not be sent; they are tried again next time.",
                count=result.failed), "error")
    return redirect(url_for("dues.invoices", status="overdue"))

