"""Every derived KPI against hand-counted figures of the small coop (conftest), entered
figures, and the bad input of entering them."""

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from coop import timeutil
from coop.extensions import db
from coop.kpis import services as kpis
from coop.kpis.models import KpiDefinition
from coop.kpis.services import KpiError


def _by_code(start, end):
    return {f.code: f for f in kpis.figures(start, end)}


def _kpi(code):
    return db.session.query(KpiDefinition).filter_by(code=code).one()


# (code, Q1 2026 total, January, February, March) counted by hand from conftest.
EXPECTED_Q1 = [
    ("volunteer_hours", "6.5", "2", "4.5", "0"),  # only approved hours, 2026 only
    ("volunteers_active", "2", "1", "2", "0"),
    ("allowances_used", "1", "1", "1", "0"),  # a cost reimbursement alone is none
    ("members", "3", "2", "2", "3"),  # on the last day; an aspirant is no member
    ("jobs_coop", "2", "2", "2", "2"),
    ("jobs_partners", "1", "0", "1", "1"),
    ("fte", "2.06", "1.06", "2.06", "2.06"),  # (20 + 18 + 36) h / 36 h
    ("donations", "4200", "2500", "1700", "0"),  # cents
    ("donors", "2", "1", "2", "0"),  # one address in two cases, one without address
    ("activities", "2", "1", "1", "0"),  # a planned one is not held
    ("participants", "16", "10", "6", "0"),
    ("new_participants", "5", "4", "1", "0"),
    ("activities_by_residents", "1", "1", "0", "0"),
    ("events", "2", "0", "1", "1"),
    ("events_sponsored_amount", "15000", "0", "0", "15000"),
    ("experts_peer_groups", "5", "3", "2", "0"),
    ("family_network_meetings", "4", "0", "0", "4"),
    ("meeting_places", "2", "2", "2", "2"),  # an inactive place is not counted
    ("opening_days", "5", "5", "5", "5"),
    ("visitors_per_day", "25", "20", "30", "0"),  # the period: the mean of its months
    ("bar_turnover", "75000", "30000", "45000", "0"),
]


@pytest.mark.parametrize(("code", "total", "january", "february", "march"), EXPECTED_Q1)
def test_derived_figures_match_the_hand_count(small_coop, code, total, january, february,
                                               march):
    figure = _by_code(date(2026, 1, 1), date(2026, 3, 31))[code]
    assert figure.source == "derived"
    assert figure.value == Decimal(total)
    assert [value for _month, value in figure.months] == [
        Decimal(january), Decimal(february), Decimal(march)]
    assert [month for month, _value in figure.months] == ["2026-01", "2026-02", "2026-03"]


def test_stock_figures_on_the_last_day_of_the_year(small_coop):
    figures = _by_code(date(2026, 1, 1), date(2026, 12, 31))
    assert figures["members"].value == 2  # the June leaver is gone
    assert figures["jobs_coop"].value == 1
    assert figures["fte"].value == Decimal("1.56")  # (20 + 36) / 36
    assert figures["volunteer_hours"].value == Decimal("6.5")


def _entered_kpis():
    return (kpis.create_definition({"name": "Buurtmaaltijden", "code": "meals",
                                    "unit": "count", "additive": True}),
            kpis.create_definition({"name": "Tevredenheid", "code": "satisfaction",
                                    "unit": "count", "additive": False}))


def test_entered_figures_add_up_or_average(small_coop, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 4, 15))
    meetings, visitors = _entered_kpis()
    kpis.enter_value(meetings, date(2026, 1, 1), "2")
    kpis.enter_value(meetings, date(2026, 3, 9), "3")  # any day: the month counts
    kpis.enter_value(visitors, date(2026, 1, 1), "10")
    kpis.enter_value(visitors, date(2026, 2, 1), "14")
    kpis.enter_value(visitors, date(2026, 2, 1), "14,0")  # replaces, not doubles
    figures = _by_code(date(2026, 1, 1), date(2026, 3, 31))
    assert figures["meals"].value == 5
    assert [v for _m, v in figures["meals"].months] == [2, None, 3]
    assert figures["satisfaction"].value == 12  # not additive: the mean
    assert figures["satisfaction"].source == "entered"


@pytest.mark.parametrize(("code", "month", "value", "field", "message"), [
    ("members", date(2026, 1, 1), "5", "value", "cannot be typed in"),
    ("meals", None, "5", "month", "Choose the month"),
    ("meals", date(2026, 5, 1), "5", "month", "has not begun"),
    ("meals", date(2026, 1, 1), "-1", "value", "0 or more"),
    ("meals", date(2026, 1, 1), "veel", "value", "like 12"),
    ("meals", date(2026, 1, 1), "", "value", "required"),
    ("meals", date(2026, 1, 1), "1,234", "value", "two decimals"),
    ("meals", date(2026, 1, 1), "1e400", "value", "two decimals"),
])
def test_bad_entered_figures_are_refused(small_coop, monkeypatch, code, month, value, field,
                                          message):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 4, 15))
    _entered_kpis()
    kpis.enter_value(_kpi("meals"), date(2026, 1, 1), "2")
    with pytest.raises(KpiError) as refused:
        kpis.enter_value(_kpi(code), month, value)
    assert refused.value.field == field
    with force_locale("en"):
        assert message in str(refused.value.message)
    figure = kpis.figures(date(2026, 1, 1), date(2026, 1, 31), [_kpi(code)])[0]
    assert figure.value == 2  # unchanged: two members on 31 January, two meals


def test_a_board_kpi_is_entered_and_its_code_checked(small_coop):
    kpi, _other = _entered_kpis()
    assert kpi.source == "entered" and kpi.derived_key is None
    for values, field in [({"name": "X", "code": "meals", "unit": "count"}, "code"),
                          ({"name": "X", "code": "Bad Code", "unit": "count"}, "code"),
                          ({"name": "", "code": "x", "unit": "count"}, "name"),
                          ({"name": "X", "code": "x", "unit": "kg"}, "unit")]:
        with pytest.raises(KpiError) as refused:
            kpis.create_definition(values)
        assert refused.value.field == field


def test_predefined_kpis_are_added_once(small_coop):
    kpis.ensure_predefined()
    codes = [k.code for k in kpis.definitions()]
    assert len(codes) == len(set(codes)) == len(kpis.PREDEFINED)
    assert {"meeting_places", "jobs_coop", "jobs_partners", "experts_peer_groups",
            "family_network_meetings", "allowances_used", "events"} <= set(codes)
    assert all(k.source == "derived" for k in kpis.definitions())  # none typed in
