"""The ledger pages: chart of accounts, journal entries, fiscal years, reports, budgets.

Reading needs FINANCE_READ (board, treasurer, kascommissie), posting FINANCE_WRITE
(the treasurer, with two-factor), findings and sign-off FINANCE_AUDIT (kascommissie).
Reports take a period (`?year=2026` or `?start=…&end=…`) and `?format=csv|xlsx`.
"""

from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from coop import timeutil
from coop.accounts.forms import ConfirmForm
from coop.args import int_arg
from coop.charts import Chart, Series, bar_chart
from coop.errors import ServiceError
from coop.extensions import db
from coop.fiscal import fiscal_year_bounds, fiscal_year_of
from coop.forms import show_error
from coop.ledger import reports, services, signals
from coop.ledger.forms import (
    CATEGORY_LABELS,
    ENTRY_LINES,
    KIND_LABELS,
    AccountForm,
    BudgetForm,
    CostCentreForm,
    EntryForm,
    FindingForm,
    OpenYearForm,
    ReopenYearForm,
    ReverseForm,
)
from coop.ledger.models import (
    CATEGORIES_BY_KIND,
    AccountKind,
    AccountPurpose,
    AuditFinding,
    Budget,
    CostCentre,
    EntryStatus,
    FiscalYear,
    FiscalYearStatus,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from coop.ledger.services import LedgerError, Line
from coop.money import cents_to_decimal
from coop.pagination import Window
from coop.permissions import Permission, require
from coop.settings.services import get_organisation
from coop.signals import values_from_signal
from coop.spreadsheets import report_download
from coop.web import refusal

bp = Blueprint("ledger", __name__, url_prefix="/finance")

PAGE_SIZE = 50


def _labels() -> dict:
    return {
        "category_labels": CATEGORY_LABELS,
        "kind_labels": KIND_LABELS,
        "purpose_labels": services.PURPOSE_LABELS,
    }


# Periods -----------------------------------------------------------------------------


def _parse_day(name: str) -> date | None:
    value = request.args.get(name, "")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _period() -> tuple[date, date, int | None]:
    """The period the report asks for: `start`/`end`, else fiscal `year`, else the
    current fiscal year. Returns (start, end, fiscal year or None)."""
    start_month = get_organisation().fiscal_year_start_month
    start, end = _parse_day("start"), _parse_day("end")
    if start and end and start <= end:
        return start, end, None
    year = int_arg("year", low=2000)
    if year is None or year > 2100:
        year = fiscal_year_of(timeutil.local_today(), start_month)
    start, end = fiscal_year_bounds(year, start_month)
    return start, end, year


def _years() -> list[FiscalYear]:
    return list(db.session.scalars(select(FiscalYear).order_by(FiscalYear.year.desc())))


def _report_context(start: date, end: date, year: int | None) -> dict:
    return {"start": start, "end": end, "year": year, "years": _years(), **_labels()}


# Exports -----------------------------------------------------------------------------


def _amount(cents: int) -> Decimal:
    return cents_to_decimal(cents)


# Overview and chart of accounts --------------------------------------------------------


@bp.get("/")
@require(Permission.FINANCE_READ)
def index():
    start, end, year = _period()
    statement = reports.income_statement(start, end)
    liquid, _months = reports.cash_forecast(timeutil.local_today(), months=1)
    return render_template(
        "ledger/index.html", statement=statement, liquid=liquid,
        has_chart=db.session.scalar(select(LedgerAccount.id).limit(1)) is not None,
        seed_form=ConfirmForm(), **_report_context(start, end, year),
    )


@bp.get("/accounts")
@require(Permission.FINANCE_READ)
def accounts():
    rows = db.session.scalars(select(LedgerAccount).order_by(LedgerAccount.code)).all()
    return render_template("ledger/accounts.html", accounts=rows, seed_form=ConfirmForm(),
                           **_labels())


@bp.post("/accounts/seed")
@require(Permission.FINANCE_WRITE)
def seed_chart():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    added = services.seed_default_chart()
    flash(_("%(count)d accounts of the default chart added.", count=added), "success")
    return redirect(url_for("ledger.accounts"))


def _account_form(account: LedgerAccount | None):
    form = AccountForm(formdata=request.form if request.method == "POST" else None,
                       obj=account)
    form.category.choices = [
        SelectChoice(str(category), f"{KIND_LABELS[kind]}: {CATEGORY_LABELS[str(category)]}")
        for kind, categories in CATEGORIES_BY_KIND.items() for category in categories
    ]
    form.purpose.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.value, services.PURPOSE_LABELS[p]) for p in AccountPurpose
    ]
    if account is not None and request.method != "POST":
        form.purpose.data = account.purpose or ""
    return form


