"""Funders, agreements, reporting deadlines, the revenue stream overview and the
earmarked funds. Reading needs FINANCE_READ (board, treasurer, kascommissie); changes
FINANCE_WRITE (the treasurer, with two-factor)."""

from decimal import ROUND_HALF_EVEN, Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import SelectChoice

from coop import timeutil
from coop.args import int_arg
from coop.charts import Chart, share_chart
from coop.extensions import db
from coop.fiscal import fiscal_year_bounds, fiscal_year_of
from coop.funders import services
from coop.funders.forms import (
    AGREEMENT_KIND_LABELS,
    FUNDER_KIND_LABELS,
    AgreementForm,
    DeadlineForm,
    FunderForm,
    SubmittedForm,
)
from coop.funders.models import Funder, FunderAgreement, ReportingDeadline
from coop.ledger.forms import CATEGORY_LABELS
from coop.ledger.models import CostCentre, FiscalYear, JournalEntry, JournalLine, LedgerAccount
from coop.money import cents_to_decimal
from coop.permissions import Permission, require
from coop.settings.services import get_organisation
from coop.spreadsheets import report_download
from coop.web import refusal

bp = Blueprint("funders", __name__, url_prefix="/finance/funders")

LINES_SHOWN = 100


def _labels() -> dict:
    return {"funder_kinds": FUNDER_KIND_LABELS, "agreement_kinds": AGREEMENT_KIND_LABELS,
            "category_labels": CATEGORY_LABELS}


def _year() -> tuple[int, object, object]:
    start_month = get_organisation().fiscal_year_start_month
    year = int_arg("year", low=2000)
    if year is None or year > 2100:
        year = fiscal_year_of(timeutil.local_today(), start_month)
    start, end = fiscal_year_bounds(year, start_month)
    return year, start, end


def _years(current: int) -> list[int]:
    years = set(db.session.scalars(select(FiscalYear.year)))
    years.add(current)
    return sorted(years, reverse=True)


# Funders ------------------------------------------------------------------------------


@bp.get("/")
@require(Permission.FINANCE_READ)
def index():
    funders = db.session.execute(
        select(Funder, func.count(FunderAgreement.id))
        .outerjoin(FunderAgreement, FunderAgreement.funder_id == Funder.id)
        .group_by(Funder.id).order_by(Funder.name)
    ).all()
    return render_template(
        "funders/index.html", funders=funders,
        agreements=services.earmarks(),
        deadlines=services.deadlines_needing_attention(timeutil.local_today()),
        today=timeutil.local_today(), **_labels(),
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def funder_new():
    form = FunderForm()
    if request.method == "POST":
        if form.validate():
            with refusal(form) as refused:
                funder = services.create_funder({name: form[name].data for name in (
                    "name", "kind", "contact_name", "contact_email")})
            if not refused:
                flash(_("Funder added."), "success")
                return redirect(url_for("funders.funder", funder_id=funder.id))
        return render_template("funders/funder_form.html", form=form), 422
    return render_template("funders/funder_form.html", form=form)


@bp.get("/<int:funder_id>")
@require(Permission.FINANCE_READ)
def funder(funder_id: int):
    funder = db.get_or_404(Funder, funder_id)
    return render_template("funders/funder.html", funder=funder,
                           agreements=services.earmarks(funder_id=funder.id), **_labels())


# Agreements ---------------------------------------------------------------------------


def _agreement_form(agreement: FunderAgreement | None) -> AgreementForm:
    form = AgreementForm(formdata=request.form if request.method == "POST" else None,
                         obj=agreement)
    funders = db.session.scalars(select(Funder).order_by(Funder.name)).all()
    centres = db.session.scalars(
        select(CostCentre).where(CostCentre.is_active).order_by(CostCentre.code)).all()
    form.funder.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(f.id), f.name) for f in funders]
    form.cost_centre.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), f"{c.code} {c.name}") for c in centres]
    if request.method != "POST":
        if agreement is not None:
            form.funder.data = str(agreement.funder_id)
            form.cost_centre.data = str(agreement.cost_centre_id or "")
            form.amount.data = f"{agreement.amount_cents / 100:.2f}".replace(".", ",")
        else:
            form.funder.data = request.args.get("funder", "")
    return form


