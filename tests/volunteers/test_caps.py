"""The caps of the vrijwilligersregeling, with exact euro figures (domain.md)."""

from datetime import date

import pytest
from sqlalchemy import event

from coop.extensions import db
from coop.volunteers import services
from coop.volunteers.models import Allowance
from coop.volunteers.services import OverCapError, VolunteerError
from tests.volunteers.conftest import approve, make_volunteer, seed_caps


@pytest.fixture(autouse=True)
def _caps(app):
    seed_caps()


def _count():
    return db.session.scalar(db.select(db.func.count(Allowance.id)))


def test_hourly_cap_for_a_volunteer_of_21_or_older_is_5_75_in_2026(app):
    volunteer, initiative = make_volunteer(date_of_birth=date(1990, 5, 1))

    approve(volunteer, initiative, date(2026, 3, 10), 5750, quarter_hours=40)  # 10 h
    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 3, 11), 5751, quarter_hours=40)

    assert refused.value.check.hourly_cap_cents == 575
    assert refused.value.check.highest_fitting_cents == 5750
    assert refused.value.field == "amount"
    assert _count() == 1


def test_hourly_cap_under_21_is_3_40_in_2026(app):
    volunteer, initiative = make_volunteer(date_of_birth=date(2007, 1, 1))  # 19

    approve(volunteer, initiative, date(2026, 3, 10), 3400, quarter_hours=40)
    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 3, 11), 3401, quarter_hours=40)

    assert refused.value.check.hourly_cap_cents == 340
    assert refused.value.check.hourly_limit_cents == 3400


def test_quarter_hours_at_the_under_21_rate_round_down_to_whole_cents(app):
    # 2025 under 21: € 3,30 an hour; 1,25 hours = € 4,125, so € 4,12 at most.
    volunteer, initiative = make_volunteer(date_of_birth=date(2006, 1, 1))

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2025, 6, 2), 413, quarter_hours=5)
    approve(volunteer, initiative, date(2025, 6, 2), 412, quarter_hours=5)

    assert refused.value.check.hourly_limit_cents == 412


def test_a_birthday_in_the_middle_of_the_month_changes_the_hourly_cap_that_day(app):
    # Turns 21 on 15 March 2026: 8 hours on the 14th at € 3,40, on the 15th at € 5,75.
    volunteer, initiative = make_volunteer(date_of_birth=date(2005, 3, 15))

    with pytest.raises(OverCapError) as before:
        approve(volunteer, initiative, date(2026, 3, 14), 2721, quarter_hours=32)
    approve(volunteer, initiative, date(2026, 3, 14), 2720, quarter_hours=32)
    approve(volunteer, initiative, date(2026, 3, 15), 4600, quarter_hours=32)

    assert before.value.check.hourly_limit_cents == 2720
    assert services.received(volunteer, date(2026, 3, 31)).month_cents == 7320


def test_hours_without_a_date_of_birth_ask_for_it(app):
    volunteer, initiative = make_volunteer()

    with pytest.raises(VolunteerError) as refused:
        approve(volunteer, initiative, date(2026, 3, 10), 1000, quarter_hours=8)
    approve(volunteer, initiative, date(2026, 3, 10), 1000, quarter_hours=8,
            date_of_birth=date(1980, 1, 1))

    assert refused.value.field == "date_of_birth"
    assert volunteer.person_id and db.session.get(
        services.Person, volunteer.person_id).date_of_birth == date(1980, 1, 1)


def test_month_cap_counts_several_payments_and_says_the_room_left(app):
    volunteer, initiative = make_volunteer()
    approve(volunteer, initiative, date(2026, 3, 3), 10000)
    approve(volunteer, initiative, date(2026, 3, 10), 10000)

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 3, 24), 2001)
    approve(volunteer, initiative, date(2026, 3, 24), 2000)

    check = refused.value.check
    assert (check.month_room_cents, check.year_room_cents) == (2000, 200000)
    assert check.highest_fitting_cents == 2000
    assert "€\xa020,00" in str(refused.value.message)
    assert "€\xa02.000,00" in str(refused.value.message)
    assert _count() == 3