def _save_account(account: LedgerAccount | None):
    form = _account_form(account)
    template = "ledger/account_form.html"
    if request.method == "POST":
        if not form.validate():
            return render_template(template, form=form, account=account), 422
        values = {name: form[name].data for name in
                  ("code", "name", "kind", "category", "purpose", "is_active")}
        with refusal(form) as refused:
            if account is None:
                services.create_account(values)
            else:
                services.update_account(account, values)
        if refused:
            return render_template(template, form=form, account=account), 422
        flash(_("Account saved."), "success")
        return redirect(url_for("ledger.accounts"))
    return render_template(template, form=form, account=account)


@bp.route("/accounts/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def account_new():
    return _save_account(None)


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def account_edit(account_id: int):
    return _save_account(db.get_or_404(LedgerAccount, account_id))


@bp.get("/cost-centres")
@require(Permission.FINANCE_READ)
def cost_centres():
    rows = db.session.scalars(select(CostCentre).order_by(CostCentre.code)).all()
    return render_template("ledger/cost_centres.html", centres=rows, form=CostCentreForm())


@bp.post("/cost-centres")
@require(Permission.FINANCE_WRITE)
def cost_centre_new():
    form = CostCentreForm()
    if form.validate():
        with refusal(form) as refused:
            services.create_cost_centre(form.code.data, form.name.data)
        if not refused:
            flash(_("Cost centre added."), "success")
            return redirect(url_for("ledger.cost_centres"))
    rows = db.session.scalars(select(CostCentre).order_by(CostCentre.code)).all()
    return render_template("ledger/cost_centres.html", centres=rows, form=form), 422


# Journal entries ---------------------------------------------------------------------


@bp.get("/entries")
@require(Permission.FINANCE_READ)
def entries():
    start, end, year = _period()
    page_number = int_arg("page", 1)
    rows = db.session.scalars(
        select(JournalEntry)
        .where(JournalEntry.status == EntryStatus.POSTED.value,
               JournalEntry.entry_date >= start, JournalEntry.entry_date <= end)
        .order_by(JournalEntry.entry_date.desc(), JournalEntry.id.desc())
        .offset((page_number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    page = Window(items=rows[:PAGE_SIZE], page=page_number, has_next=len(rows) > PAGE_SIZE)
    return render_template("ledger/entries.html", page=page,
                           persons=services.persons_of_entries([e.id for e in page.items]),
                           **_report_context(start, end, year))


def _render_entry(entry: JournalEntry, reverse_form=None, status=200):
    rows = db.session.execute(
        select(JournalLine, LedgerAccount, CostCentre)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .outerjoin(CostCentre, CostCentre.id == JournalLine.cost_centre_id)
        .where(JournalLine.entry_id == entry.id).order_by(JournalLine.id)
    ).all()
    agreement_ids = sorted({line.agreement_id for line, _a, _c in rows if line.agreement_id})
    labels = {}
    for found in (values_from_signal(signals.agreement_labels, agreement_ids)
                  if agreement_ids else []):
        labels.update(found)
    lines = [(line, account, centre, labels.get(line.agreement_id))
             for line, account, centre in rows]
    reversed_by = services.reversal_of(entry)
    original = (db.session.get(JournalEntry, entry.reverses_entry_id)
                if entry.reverses_entry_id else None)
    return render_template(
        "ledger/entry.html", entry=entry, lines=lines, reversed_by=reversed_by,
        original=original,
        persons=services.persons_of_entries([entry.id]).get(entry.id, []),
        can_reverse=services.can_reverse(entry, reversed_by),
        reverse_form=reverse_form or ReverseForm(formdata=None, entry_date=timeutil.local_today()),
    ), status


@bp.get("/entries/<int:entry_id>")
@require(Permission.FINANCE_READ)
def entry(entry_id: int):
    return _render_entry(db.get_or_404(JournalEntry, entry_id))


def _entry_choices(form: EntryForm) -> None:
    accounts = db.session.scalars(
        select(LedgerAccount).where(LedgerAccount.is_active).order_by(LedgerAccount.code)
    ).all()
    centres = db.session.scalars(
        select(CostCentre).where(CostCentre.is_active).order_by(CostCentre.code)
    ).all()
    account_choices = [SelectChoice("", "—")] + [
        SelectChoice(a.code, f"{a.code} {a.name}") for a in accounts]
    centre_choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), f"{c.code} {c.name}") for c in centres]
    open_since = db.session.scalar(
        select(func.min(FiscalYear.start_date))
        .where(FiscalYear.status == FiscalYearStatus.OPEN.value)
    ) or timeutil.local_today()
    agreement_choices = [SelectChoice("", "—")] + [
        SelectChoice(str(agreement_id), label)
        for found in values_from_signal(signals.agreement_choices, open_since)
        for agreement_id, label in found]
    for row in form.lines:
        row.form.account.choices = account_choices
        row.form.cost_centre.choices = centre_choices
        row.form.agreement.choices = agreement_choices


def _show_entry_error(form: EntryForm, error: LedgerError, rows: list[int]) -> None:
    """Put the message at the line field it names (`lines-<n>-<field>`, n counting the
    filled rows the service saw), or at the lines as a whole."""
    field = error.field or ""
    if field.startswith("lines-"):
        _prefix, index, name = field.split("-", 2)
        row = form.lines[rows[int(index)]].form
        row[name].errors = [*row[name].errors, str(error.message)]
    elif field == "lines":
        form.lines_error = str(error.message)
    else:
        show_error(form, error)


def _agreement_for_line(raw_id, entry_date) -> int | None:
    """The agreement id a manual line is booked against (None: none chosen); the
    funders check it. Raises ServiceError."""
    if raw_id in (None, ""):
        return None
    return values_from_signal(signals.agreement_for_line, raw_id, entry_date=entry_date)[0]


def _lines_from(form: EntryForm) -> tuple[list[Line], list[int]] | None:
    """The filled rows as ledger lines, and their row numbers; None when a row's
    agreement is refused (the message is then at that row's field)."""
    lines, rows, refused = [], [], False
    for n, row in enumerate(form.lines):
        row = row.form
        if row.is_blank():
            continue
        try:
            agreement_id = _agreement_for_line(row.agreement.data, form.entry_date.data)
        except ServiceError as error:
            row.agreement.errors = [*row.agreement.errors, str(error.message)]
            refused = True
            continue
        centre = row.cost_centre.data
        lines.append(Line(
            account=row.account.data or "",
            debit_cents=row.debit.cents or 0,
            credit_cents=row.credit.cents or 0,
            description=row.description.data,
            cost_centre_id=int(centre) if centre and centre.isdigit() else None,
            links={"agreement_id": agreement_id} if agreement_id is not None else {},
        ))
        rows.append(n)
    return None if refused else (lines, rows)


@bp.route("/entries/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def entry_new():
    form = EntryForm(formdata=request.form if request.method == "POST" else None,
                     entry_date=timeutil.local_today())
    form.lines_error = None
    _entry_choices(form)
    template = "ledger/entry_new.html"
    if request.method == "POST":
        if not form.validate():
            flash(_("Nothing was posted: correct the fields marked below."), "error")
            return render_template(template, form=form), 422
        checked = _lines_from(form)
        if checked is None:
            flash(_("Nothing was posted: correct the fields marked below."), "error")
            return render_template(template, form=form), 422
        lines, rows = checked
        with refusal(show=lambda error: _show_entry_error(
                form, error, rows or list(range(ENTRY_LINES)))) as refused:
            posted = services.post_entry(
                form.entry_date.data, form.description.data, lines,
                reference=form.reference.data,
            )
        if refused:
            flash(_("Nothing was posted: correct the fields marked below."), "error")
            return render_template(template, form=form), 422
        flash(_("Entry %(number)s posted.", number=posted.display_number), "success")
        return redirect(url_for("ledger.entry", entry_id=posted.id))
    return render_template(template, form=form)


@bp.post("/entries/<int:entry_id>/reverse")
@require(Permission.FINANCE_WRITE)
def entry_reverse(entry_id: int):
    original = db.get_or_404(JournalEntry, entry_id)
    form = ReverseForm()
    if not form.validate():
        return _render_entry(original, form, 422)
    try:
        with refusal(form) as refused:
            reversal = services.reverse_entry(original, form.entry_date.data,
                                              form.reason.data)
    except IntegrityError:
        # Reversed at the same moment by someone else: one reversal per entry.
        db.session.rollback()
        flash(_("This entry has already been reversed."), "error")
        return redirect(url_for("ledger.entry", entry_id=entry_id))
    if refused:
        return _render_entry(db.get_or_404(JournalEntry, entry_id), form, 422)
    flash(_("Entry %(number)s reversed by %(reversal)s.", number=original.display_number,
            reversal=reversal.display_number), "success")
    return redirect(url_for("ledger.entry", entry_id=reversal.id))


# Fiscal years ------------------------------------------------------------------------


@bp.get("/years")
@require(Permission.FINANCE_READ)
def years():
    return render_template("ledger/years.html", years=_years(), form=OpenYearForm(
        formdata=None, year=fiscal_year_of(timeutil.local_today(),
                                           get_organisation().fiscal_year_start_month)))


@bp.post("/years")
@require(Permission.FINANCE_WRITE)
def year_open():
    form = OpenYearForm()
    if form.validate():
        with refusal(form) as refused:
            services.open_fiscal_year(form.year.data)
        if not refused:
            flash(_("Fiscal year %(year)s opened.", year=form.year.data), "success")
            return redirect(url_for("ledger.years"))
    return render_template("ledger/years.html", years=_years(), form=form), 422


def _render_year(fiscal_year: FiscalYear, *, reopen_form=None, finding_form=None, status=200):
    findings = db.session.scalars(
        select(AuditFinding).where(AuditFinding.fiscal_year == fiscal_year.year)
        .order_by(AuditFinding.id)
    ).all()
    statement = reports.income_statement(fiscal_year.start_date, fiscal_year.end_date)
    return render_template(
        "ledger/year.html", fiscal_year=fiscal_year, findings=findings, statement=statement,
        confirm_form=ConfirmForm(),
        reopen_form=reopen_form or ReopenYearForm(formdata=None, prefix="reopen"),
        finding_form=finding_form or FindingForm(formdata=None, prefix="finding"),
    ), status


@bp.get("/years/<int:year>")
@require(Permission.FINANCE_READ)
def year(year: int):
    return _render_year(db.get_or_404(FiscalYear, year))


def _year_action(year: int, action, success: str):
    fiscal_year = db.get_or_404(FiscalYear, year)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusal() as refused:
        action(fiscal_year)
    if refused:
        return _render_year(db.get_or_404(FiscalYear, year), status=422)
    flash(success, "success")
    return redirect(url_for("ledger.year", year=year))


@bp.post("/years/<int:year>/close")
@require(Permission.FINANCE_WRITE)
def year_close(year: int):
    return _year_action(year, services.close_fiscal_year,
                        _("Fiscal year %(year)s closed.", year=year))


@bp.post("/years/<int:year>/sign-off")
@require(Permission.FINANCE_AUDIT)
def year_sign_off(year: int):
    return _year_action(year, services.sign_off_fiscal_year,
                        _("Fiscal year %(year)s signed off.", year=year))


@bp.post("/years/<int:year>/reopen")
@require(Permission.FINANCE_WRITE)
def year_reopen(year: int):
    fiscal_year = db.get_or_404(FiscalYear, year)
    form = ReopenYearForm(prefix="reopen")
    if form.validate():
        with refusal(form) as refused:
            services.reopen_fiscal_year(fiscal_year, form.reason.data)
        if not refused:
            flash(_("Fiscal year %(year)s reopened.", year=year), "success")
            return redirect(url_for("ledger.year", year=year))
    return _render_year(db.get_or_404(FiscalYear, year), reopen_form=form, status=422)


@bp.post("/years/<int:year>/findings")
@require(Permission.FINANCE_AUDIT)
def year_finding(year: int):
    fiscal_year = db.get_or_404(FiscalYear, year)
    form = FindingForm(prefix="finding")
    if form.validate():
        with refusal(form) as refused:
            services.record_finding(fiscal_year, form.text.data)
        if not refused:
            flash(_("Finding recorded."), "success")
            return redirect(url_for("ledger.year", year=year))
    return _render_year(db.get_or_404(FiscalYear, year), finding_form=form, status=422)


# Reports -----------------------------------------------------------------------------


@bp.get("/reports/trial-balance")
@require(Permission.FINANCE_READ)
def trial_balance():
    start, end, year = _period()
    balance = reports.trial_balance(start, end)
    header = [_("Code"), _("Account"), _("Opening balance"), _("Debit"), _("Credit"),
              _("Closing balance")]
    rows = [[r.code, r.name, _amount(r.opening_cents), _amount(r.debit_cents),
             _amount(r.credit_cents), _amount(r.closing_cents)] for r in balance.rows]
    rows.append(["", _("Total"), _amount(balance.opening_cents), _amount(balance.debit_cents),
                 _amount(balance.credit_cents), _amount(balance.closing_cents)])
    export = report_download(f"proefbalans-{start}-{end}", _("Trial balance"), header, rows)
    return export or render_template("ledger/trial_balance.html", balance=balance,
                                     **_report_context(start, end, year))


@bp.get("/reports/general-ledger/<int:account_id>")
@require(Permission.FINANCE_READ)
def general_ledger(account_id: int):
    account = db.get_or_404(LedgerAccount, account_id)
    start, end, year = _period()
    export = request.args.get("format") in ("csv", "xlsx")
    page_number = int_arg("page", 1)
    lines = reports.general_ledger(
        account, start, end,
        offset=0 if export else (page_number - 1) * PAGE_SIZE,
        limit=None if export else PAGE_SIZE + 1,
    )
    if export:
        header = [_("Date"), _("Number"), _("Description"), _("Reference"), _("Debit"),
                  _("Credit"), _("Balance")]
        rows = [[line.entry_date, line.number, line.description, line.reference,
                 _amount(line.debit_cents), _amount(line.credit_cents),
                 _amount(line.balance_cents)] for line in lines]
        return report_download(f"grootboek-{account.code}-{start}-{end}", account.code,
                               header, rows)
    page = Window(items=lines[:PAGE_SIZE], page=page_number, has_next=len(lines) > PAGE_SIZE)
    accounts = db.session.scalars(select(LedgerAccount).order_by(LedgerAccount.code)).all()
    return render_template(
        "ledger/general_ledger.html", account=account, page=page, accounts=accounts,
        persons=services.persons_of_entries([line.entry_id for line in page.items]),
        opening=reports.balance_before(account, start), **_report_context(start, end, year),
    )


@bp.get("/reports/balance-sheet")
@require(Permission.FINANCE_READ)
def balance_sheet():
    start, end, year = _period()
    sheet = reports.balance_sheet(end)
    header = [_("Side"), _("Group"), _("Code"), _("Account"), _("Amount")]
    rows = []
    for side, groups in ((_("Assets"), sheet.assets), (_("Liabilities"), sheet.liabilities),
                         (_("Equity"), sheet.equity)):
        for group in groups:
            for code, name, cents in group.accounts:
                rows.append([side, str(CATEGORY_LABELS[group.category]), code, name,
                             _amount(cents)])
    rows.append([_("Equity"), _("Result not yet appropriated"), "", "",
                 _amount(sheet.unappropriated_result_cents)])
    export = report_download(f"balans-{end}", _("Balance sheet"), header, rows)
    return export or render_template("ledger/balance_sheet.html", sheet=sheet,
                                     **_report_context(start, end, year))


@bp.get("/reports/income-statement")
@require(Permission.FINANCE_READ)
def income_statement():
    start, end, year = _period()
    centre_id = int_arg("cost_centre")
    statement = reports.income_statement(start, end, cost_centre_id=centre_id)
    header = [_("Side"), _("Category"), _("Code"), _("Account"), _("Amount")]
    rows = []
    for side, groups in ((_("Income"), statement.income), (_("Expenses"), statement.expenses)):
        for group in groups:
            for code, name, cents in group.accounts:
                rows.append([side, str(CATEGORY_LABELS[group.category]), code, name,
                             _amount(cents)])
    rows.append(["", _("Result"), "", "", _amount(statement.result_cents)])
    export = report_download(f"staat-van-baten-en-lasten-{start}-{end}",
                     _("Income and expenditure"), header, rows)
    centres = db.session.scalars(select(CostCentre).order_by(CostCentre.code)).all()
    return export or render_template(
        "ledger/income_statement.html", statement=statement, centres=centres,
        centre_id=centre_id, **_report_context(start, end, year),
    )


# Budgets and forecast ----------------------------------------------------------------


def _budget_form(year: int, formdata=None) -> BudgetForm:
    form = BudgetForm(formdata=formdata, fiscal_year=year)
    accounts = db.session.scalars(
        select(LedgerAccount).where(
            LedgerAccount.kind.in_((AccountKind.INCOME.value, AccountKind.EXPENSE.value)),
            LedgerAccount.is_active,
        ).order_by(LedgerAccount.code)
    ).all()
    form.account.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(a.id), f"{a.code} {a.name}") for a in accounts]
    form.cost_centre.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), f"{c.code} {c.name}")
        for c in db.session.scalars(select(CostCentre).order_by(CostCentre.code))
    ]
    return form