def _get(model, raw):
    try:
        return db.session.get(model, int(raw)) if raw else None
    except (TypeError, ValueError):
        return None


def _save_agreement(agreement: FunderAgreement | None):
    form = _agreement_form(agreement)
    template = "funders/agreement_form.html"
    if request.method != "POST":
        return render_template(template, form=form, agreement=agreement)
    if form.validate():
        values = {
            "funder": _get(Funder, form.funder.data),
            "kind": form.kind.data, "reference": form.reference.data,
            "title": form.title.data, "amount_cents": form.amount.cents,
            "start_date": form.start_date.data, "end_date": form.end_date.data,
            "cost_centre": _get(CostCentre, form.cost_centre.data),
            "earmark": form.earmark.data, "conditions": form.conditions.data,
        }
        with refusal(form) as refused:
            if agreement is None:
                agreement = services.create_agreement(values)
            else:
                services.update_agreement(agreement, values)
        if not refused:
            flash(_("Agreement saved."), "success")
            return redirect(url_for("funders.agreement", agreement_id=agreement.id))
    return render_template(template, form=form, agreement=agreement), 422


@bp.route("/agreements/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def agreement_new():
    return _save_agreement(None)


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def agreement_edit(agreement_id: int):
    return _save_agreement(db.get_or_404(FunderAgreement, agreement_id))


def _render_agreement(agreement: FunderAgreement, deadline_form=None, status=200):
    lines = db.session.execute(
        select(JournalLine, JournalEntry, LedgerAccount)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.agreement_id == agreement.id)
        .order_by(JournalEntry.entry_date.desc(), JournalLine.id.desc())
        .limit(LINES_SHOWN)
    ).all()
    deadlines = db.session.scalars(
        select(ReportingDeadline).where(ReportingDeadline.agreement_id == agreement.id)
        .order_by(ReportingDeadline.due_date, ReportingDeadline.id)).all()
    return render_template(
        "funders/agreement.html", agreement=agreement,
        funder=db.session.get(Funder, agreement.funder_id),
        centre=db.session.get(CostCentre, agreement.cost_centre_id)
        if agreement.cost_centre_id else None,
        money=services.earmark_of(agreement), lines=lines, lines_shown=LINES_SHOWN,
        deadlines=deadlines, today=timeutil.local_today(),
        deadline_form=deadline_form or DeadlineForm(formdata=None),
        submitted_form=SubmittedForm(formdata=None, submitted_on=timeutil.local_today()),
        **_labels(),
    ), status


@bp.get("/agreements/<int:agreement_id>")
@require(Permission.FINANCE_READ)
def agreement(agreement_id: int):
    return _render_agreement(db.get_or_404(FunderAgreement, agreement_id))


@bp.post("/agreements/<int:agreement_id>/deadlines")
@require(Permission.FINANCE_WRITE)
def deadline_add(agreement_id: int):
    agreement = db.get_or_404(FunderAgreement, agreement_id)
    form = DeadlineForm()
    if form.validate():
        with refusal(form) as refused:
            services.add_deadline(agreement, form.due_date.data, form.description.data)
        if not refused:
            flash(_("Reporting deadline added."), "success")
            return redirect(url_for("funders.agreement", agreement_id=agreement.id))
    return _render_agreement(agreement, deadline_form=form, status=422)


