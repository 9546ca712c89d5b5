"""KPI reports per funder agreement and period, their published versions, the funder
contacts' view of them, the JSON export (schema `schema/kpi-export-<version>.json`) and
the city-wide merge of several coops' exports."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import jsonschema
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from coop import audit, timeutil
from coop.activities.models import InitiativeKeyFigure, InitiativePartner, TheoryOfChange
from coop.charts import Series, bar_chart, line_chart
from coop.extensions import db
from coop.funders.models import Funder, FunderAgreement
from coop.kpis.models import FunderContact, KpiReport, KpiReportVersion, KpiUnit
from coop.kpis.services import Figure, KpiError, figures, progress
from coop.ledger.models import (
    AccountKind,
    EntrySource,
    EntryStatus,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from coop.locking import lock_row
from coop.pdf import render_pdf
from coop.settings.services import get_organisation
from coop.timeutil import utcnow
from coop.volunteers.models import Initiative

SCHEMA_VERSION = "1.0"
SCHEMA_DIR = Path(__file__).parent / "schema"
MAX_MERGE_FILES = 200


def schema(version: str = SCHEMA_VERSION) -> dict:
    return json.loads((SCHEMA_DIR / f"kpi-export-{version}.json").read_text("utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


# Money against the agreement ----------------------------------------------------------


@dataclass(frozen=True)
class Spending:
    budget_cents: int
    spent_in_period_cents: int
    spent_to_date_cents: int  # from the agreement's start to the period's end

    @property
    def remaining_cents(self) -> int:
        return self.budget_cents - self.spent_to_date_cents


def spending(agreement: FunderAgreement, start: date, end: date) -> Spending:
    """Costs booked on the agreement's journal lines (posted, no year close), as the
    funders' earmarked funds report them: one statement."""
    cost = JournalLine.debit_cents - JournalLine.credit_cents
    row = db.session.execute(
        select(func.sum(case((JournalEntry.entry_date >= start, cost), else_=0)),
               func.sum(cost))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.agreement_id == agreement.id,
               LedgerAccount.kind == AccountKind.EXPENSE.value,
               JournalEntry.status == EntryStatus.POSTED.value,
               JournalEntry.source != EntrySource.YEAR_CLOSE.value,
               JournalEntry.entry_date <= end)).one()
    return Spending(agreement.amount_cents, int(row[0] or 0), int(row[1] or 0))


# Reports ------------------------------------------------------------------------------


def check_period(agreement: FunderAgreement, start: date | None, end: date | None) -> None:
    if start is None or end is None:
        raise KpiError(_l("A report needs a period: enter its first and last day."),
                       "period_start" if start is None else "period_end")
    if end < start:
        raise KpiError(_l("The end of the period lies before its start."), "period_end")
    if start < agreement.start_date or end > agreement.end_date:
        raise KpiError(_l("The period lies outside the agreement's period (%(start)s to "
                          "%(end)s).", start=agreement.start_date.isoformat(),
                          end=agreement.end_date.isoformat()), "period_start")


def open_report(agreement: FunderAgreement, start: date | None, end: date | None,
                actor=None, initiative_id: int | None = None) -> KpiReport:
    """The report of the agreement over [start, end], made on first use; the initiative
    (its theory of change) is set or changed when given."""
    check_period(agreement, start, end)
    if initiative_id is not None and db.session.get(Initiative, initiative_id) is None:
        raise KpiError(_l("Choose one from the list."), "initiative")
    lock_row(FunderAgreement, agreement.id)
    report = db.session.scalar(select(KpiReport).where(
        KpiReport.agreement_id == agreement.id, KpiReport.period_start == start,
        KpiReport.period_end == end))
    if report is None:
        report = KpiReport(agreement_id=agreement.id, period_start=start, period_end=end)
        db.session.add(report)
        db.session.flush()
        audit.record("kpis:report:create", {"agreement": agreement.id,
                                            "start": start.isoformat(),
                                            "end": end.isoformat()}, obj=report, actor=actor)
    if initiative_id is not None:
        report.initiative_id = initiative_id
        db.session.flush()
    return report


