"""KPI reports: figures, money against the budget, the PDF, publication (versions stay
unchanged when the data changes), the JSON export against its schema, the merge."""

import io
import json
from datetime import date

import jsonschema
import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from coop import timeutil
from coop.extensions import db
from coop.kpis import reports
from coop.kpis import services as kpis
from coop.kpis.models import KpiDefinition, KpiReport, KpiReportVersion
from coop.kpis.services import KpiError
from coop.volunteers.models import HourEntry
from tests.funders.conftest import post_cost


def _kpi(code):
    return db.session.query(KpiDefinition).filter_by(code=code).one()


def _pdf_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("\xa0", " ").split())


@pytest.fixture
def q1_report(small_coop, make_agreement, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 4, 15))
    agreement = make_agreement(amount_cents=2_400_000)
    kpis.add_target(agreement, _kpi("volunteer_hours"), date(2026, 1, 1), date(2026, 3, 31),
                    "10")
    post_cost(50_000, agreement=agreement, day=date(2026, 2, 1))
    post_cost(20_000, agreement=agreement, day=date(2026, 5, 1))  # after the period
    report = reports.open_report(agreement, date(2026, 1, 1), date(2026, 3, 31))
    reports.save_narrative(report, "De huiskamer draait.\n\nMeer bewoners doen mee.")
    db.session.commit()
    return report


def test_report_figures_money_and_targets(q1_report):
    data = reports.report_data(q1_report)
    figures = {k["code"]: k for k in data["kpis"]}
    assert figures["volunteer_hours"]["value"] == 6.5
    assert figures["participants"]["months"] == [
        {"month": "2026-01", "value": 10}, {"month": "2026-02", "value": 6},
        {"month": "2026-03", "value": 0}]
    assert data["targets"]["volunteer_hours"]["target"] == 10
    assert data["targets"]["volunteer_hours"]["behind"]  # 6,5 of 10 by the end
    assert data["money"] == {"budget_cents": 2_400_000, "spent_in_period_cents": 50_000,
                             "spent_to_date_cents": 50_000, "remaining_cents": 2_350_000}


def test_a_report_period_outside_the_agreement_is_refused(small_coop, make_agreement):
    agreement = make_agreement()
    for start, end, field in [(date(2025, 12, 1), date(2026, 3, 31), "period_start"),
                              (date(2026, 1, 1), None, "period_end"),
                              (date(2026, 3, 1), date(2026, 2, 1), "period_end")]:
        with pytest.raises(KpiError) as refused:
            reports.open_report(agreement, start, end)
        assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(KpiReport).count() == 0


def test_the_pdf_has_the_figures_targets_money_and_narrative(q1_report):
    text = _pdf_text(reports.render_report_pdf(reports.report_data(q1_report)))
    for expected in ("Beschikking 2026-0102", "Subsidie huiskamer", "De huiskamer draait",
                     "Vrijwilligersuren", "6,5", "Deelnemers", "16", "€ 24.000,00",
                     "€ 500,00"):
        assert expected in text, expected


def test_published_versions_stay_unchanged_when_the_data_changes(q1_report):
    first = reports.publish(q1_report)
    db.session.commit()
    first_json, first_pdf = first.figures_json, first.pdf
    assert json.loads(first_json)["version"] == 1
    # More hours are approved afterwards; the published figure stays what it was.
    entry = db.session.query(HourEntry).filter_by(work_date=date(2026, 1, 10)).one()
    entry.quarter_hours = 40
    db.session.commit()
    stored = db.session.get(KpiReportVersion, first.id)
    assert (stored.figures_json, stored.pdf) == (first_json, first_pdf)
    second = reports.publish(q1_report)  # the correction: a new version beside it
    db.session.commit()
    assert second.version == 2
    figures = {k["code"]: k["value"] for k in json.loads(second.figures_json)["kpis"]}
    assert figures["volunteer_hours"] == 14.5
    old = {k["code"]: k["value"] for k in json.loads(stored.figures_json)["kpis"]}
    assert old["volunteer_hours"] == 6.5
    assert [v.version for v in reports.versions(q1_report.id)] == [2, 1]


def test_the_export_follows_its_schema(q1_report):
    data = reports.export(date(2026, 1, 1), date(2026, 3, 31))
    jsonschema.validate(data, reports.schema())
    assert data["schema_version"] == "1.0"
    assert {k["code"] for k in data["kpis"]} >= {"members", "participants", "jobs_coop"}


