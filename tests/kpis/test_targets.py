"""Targets per agreement and period: progress and the behind-schedule warning, and the
targets refused."""

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from coop import timeutil
from coop.extensions import db
from coop.kpis import services as kpis
from coop.kpis.models import KpiDefinition, KpiTarget
from coop.kpis.services import KpiError


def _kpi(code):
    return db.session.query(KpiDefinition).filter_by(code=code).one()


@pytest.fixture
def end_of_march(monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 3, 31))


def test_progress_and_the_pro_rata_warning(small_coop, make_agreement, end_of_march):
    agreement = make_agreement()  # 2026-01-01 to 2026-12-31
    year = (date(2026, 1, 1), date(2026, 12, 31))
    kpis.add_target(agreement, _kpi("volunteer_hours"), *year, "36")
    kpis.add_target(agreement, _kpi("volunteers_active"), *year, "2")
    kpis.add_target(agreement, _kpi("donations"), *year, "100,00")  # euros
    db.session.commit()
    rows = {p.code: p for p in kpis.progress(agreement)}
    hours = rows["volunteer_hours"]
    # 90 of 365 days gone: 36 × 90 / 365 = 8,88 hours due; 6,5 done.
    assert (hours.actual, hours.expected, hours.percent) == (
        Decimal("6.5"), Decimal("8.88"), 18)
    assert hours.behind
    assert not rows["volunteers_active"].behind and rows["volunteers_active"].percent == 100
    donations = rows["donations"]
    assert donations.target == 10000  # cents
    assert donations.actual == 4200 and not donations.behind  # 2466 due by now
    behind = kpis.behind_schedule()
    assert [(label, p.code) for label, p in behind] == [(agreement.label, "volunteer_hours")]


def test_the_warning_shows_on_the_kpi_page(small_coop, make_agreement, end_of_march, client,
                                           login_as, make_user):
    agreement = make_agreement()
    kpis.add_target(agreement, _kpi("volunteer_hours"), date(2026, 1, 1),
                    date(2026, 12, 31), "36")
    db.session.commit()
    login_as(make_user(roles=["board"]))
    page = client.get("/kpis/").get_data(as_text=True)
    assert "kpi-behind" in page and "Vrijwilligersuren" in page
    page = client.get(f"/kpis/agreements/{agreement.id}").get_data(as_text=True)
    assert "8,88" in page and "6,5" in page


def test_no_warning_before_the_period_begins(small_coop, make_agreement, end_of_march):
    agreement = make_agreement()
    kpis.add_target(agreement, _kpi("volunteer_hours"), date(2026, 7, 1),
                    date(2026, 12, 31), "36")
    [row] = kpis.progress(agreement)
    assert row.expected == 0 and not row.behind


@pytest.mark.parametrize(("start", "end", "target", "field", "message"), [
    (None, date(2026, 12, 31), "5", "period_start", "needs a period"),
    (date(2026, 1, 1), None, "5", "period_end", "needs a period"),
    (date(2026, 6, 1), date(2026, 5, 1), "5", "period_end", "before its start"),
    (date(2025, 12, 1), date(2026, 5, 1), "5", "period_start", "outside the agreement"),
    (date(2026, 1, 1), date(2027, 1, 1), "5", "period_start", "outside the agreement"),
    (date(2026, 1, 1), date(2026, 12, 31), "-5", "target", "0 or more"),
    (date(2026, 1, 1), date(2026, 12, 31), "", "target", "required"),
])
def test_bad_targets_are_refused(small_coop, make_agreement, start, end, target, field,
                                 message):
    agreement = make_agreement()
    with pytest.raises(KpiError) as refused:
        kpis.add_target(agreement, _kpi("members"), start, end, target)
    assert refused.value.field == field
    with force_locale("en"):
        assert message in str(refused.value.message)
    db.session.rollback()
    assert db.session.query(KpiTarget).count() == 0


def test_a_second_target_for_the_same_period_is_refused(small_coop, make_agreement):
    agreement = make_agreement()
    kpis.add_target(agreement, _kpi("members"), date(2026, 1, 1), date(2026, 12, 31), "5")
    with pytest.raises(KpiError) as refused:
        kpis.add_target(agreement, _kpi("members"), date(2026, 1, 1), date(2026, 12, 31), "6")
    assert refused.value.field == "kpi"


def test_a_target_without_a_period_is_refused_in_the_form(small_coop, make_agreement, client,
                                                          login_as, make_user):
    agreement = make_agreement()
    login_as(make_user(roles=["board"]))
    response = client.post(f"/kpis/agreements/{agreement.id}/targets", data={
        "kpi": str(_kpi("members").id), "period_start": "", "period_end": "",
        "target": "5"})
    assert response.status_code == 422
    assert "periode" in response.get_data(as_text=True)  # Dutch message at the field
    assert db.session.query(KpiTarget).count() == 0