@bp.post("/deadlines/<int:deadline_id>/submitted")
@require(Permission.FINANCE_WRITE)
def deadline_submitted(deadline_id: int):
    deadline = db.get_or_404(ReportingDeadline, deadline_id)
    form = SubmittedForm()
    if not form.validate():
        flash(_("Enter the date the report was sent."), "error")
    else:
        with refusal() as refused:
            services.mark_submitted(deadline, form.submitted_on.data, today=timeutil.local_today())
        if not refused:
            flash(_("Report marked as sent."), "success")
    return redirect(url_for("funders.agreement", agreement_id=deadline.agreement_id))


# Overviews ----------------------------------------------------------------------------


def _percent(cents: int, total: int) -> Decimal | None:
    """A share of the total income in percent with one decimal, as the page shows it."""
    if total <= 0:
        return None
    return (Decimal(cents) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def _revenue_rows(overview: services.RevenueOverview) -> list[list]:
    """The overview as one table: the totals, each stream, each funder. The HHI is a
    number in the amount column of its own row (it is no amount, but a spreadsheet user
    finds it there beside its label)."""
    total = overview.total_cents
    largest = overview.largest
    rows = [
        [_("Total income"), "", cents_to_decimal(total), None, None],
        [_("From funders"), "", cents_to_decimal(overview.funders_cents), None,
         _percent(overview.funders_cents, total)],
        [_("Largest funder"), largest.name if largest else "",
         cents_to_decimal(largest.cents) if largest else None, None,
         _percent(largest.cents, total) if largest else None],
        [_("Concentration index (HHI, 0–10,000)"), "", overview.hhi, None, None],
    ]
    rows += [
        [_("Stream"), str(CATEGORY_LABELS.get(category, category)), cents_to_decimal(cents),
         cents_to_decimal(overview.own_by_stream.get(category, 0)), _percent(cents, total)]
        for category, cents in sorted(overview.by_stream.items())
    ]
    rows += [[_("Funder"), f.name, cents_to_decimal(f.cents), None, _percent(f.cents, total)]
             for f in overview.funders]
    return rows


def _revenue_charts(overview: services.RevenueOverview, year: int) -> list[Chart]:
    """Income per stream and the funders' shares of all income, as donuts."""
    if overview.total_cents <= 0:
        return []
    streams = sorted(overview.by_stream.items(), key=lambda item: (-item[1], item[0]))
    stream_chart = share_chart(
        _("Income per stream"),
        _("Share of each stream in the income of %(year)s.", year=year),
        [(str(CATEGORY_LABELS.get(category, category)), cents)
         for category, cents in streams if cents > 0],
        part_label=_("Stream"),
    )
    parts = [(f.name, f.cents) for f in overview.funders if f.cents > 0]
    own = overview.total_cents - overview.funders_cents
    if own > 0:
        parts.append((_("Income from no agreement"), own))
    funder_chart = share_chart(
        _("Funder shares"),
        _("Share of each funder in all income of %(year)s, beside the income from no "
          "agreement.", year=year),
        parts,
        part_label=_("Funder"),
    )
    return [stream_chart, funder_chart]


@bp.get("/revenue")
@require(Permission.FINANCE_READ)
def revenue():
    year, start, end = _year()
    overview = services.revenue_overview(start, end)
    header = [_("Part"), _("Name"), _("Income"), _("Of which from no agreement"),
              _("Share of all income (%)")]
    export = report_download(f"inkomstenbronnen-{year}", _("Revenue streams"), header,
                             _revenue_rows(overview))
    return export or render_template("funders/revenue.html", overview=overview, year=year,
                                     years=_years(year),
                                     charts=_revenue_charts(overview, year),
                                     hhi_spread_below=services.HHI_SPREAD_BELOW,
                                     hhi_concentrated_above=services.HHI_CONCENTRATED_ABOVE,
                                     **_labels())


@bp.get("/earmarks")
@require(Permission.FINANCE_READ)
def earmarks():
    year, start, end = _year()
    return render_template("funders/earmarks.html", rows=services.earmarks(start, end),
                           year=year, years=_years(year), start=start, end=end, **_labels())