def _coop_export(name, value, **changes):
    data = {"schema_version": "1.0", "coop": {"name": name},
            "period": {"start": "2026-01-01", "end": "2026-12-31"},
            "generated_at": "2026-12-03T10:00:00",
            "kpis": [
                {"code": "participants", "name": "Deelnemers", "unit": "count",
                 "source": "derived", "additive": True, "value": value, "months": []},
                {"code": "visitors_per_day", "name": "Vaste bezoekers per dag",
                 "unit": "count", "source": "derived", "additive": False, "value": 12,
                 "months": []},
                {"code": "donations", "name": "Donaties", "unit": "money",
                 "source": "derived", "additive": True, "value": 1050, "months": []},
            ]}
    data.update(changes)
    return json.dumps(data).encode()


def test_merge_sums_what_adds_up(app):
    merged = reports.merge([("oost.json", _coop_export("Oost voor Elkaar", 120)),
                            ("noord.json", _coop_export("Griftstroom", 80))])
    rows = {k.code: k for k in merged.kpis}
    assert merged.coops == ["Oost voor Elkaar", "Griftstroom"]
    assert rows["participants"].total == 200
    assert rows["donations"].total == 2100
    assert rows["visitors_per_day"].total is None  # not additive: no sum
    assert rows["visitors_per_day"].per_coop == [12, 12]


def _refusal(files) -> str:
    with pytest.raises(KpiError) as refused, force_locale("en"):
        reports.merge(files)
    with force_locale("en"):
        return str(refused.value.message)


def test_merge_refuses_what_does_not_fit(app):
    good = ("oost.json", _coop_export("Oost", 1))
    assert "schema version 2.0" in _refusal(
        [good, ("x.json", _coop_export("X", 1, schema_version="2.0"))])
    assert "x.json is not a JSON file" in _refusal([good, ("x.json", b"{not json")])
    assert "does not follow the schema" in _refusal(
        [good, ("x.json", _coop_export("X", -5))])
    assert "covers 2025-01-01" in _refusal(
        [good, ("x.json", _coop_export("X", 1, period={"start": "2025-01-01",
                                                        "end": "2025-12-31"}))])
    other = json.loads(_coop_export("X", 1))
    other["kpis"][0]["unit"] = "hours"
    assert "different definition" in _refusal([good, ("x.json", json.dumps(other).encode())])
    assert "at least one" in _refusal([])


def test_merge_page_and_command(app, client, login_as, make_user, tmp_path):
    login_as(make_user(roles=["board"]))
    response = client.post("/kpis/merge", data={"files": [
        (io.BytesIO(_coop_export("Oost", 120)), "oost.json"),
        (io.BytesIO(_coop_export("Noord", 80)), "noord.json")]},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "200" in response.get_data(as_text=True)
    response = client.post("/kpis/merge", data={"files": [
        (io.BytesIO(b"[]"), "kapot.json")]}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "kapot.json" in response.get_data(as_text=True)
    one, two = tmp_path / "oost.json", tmp_path / "noord.json"
    one.write_bytes(_coop_export("Oost", 120))
    two.write_bytes(_coop_export("Noord", 80))
    result = app.test_cli_runner().invoke(args=["coop", "merge-kpis", str(one), str(two)])
    assert result.exit_code == 0, result.output
    assert "participants" in result.output and "200" in result.output
    two.write_bytes(b"{")
    result = app.test_cli_runner().invoke(args=["coop", "merge-kpis", str(one), str(two)])
    assert result.exit_code != 0 and "noord.json" in result.output


def test_every_kpi_with_a_figure_has_its_charts_with_accessible_text(q1_report):
    data = reports.report_data(q1_report)
    charts = {item["code"]: item["charts"] for item in reports.report_charts(data, pdf=False)}
    assert set(charts) == {k["code"] for k in data["kpis"] if k["value"] is not None}
    [trend, versus] = charts["volunteer_hours"]  # a target: target versus actual too
    assert 'role="img"' in trend["svg"] and "<title>Vrijwilligersuren</title>" in trend["svg"]
    assert trend["rows"] == [["jan 2026", "2"], ["feb 2026", "4,5"], ["mrt 2026", "0"]]
    assert "doel en werkelijkheid" in versus["title"]
    assert [row[1] for row in versus["rows"]] == ["10", "10", "6,5"]  # due: the whole period
    assert len(charts["participants"]) == 1  # no target, a trend only
    text = _pdf_text(reports.render_report_pdf(data))
    assert "De cijfers door de tijd" in text and "Vrijwilligersuren: doel en werkelijkheid" in text
    assert "feb 2026" in text  # the numbers beside each chart