def test_year_cap_counts_every_month_of_the_year(app):
    volunteer, initiative = make_volunteer()
    approve(volunteer, initiative, date(2025, 12, 20), 21000)  # 2025 does not count
    for month in range(1, 11):
        approve(volunteer, initiative, date(2026, month, 5), 22000)  # € 2.200,00

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 11, 5), 1)

    check = refused.value.check
    assert (check.month_room_cents, check.year_room_cents) == (22000, 0)
    assert check.highest_fitting_cents == 0


def test_gifts_count_toward_the_caps(app):
    volunteer, initiative = make_volunteer()
    approve(volunteer, initiative, date(2026, 3, 1), 5000, kind="gift_voucher",
            supplier="Boekhandel Oosterlicht")
    approve(volunteer, initiative, date(2026, 3, 2), 2500, kind="outing")

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 3, 20), 14501)
    approve(volunteer, initiative, date(2026, 3, 20), 14500)
    with pytest.raises(OverCapError):
        approve(volunteer, initiative, date(2026, 3, 30), 1, kind="other_gift")

    assert refused.value.check.month_room_cents == 14500


def test_proven_costs_alone_are_outside_the_caps(app):
    volunteer, initiative = make_volunteer()

    approve(volunteer, initiative, date(2026, 3, 10), 0, kind="expenses", expense_cents=50000)

    assert services.received(volunteer, date(2026, 3, 10)).month_cents == 0
    assert _count() == 1


def test_belastingdienst_example_with_2023_caps_is_over_the_month_cap(app):
    # "Vergoeding voor inzet en voor kosten": € 4 an hour plus € 48 a week travel,
    # € 208 a month: over the € 190 monthly maximum, no volunteer allowance.
    services.set_caps(2023, 500, 275, 19000, 190000)
    volunteer, initiative = make_volunteer(date_of_birth=date(1970, 1, 1))

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2023, 5, 31), 400, quarter_hours=4,
                expense_cents=20800, today=date(2023, 6, 1))

    assert refused.value.check.highest_fitting_cents == 0
    assert _count() == 0


def test_belastingdienst_example_with_2026_caps_is_over_the_month_cap(app):
    # € 4 an hour for 10 hours (€ 40) plus € 208 travel = € 248 > € 220.
    volunteer, initiative = make_volunteer(date_of_birth=date(1970, 1, 1))

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 5, 29), 4000, quarter_hours=40,
                expense_cents=20800)

    assert refused.value.check.highest_fitting_cents == 1200  # € 220 − € 208
    assert _count() == 0


def test_costs_paid_earlier_in_the_month_count_once_an_allowance_joins_them(app):
    volunteer, initiative = make_volunteer()
    approve(volunteer, initiative, date(2026, 4, 2), 0, kind="expenses", expense_cents=20000)

    with pytest.raises(OverCapError) as refused:
        approve(volunteer, initiative, date(2026, 4, 20), 2001)

    assert refused.value.check.highest_fitting_cents == 2000


def test_highest_amount_that_fits_takes_the_hours_the_month_and_the_costs(app):
    volunteer, initiative = make_volunteer(date_of_birth=date(1980, 1, 1))
    approve(volunteer, initiative, date(2026, 3, 2), 15000)

    with pytest.raises(OverCapError) as month_only:
        approve(volunteer, initiative, date(2026, 3, 9), 10000)
    with pytest.raises(OverCapError) as with_costs:
        approve(volunteer, initiative, date(2026, 3, 9), 10000, expense_cents=3000)
    with pytest.raises(OverCapError) as with_hours:
        approve(volunteer, initiative, date(2026, 3, 9), 10000, quarter_hours=32)

    assert month_only.value.check.highest_fitting_cents == 7000
    assert with_costs.value.check.highest_fitting_cents == 4000
    assert with_hours.value.check.highest_fitting_cents == 4600  # 8 h × € 5,75
    approve(volunteer, initiative, date(2026, 3, 9), 4000, expense_cents=3000)
    assert services.received(volunteer, date(2026, 3, 9)).month_room_cents == 0