def _budget_charts(rows: list[reports.BudgetRow], year: int) -> list[Chart]:
    """Budget beside actual per line, income and costs apart (bars left to right)."""
    charts = []
    for kind, title, description in (
        (AccountKind.INCOME, _("Income: budget versus actual"),
         _("Budgeted and actual income per account in %(year)s.", year=year)),
        (AccountKind.EXPENSE, _("Costs: budget versus actual"),
         _("Budgeted and actual costs per account in %(year)s.", year=year)),
    ):
        lines = [r for r in rows if r.kind == kind.value]
        if not lines:
            continue
        labels = [f"{r.code} {r.name}" + (f" ({r.cost_centre})" if r.cost_centre else "")
                  for r in lines]
        charts.append(bar_chart(
            title, description, labels,
            [Series(_("Budget"), [r.budget_cents for r in lines]),
             Series(_("Actual"), [r.actual_cents for r in lines])],
            unit="eur", horizontal=True, category_label=_("Account"),
        ))
    return charts


def _render_budgets(year: int, form: BudgetForm, status=200, start_month: int | None = None):
    start_month = start_month or get_organisation().fiscal_year_start_month
    start, end = fiscal_year_bounds(year, start_month)
    rows = reports.budget_vs_actual(year, start, end)
    fiscal_year = db.session.get(FiscalYear, year)
    return render_template(
        "ledger/budgets.html", rows=rows, form=form, year=year, start=start, end=end,
        charts=_budget_charts(rows, year),
        year_closed=fiscal_year is not None and fiscal_year.status == FiscalYearStatus.CLOSED,
        **_labels(),
    ), status