def save_narrative(report: KpiReport, text: str | None, actor=None) -> None:
    text = (text or "").strip()
    if len(text) > 20000:
        raise KpiError(_l("At most %(n)s characters.", n=20000), "narrative")
    report.narrative = text or None
    db.session.flush()
    audit.record("kpis:report:narrative", {"length": len(text)}, obj=report, actor=actor)


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def figure_dict(figure: Figure) -> dict:
    return {"code": figure.code, "name": figure.name, "description": figure.description,
            "unit": figure.unit, "source": figure.source, "additive": figure.additive,
            "value": _number(figure.value),
            "months": [{"month": m, "value": _number(v)} for m, v in figure.months]}


def export(start: date, end: date) -> dict:
    """The machine-readable KPI figures of [start, end] (schema kpi-export-1.0)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "coop": {"name": get_organisation().name or "—"},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "kpis": [figure_dict(f) for f in figures(start, end)],
    }


def report_data(report: KpiReport, today: date | None = None) -> dict:
    """Everything a report shows, as plain values (the PDF template's context and the
    published version's JSON)."""
    agreement = db.session.get(FunderAgreement, report.agreement_id)
    funder = db.session.get(Funder, agreement.funder_id)
    data = export(report.period_start, report.period_end)
    targets = {}
    for item in progress(agreement, today or min(timeutil.local_today(), report.period_end)):
        if item.period_start <= report.period_end and item.period_end >= report.period_start:
            targets.setdefault(item.code, {
                "target": _number(item.target), "actual": _number(item.actual),
                "expected": _number(item.expected), "percent": item.percent,
                "behind": item.behind, "period_start": item.period_start.isoformat(),
                "period_end": item.period_end.isoformat()})
    money = spending(agreement, report.period_start, report.period_end)
    data.update({
        "theory_of_change": _theory_of_change(report.initiative_id),
        "agreement": {"id": agreement.id, "reference": agreement.reference,
                      "title": agreement.title, "funder": funder.name,
                      "start": agreement.start_date.isoformat(),
                      "end": agreement.end_date.isoformat()},
        "targets": targets,
        "money": {"budget_cents": money.budget_cents,
                  "spent_in_period_cents": money.spent_in_period_cents,
                  "spent_to_date_cents": money.spent_to_date_cents,
                  "remaining_cents": money.remaining_cents},
        "narrative": report.narrative or "",
    })
    return data


def _theory_of_change(initiative_id: int | None) -> dict | None:
    """The initiative's veranderverhaal, partners and key figures as plain values."""
    if initiative_id is None:
        return None
    initiative = db.session.get(Initiative, initiative_id)
    story = db.session.scalar(select(TheoryOfChange).where(
        TheoryOfChange.initiative_id == initiative_id))
    partners = db.session.execute(
        select(InitiativePartner.name, InitiativePartner.role)
        .where(InitiativePartner.initiative_id == initiative_id)
        .order_by(InitiativePartner.role, InitiativePartner.name)).all()
    key_figures = db.session.execute(
        select(InitiativeKeyFigure.value, InitiativeKeyFigure.label)
        .where(InitiativeKeyFigure.initiative_id == initiative_id)
        .order_by(InitiativeKeyFigure.position, InitiativeKeyFigure.id)).all()
    return {
        "initiative": initiative.name,
        "target_group": TheoryOfChange.points(story.target_group if story else ""),
        "approach": TheoryOfChange.points(story.approach if story else ""),
        "direct_effects": TheoryOfChange.points(story.direct_effects if story else ""),
        "indirect_contributions": TheoryOfChange.points(
            story.indirect_contributions if story else ""),
        "partners": [{"name": name, "role": role} for name, role in partners],
        "key_figures": [{"value": value, "label": label} for value, label in key_figures],
    }


CHART_UNITS = {KpiUnit.COUNT: "count", KpiUnit.HOURS: "hours", KpiUnit.FTE: "hours",
               KpiUnit.MONEY: "eur"}


def _chart_values(chart, pdf: bool) -> dict:
    return {"svg": chart.pdf_svg if pdf else chart.svg, "head": chart.head,
            "rows": chart.rows, "title": chart.title}


def report_charts(data: dict, pdf: bool = True) -> list[dict]:
    """Per KPI with a figure: its trend per month, and target versus actual where the
    agreement sets a target (charts15's component), as plain values."""
    result = []
    for kpi in data["kpis"]:
        if kpi["value"] is None:
            continue
        unit = CHART_UNITS.get(kpi["unit"], "count")
        months = [m["month"] for m in kpi["months"]]
        trend = line_chart(
            kpi["name"], _("%(kpi)s per month, %(start)s to %(end)s.", kpi=kpi["name"],
                            start=data["period"]["start"], end=data["period"]["end"]),
            [date(int(m[:4]), int(m[5:]), 1) for m in months],
            [Series(kpi["name"], [m["value"] for m in kpi["months"]])], unit=unit,
            period_label=_("Month"))
        charts = [_chart_values(trend, pdf)]
        target = data["targets"].get(kpi["code"])
        if target:
            versus = bar_chart(
                _("%(kpi)s: target versus actual", kpi=kpi["name"]),
                _("Target %(start)s to %(end)s, the part due by now, and the actual "
                   "figure.", start=target["period_start"], end=target["period_end"]),
                [_("Target"), _("Due by now"), _("Actual")],
                [Series(kpi["name"], [target["target"], target["expected"],
                                      target["actual"]])],
                unit=unit, horizontal=True, category_label=_("Figure"))
            charts.append(_chart_values(versus, pdf))
        result.append({"code": kpi["code"], "charts": charts})
    return result


def render_report_pdf(data: dict) -> bytes:
    return render_pdf("pdf/kpi_report.html", data=data, charts=report_charts(data))


def publish(report: KpiReport, actor=None) -> KpiReportVersion:
    """Store the report as it stands now as a new version: its figures as JSON and its
    PDF bytes, never changed afterwards."""
    lock_row(KpiReport, report.id)
    last = db.session.scalar(select(func.max(KpiReportVersion.version)).where(
        KpiReportVersion.report_id == report.id)) or 0
    data = report_data(report)
    data["version"] = last + 1
    version = KpiReportVersion(
        report_id=report.id, version=last + 1,
        published_by_id=audit.acting_user_id(actor),
        figures_json=json.dumps(data, ensure_ascii=False, sort_keys=True),
        pdf=render_report_pdf(data))
    db.session.add(version)
    db.session.flush()
    audit.record("kpis:report:publish", {"report": report.id, "version": last + 1},
                 obj=version, actor=actor)
    return version


def versions(report_id: int) -> list[KpiReportVersion]:
    return list(db.session.scalars(
        select(KpiReportVersion).where(KpiReportVersion.report_id == report_id)
        .order_by(KpiReportVersion.version.desc())))


# Funder contacts ----------------------------------------------------------------------


def funder_of(user_id: int) -> int | None:
    return db.session.scalar(select(FunderContact.funder_id).where(
        FunderContact.user_id == user_id))


def link_contact(user, funder: Funder | None, actor=None) -> FunderContact:
    if funder is None:
        raise KpiError(_l("Choose the funder."), "funder")
    row = db.session.scalar(select(FunderContact).where(FunderContact.user_id == user.id))
    if row is None:
        row = FunderContact(user_id=user.id, funder_id=funder.id)
        db.session.add(row)
    else:
        row.funder_id = funder.id
    db.session.flush()
    audit.record("kpis:contact:link", {"user": user.id, "funder": funder.id}, obj=row,
                 actor=actor)
    return row


def published_for_funder(funder_id: int | None) -> list[tuple]:
    """(version, report, agreement) of every published version of the funder's
    agreements, newest first; nothing without a funder."""
    if funder_id is None:
        return []
    return db.session.execute(
        select(KpiReportVersion.id, KpiReportVersion.version, KpiReportVersion.published_at,
               KpiReport.period_start, KpiReport.period_end, FunderAgreement.reference,
               FunderAgreement.title)
        .join(KpiReport, KpiReport.id == KpiReportVersion.report_id)
        .join(FunderAgreement, FunderAgreement.id == KpiReport.agreement_id)
        .where(FunderAgreement.funder_id == funder_id)
        .order_by(KpiReport.period_end.desc(), KpiReportVersion.version.desc())).all()


def version_for_funder(version_id: int, funder_id: int | None) -> KpiReportVersion | None:
    """The version when it belongs to one of the funder's agreements, else None."""
    if funder_id is None:
        return None
    return db.session.scalar(
        select(KpiReportVersion)
        .join(KpiReport, KpiReport.id == KpiReportVersion.report_id)
        .join(FunderAgreement, and_(FunderAgreement.id == KpiReport.agreement_id,
                                    FunderAgreement.funder_id == funder_id))
        .where(KpiReportVersion.id == version_id))


# Merge --------------------------------------------------------------------------------


class MergeError(KpiError):
    default_field = "files"


def load_export(raw: bytes | str, name: str) -> dict:
    """Parse and validate one export; MergeError names the file and what is wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MergeError(_l("%(name)s is not a JSON file.", name=name)) from None
    if not isinstance(data, dict):
        raise MergeError(_l("%(name)s is not a KPI export.", name=name))
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise MergeError(_l("%(name)s uses schema version %(version)s; this app reads "
                            "version %(ours)s only.", name=name, version=str(version)[:20],
                            ours=SCHEMA_VERSION))
    errors = sorted(_validator().iter_errors(data),
                    key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "—"
        raise MergeError(_l("%(name)s does not follow the schema (at %(where)s).",
                            name=name, where=where))
    return data


@dataclass
class MergedKpi:
    code: str
    name: str
    unit: str
    additive: bool
    per_coop: list  # value per coop, in the coops' order
    total: float | int | None  # None when not additive


@dataclass
class Merged:
    period: dict
    coops: list[str]
    kpis: list[MergedKpi]


def merge(exports: list[tuple[str, bytes | str]]) -> Merged:
    """Merge several coops' exports of one period: sums where a KPI is additive.
    Refused: no files, a malformed or foreign-schema file, different periods, or one
    KPI code with a different definition (unit or additivity) in two files."""
    if len(exports) < 1:
        raise MergeError(_l("Choose at least one export file."))
    if len(exports) > MAX_MERGE_FILES:
        raise MergeError(_l("At most %(n)s files at once.", n=MAX_MERGE_FILES))
    loaded = [(name, load_export(raw, name)) for name, raw in exports]
    period = loaded[0][1]["period"]
    definitions: dict[str, tuple[str, str, bool, str]] = {}
    order: list[str] = []
    for name, data in loaded:
        if data["period"] != period:
            raise MergeError(_l("%(name)s covers %(start)s to %(end)s, the others %(s0)s to "
                                "%(e0)s: merge exports of one period.", name=name,
                                start=data["period"]["start"], end=data["period"]["end"],
                                s0=period["start"], e0=period["end"]))
        for kpi in data["kpis"]:
            known = definitions.get(kpi["code"])
            mine = (kpi["unit"], kpi["additive"])
            if known is None:
                definitions[kpi["code"]] = (*mine, kpi["name"], name)
                order.append(kpi["code"])
            elif known[:2] != mine:
                raise MergeError(_l("The KPI %(code)s has a different definition in "
                                    "%(name)s than in %(other)s (unit or whether it adds "
                                    "up).", code=kpi["code"], name=name, other=known[3]))
    result = []
    for code in order:
        unit, additive, kpi_name, _file = definitions[code]
        values = []
        for _name, data in loaded:
            values.append(next((k["value"] for k in data["kpis"] if k["code"] == code), None))
        present = [v for v in values if v is not None]
        total = None
        if additive and present:
            total = sum(Decimal(str(v)) for v in present)
            total = int(total) if total == total.to_integral_value() else float(total)
        result.append(MergedKpi(code, kpi_name, unit, additive, values, total))
    return Merged(period, [data["coop"]["name"] for _n, data in loaded], result)


def money_unit(unit: str) -> bool:
    return unit == KpiUnit.MONEY
