"""Bank statements: import, the open lines, matching to dues invoices and booking.
Reading needs FINANCE_READ (board, treasurer, kascommissie); importing, matching and
booking FINANCE_WRITE (the treasurer, with two-factor)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from coop.args import int_arg
from coop.bank import services
from coop.bank.forms import BankAccountsForm, BookForm, ImportForm, MatchForm
from coop.bank.models import BankStatement, BankTransaction, TransactionStatus
from coop.dues.models import Invoice, Payment
from coop.extensions import db
from coop.funders.models import FunderAgreement
from coop.ledger.models import BalanceCategory, CostCentre, JournalEntry, LedgerAccount
from coop.pagination import Window
from coop.permissions import Permission, has_permission, require
from coop.settings.models import BankAccountKind
from coop.settings.services import bank_accounts
from coop.web import refusal

bp = Blueprint("bank", __name__, url_prefix="/finance/bank")

PAGE_SIZE = 50
STATUS_FILTERS = ("open", "matched", "booked", "all")


@bp.get("/")
@require(Permission.FINANCE_READ)
def index():
    status = request.args.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    page_number = int_arg("page", 1)
    query = select(BankTransaction).order_by(BankTransaction.booking_date.desc(),
                                             BankTransaction.id.desc())
    if status != "all":
        query = query.where(BankTransaction.status == status)
    rows = db.session.scalars(
        query.offset((page_number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    page = Window(items=rows[:PAGE_SIZE], page=page_number, has_next=len(rows) > PAGE_SIZE)
    statements = db.session.scalars(
        select(BankStatement).order_by(BankStatement.imported_at.desc(), BankStatement.id.desc())
        .limit(10)).all()
    return render_template("bank/index.html", page=page, status=status,
                           statements=statements, open_count=services.open_count(),
                           overpayments=services.overpayments(),
                           form=ImportForm(formdata=None))


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def import_statement():
    form = ImportForm()
    if request.method == "GET":
        return render_template("bank/import.html", form=form)
    if not form.validate():
        return render_template("bank/import.html", form=form), 422
    upload = form.file.data
    data = upload.read(services.MAX_FILE_BYTES + 1)
    filename = secure_filename(upload.filename or "") or "statement.xml"
    try:
        with refusal(form) as refused:
            result = services.import_statement(data, filename)
            db.session.flush()  # a concurrent import of the same lines shows here
    except IntegrityError:
        # Another import of the same lines won the race: nothing of this one is saved.
        db.session.rollback()
        form.file.errors = [*form.file.errors,
                            _("This statement was being imported at the same moment; "
                              "try again.")]
        return render_template("bank/import.html", form=form), 409
    if refused:
        return render_template("bank/import.html", form=form), 422
    for skipped in result.skipped:
        flash(_("Account %(iban)s is not one of the coop's bank accounts: %(statements)d "
                "statements with %(count)d lines skipped.", iban=skipped.iban,
                statements=skipped.statements, count=skipped.entries), "warning")
    if result.added == 0:
        flash(_("Nothing new: all %(count)d lines of this statement were imported before.",
                count=result.already_known), "info")
        return redirect(url_for("bank.index"))
    message = _("%(count)d bank lines imported.", count=result.added)
    if len(result.statements) > 1:
        message += " " + _("%(count)d statements had new lines.", count=len(result.statements))
    if result.already_known:
        message += " " + _("%(count)d lines were imported before and were skipped.",
                           count=result.already_known)
    flash(message, "success")
    if result.statement is not None:
        return redirect(url_for("bank.statement", statement_id=result.statement.id))
    return redirect(url_for("bank.index"))


# The coop's own accounts ------------------------------------------------------------


def _accounts_form(formdata=None) -> BankAccountsForm:
    form = BankAccountsForm(formdata=formdata)
    choices = [SelectChoice("", "—")] + [
        SelectChoice(str(a.id), f"{a.code} {a.name}") for a in db.session.scalars(
            select(LedgerAccount).where(
                LedgerAccount.is_active,
                LedgerAccount.category == BalanceCategory.LIQUID_ASSETS.value)
            .order_by(LedgerAccount.code))]
    form.current_ledger_account.choices = choices
    form.savings_ledger_account.choices = choices
    if formdata is None:
        for account in bank_accounts():
            form[f"{account.kind}_iban"].data = account.iban
            form[f"{account.kind}_name"].data = account.name
            form[f"{account.kind}_ledger_account"].data = str(account.ledger_account_id)
    return form


@bp.get("/accounts")
@require(Permission.FINANCE_READ)
def accounts():
    return render_template("bank/accounts.html", form=_accounts_form(),
                           can_edit=has_permission(Permission.FINANCE_WRITE))


@bp.post("/accounts")
@require(Permission.FINANCE_WRITE)
def accounts_update():
    form = _accounts_form(formdata=request.form)
    if form.validate():
        def ledger_account(raw):
            try:
                return db.session.get(LedgerAccount, int(raw)) if raw else None
            except ValueError:
                return None

        values = {
            kind: services.AccountValues(
                form[f"{kind.value}_iban"].data, form[f"{kind.value}_name"].data,
                ledger_account(form[f"{kind.value}_ledger_account"].data))
            for kind in BankAccountKind
        }
        with refusal(form) as refused:
            changes = services.save_bank_accounts(values)
        if not refused:
            flash(_("The bank accounts are saved.") if changes else _("Nothing changed."),
                  "success" if changes else "info")
            return redirect(url_for("bank.accounts"))
    return render_template("bank/accounts.html", form=form, can_edit=True), 422


@bp.get("/statements/<int:statement_id>")
@require(Permission.FINANCE_READ)
def statement(statement_id: int):
    statement = db.get_or_404(BankStatement, statement_id)
    rows = db.session.scalars(
        select(BankTransaction).where(BankTransaction.statement_id == statement.id)
        .order_by(BankTransaction.booking_date, BankTransaction.id)).all()
    return render_template("bank/statement.html", statement=statement, rows=rows)


def _book_form(transaction: BankTransaction, formdata=None) -> BookForm:
    form = BookForm(formdata=formdata)
    accounts = db.session.scalars(
        select(LedgerAccount).where(LedgerAccount.is_active).order_by(LedgerAccount.code)).all()
    centres = db.session.scalars(
        select(CostCentre).where(CostCentre.is_active).order_by(CostCentre.code)).all()
    agreements = db.session.scalars(
        select(FunderAgreement).where(FunderAgreement.end_date >= transaction.booking_date)
        .order_by(FunderAgreement.reference)).all()
    form.account.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(a.id), f"{a.code} {a.name}") for a in accounts]
    form.cost_centre.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), f"{c.code} {c.name}") for c in centres]
    form.agreement.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(a.id), a.label) for a in agreements]
    if formdata is None:
        suggestion = next(iter(services.account_suggestions(transaction, limit=1)), None)
        if suggestion is not None:
            form.account.data = str(suggestion.account_id)
            form.cost_centre.data = str(suggestion.cost_centre_id or "")
            form.agreement.data = str(suggestion.agreement_id or "")
        form.description.data = " ".join(filter(None, [
            transaction.counterparty_name, transaction.remittance]))[:300]
    return form


def _render_transaction(transaction, match_form=None, book_form=None, status=200):
    payment = db.session.get(Payment, transaction.payment_id) if transaction.payment_id else None
    return render_template(
        "bank/transaction.html", transaction=transaction,
        statement=db.session.get(BankStatement, transaction.statement_id),
        suggestions=services.suggestions(transaction),
        paid_already=services.paid_invoices_named(transaction),
        account_suggestions=services.account_suggestions(transaction),
        payment=payment,
        invoice=db.session.get(Invoice, payment.invoice_id) if payment else None,
        entry=db.session.get(JournalEntry, transaction.journal_entry_id)
        if transaction.journal_entry_id else None,
        match_form=match_form or MatchForm(formdata=None),
        book_form=book_form or _book_form(transaction),
    ), status


@bp.get("/transactions/<int:transaction_id>")
@require(Permission.FINANCE_READ)
def transaction(transaction_id: int):
    return _render_transaction(db.get_or_404(BankTransaction, transaction_id))


@bp.post("/transactions/<int:transaction_id>/match")
@require(Permission.FINANCE_WRITE)
def match(transaction_id: int):
    transaction = db.get_or_404(BankTransaction, transaction_id)
    form = MatchForm()
    if form.validate():
        with refusal(form) as refused:
            invoice = services.invoice_by_number(form.invoice.data)
            services.match_to_invoice(transaction, invoice)
        if not refused:
            flash(_("Payment recorded on invoice %(number)s.", number=invoice.number),
                  "success")
            return redirect(url_for("bank.index"))
    transaction = db.session.get(BankTransaction, transaction_id)
    return _render_transaction(transaction, match_form=form, status=422)


@bp.post("/transactions/<int:transaction_id>/overpayment")
@require(Permission.FINANCE_WRITE)
def overpayment(transaction_id: int):
    transaction = db.get_or_404(BankTransaction, transaction_id)
    form = MatchForm()
    if form.validate():
        with refusal(form) as refused:
            invoice = services.invoice_by_number(form.invoice.data)
            entry = services.book_overpayment(transaction, invoice)
        if not refused:
            flash(_("Booked as an overpayment on invoice %(number)s to refund (entry "
                    "%(entry)s).", number=invoice.number, entry=entry.display_number),
                  "success")
            return redirect(url_for("bank.index"))
    transaction = db.session.get(BankTransaction, transaction_id)
    return _render_transaction(transaction, match_form=form, status=422)


@bp.post("/transactions/<int:transaction_id>/book")
@require(Permission.FINANCE_WRITE)
def book(transaction_id: int):
    transaction = db.get_or_404(BankTransaction, transaction_id)
    form = _book_form(transaction, formdata=request.form)
    if form.validate():
        def pick(model, raw):
            try:
                return db.session.get(model, int(raw)) if raw else None
            except ValueError:
                return None

        with refusal(form) as refused:
            entry = services.book_transaction(
                transaction, pick(LedgerAccount, form.account.data), form.description.data,
                cost_centre=pick(CostCentre, form.cost_centre.data),
                agreement=pick(FunderAgreement, form.agreement.data),
            )
        if not refused:
            flash(_("Booked as entry %(number)s.", number=entry.display_number), "success")
            return redirect(url_for("bank.index"))
    transaction = db.session.get(BankTransaction, transaction_id)
    return _render_transaction(transaction, book_form=form, status=422)


# For templates: the labels of the statuses.
@bp.app_template_global()
def bank_status_label(status: str) -> str:
    return {
        TransactionStatus.OPEN: _("Open"),
        TransactionStatus.MATCHED: _("Matched"),
        TransactionStatus.BOOKED: _("Booked"),
    }.get(status, status)