def test_2025_and_2026_have_their_own_caps(app):
    volunteer, initiative = make_volunteer(date_of_birth=date(1980, 1, 1))

    approve(volunteer, initiative, date(2025, 12, 1), 21000)
    with pytest.raises(OverCapError):
        approve(volunteer, initiative, date(2025, 12, 2), 1)
    approve(volunteer, initiative, date(2026, 1, 1), 22000)
    with pytest.raises(OverCapError) as hourly_2025:
        approve(volunteer, initiative, date(2025, 11, 1), 561, quarter_hours=4)
    approve(volunteer, initiative, date(2026, 2, 1), 575, quarter_hours=4)

    assert hourly_2025.value.check.hourly_cap_cents == 560


def test_a_year_without_caps_blocks_allowances_saying_what_to_enter(app):
    volunteer, initiative = make_volunteer()

    with pytest.raises(VolunteerError) as refused:
        approve(volunteer, initiative, date(2027, 1, 5), 1000, today=date(2027, 1, 6))

    assert "2027" in str(refused.value.message)
    assert refused.value.field == "work_date"
    assert _count() == 0


def test_a_waived_allowance_is_refused_but_a_gift_is_not(app):
    volunteer, initiative = make_volunteer()
    services.set_arrangement(volunteer, "waived", date(2026, 1, 1), None,
                             waived_on=date(2025, 12, 15))

    with pytest.raises(VolunteerError) as refused:
        approve(volunteer, initiative, date(2026, 3, 3), 1000)
    approve(volunteer, initiative, date(2026, 3, 3), 1500, kind="gift_voucher",
            supplier="Bakkerij Jansen")

    assert refused.value.field == "kind"
    assert _count() == 1


@pytest.mark.parametrize(("values", "field"), [
    ({"amount_cents": -100}, "amount"),
    ({"amount_cents": 0}, "amount"),
    ({"work_date": date(2027, 1, 1)}, "work_date"),
    ({"kind": "gift_voucher", "expense_cents": 100, "supplier": "Bakkerij"}, "expenses"),
    ({"kind": "gift_voucher", "supplier": "  "}, "supplier"),
    ({"kind": "bonus"}, "kind"),
])
def test_bad_allowance_input_is_refused_at_the_field(app, values, field):
    volunteer, initiative = make_volunteer()
    arguments = {"initiative_id": initiative.id, "kind": "allowance",
                 "work_date": date(2026, 3, 3), "amount_cents": 1000, **values}

    with pytest.raises(VolunteerError) as refused:
        services.approve_allowance(volunteer, today=date(2026, 12, 1), **arguments)

    assert refused.value.field == field


def test_an_initiative_the_volunteer_is_not_in_is_refused(app):
    volunteer, _initiative = make_volunteer()
    _other_volunteer, other = make_volunteer()

    with pytest.raises(VolunteerError) as refused:
        approve(volunteer, other, date(2026, 3, 3), 1000)

    assert refused.value.field == "initiative"


def test_the_cap_check_is_one_statement_even_in_a_new_request(app):
    volunteer, initiative = make_volunteer()
    approve(volunteer, initiative, date(2026, 3, 2), 5000)
    db.session.expire_all()  # as in a new request
    statements = []
    listen = (db.engine, "before_cursor_execute",
              lambda *args, **kwargs: statements.append(args[2]))
    event.listen(*listen)
    try:
        check = services.check_allowance(volunteer, date(2026, 3, 20), 1000)
    finally:
        event.remove(*listen)

    assert len(statements) == 1
    assert (check.month_room_cents, check.year_room_cents) == (17000, 215000)