@bp.get("/budgets")
@require(Permission.FINANCE_READ)
def budgets():
    start_month = get_organisation().fiscal_year_start_month
    year = int_arg("year", low=2000)
    if year is None or year > 2100:
        year = fiscal_year_of(timeutil.local_today(), start_month)
    if request.args.get("format") in ("csv", "xlsx"):
        start, end = fiscal_year_bounds(year, start_month)
        header = [_("Code"), _("Account"), _("Cost centre"), _("Budget"), _("Actual"),
                  _("Difference")]
        return report_download(f"begroting-{year}", _("Budget"), header, [
            [r.code, r.name, r.cost_centre, _amount(r.budget_cents), _amount(r.actual_cents),
             _amount(r.difference_cents)]
            for r in reports.budget_vs_actual(year, start, end)
        ])
    return _render_budgets(year, _budget_form(year), start_month=start_month)


@bp.post("/budgets")
@require(Permission.FINANCE_WRITE)
def budget_set():
    form = _budget_form(timeutil.local_today().year, request.form)
    year = form.fiscal_year.data if isinstance(form.fiscal_year.data, int) else None
    if form.validate():
        account = (db.session.get(LedgerAccount, int(form.account.data))
                   if (form.account.data or "").isdigit() else None)
        centre = (db.session.get(CostCentre, int(form.cost_centre.data))
                  if (form.cost_centre.data or "").isdigit() else None)
        with refusal(form) as refused:
            services.set_budget(form.fiscal_year.data, account, form.amount.cents, centre)
        if not refused:
            flash(_("Budget saved."), "success")
            return redirect(url_for("ledger.budgets", year=form.fiscal_year.data))
    year = year if year and 2000 <= year <= 2100 else timeutil.local_today().year
    return _render_budgets(year, form, 422)


@bp.post("/budgets/<int:budget_id>/remove")
@require(Permission.FINANCE_WRITE)
def budget_remove(budget_id: int):
    budget = db.get_or_404(Budget, budget_id)
    year = budget.fiscal_year
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusal() as refused:
        services.remove_budget(budget)
    if refused:
        return _render_budgets(year, _budget_form(year), 422)
    flash(_("Budget line removed."), "success")
    return redirect(url_for("ledger.budgets", year=year))


@bp.get("/forecast")
@require(Permission.FINANCE_READ)
def forecast():
    today = timeutil.local_today()
    liquid, months = reports.cash_forecast(today)
    return render_template("ledger/forecast.html", liquid=liquid, months=months, today=today)
