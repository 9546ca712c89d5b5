"""Buurtbanen: the minimum wage (WML) check on every day of a contract, paid and unpaid
work apart, the wage cost per month and per funder agreement."""

from datetime import date

import pytest

from coop.extensions import db
from coop.volunteers import jobs, services
from coop.volunteers.models import HourEntry, Job, MinimumWage
from coop.volunteers.services import VolunteerError
from tests import factories
from tests.volunteers.conftest import make_initiative, make_volunteer

# domain.md's WML steps, as migration 0021 seeds them (the tests build the schema with
# create_all, so they enter the same steps through the service).
STEPS = [(date(2025, 1, 1), 1406), (date(2025, 7, 1), 1440), (date(2026, 1, 1), 1471),
         (date(2026, 7, 1), 1499)]


@pytest.fixture(autouse=True)
def _wml(app):
    for valid_from, adult in STEPS:
        jobs.set_minimum_wage(valid_from, adult)
    db.session.commit()


def _job(person=None, initiative=None, **values):
    person = person or factories.create_person(date_of_birth=date(1990, 1, 1))
    initiative = initiative or make_initiative()
    job = jobs.save_job(None, {
        "title": "Buurtconciërge", "person": person, "initiative": initiative,
        "employer_kind": "coop", "contract_type": "employment",
        "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31),
        "quarter_hours_per_week": 128, "hourly_wage_cents": 1500, **values})
    db.session.commit()
    return job


def test_youth_rates_of_2026_are_the_statutory_percentages_of_the_adult_rate(app):
    assert [jobs.minimum_wage_on(date(2026, 1, 1), age) for age in range(21, 14, -1)] == [
        1471, 1177, 883, 736, 581, 507, 441]


def test_a_wage_that_passes_1_january_but_not_1_july_is_flagged_on_1_july(app):
    shortfall = jobs.wage_shortfall(date(1990, 1, 1), 1406, date(2025, 3, 1),
                                    date(2025, 12, 31))

    assert (shortfall.day, shortfall.age, shortfall.needed_cents) == (date(2025, 7, 1), 35,
                                                                      1440)


def test_a_contract_into_the_new_year_needs_the_rate_of_1_january(app):
    assert jobs.wage_shortfall(date(1990, 1, 1), 1440, date(2025, 7, 1),
                               date(2025, 12, 31)) is None
    shortfall = jobs.wage_shortfall(date(1990, 1, 1), 1440, date(2025, 7, 1),
                                    date(2026, 1, 31))

    assert (shortfall.day, shortfall.needed_cents) == (date(2026, 1, 1), 1471)


def test_a_birthday_during_the_contract_raises_the_minimum_wage_that_day(app):
    # 18 until 15 September 2026: € 7,36 from January, € 7,50 from July, then 19: € 8,99.
    shortfall = jobs.wage_shortfall(date(2007, 9, 15), 750, date(2026, 2, 1),
                                    date(2026, 12, 31))

    assert (shortfall.day, shortfall.age, shortfall.needed_cents) == (date(2026, 9, 15), 19,
                                                                      899)
    assert jobs.wage_shortfall(date(2007, 9, 15), 899, date(2026, 2, 1),
                               date(2026, 12, 31)) is None


def test_an_open_ended_contract_is_checked_through_every_known_step(app):
    shortfall = jobs.wage_shortfall(date(1990, 1, 1), 1471, date(2026, 1, 1), None)

    assert (shortfall.day, shortfall.needed_cents) == (date(2026, 7, 1), 1499)


def test_a_job_below_the_minimum_wage_is_refused_at_the_wage_field(app):
    person = factories.create_person(date_of_birth=date(2007, 9, 15))

    with pytest.raises(VolunteerError) as refused:
        _job(person, hourly_wage_cents=750, start_date=date(2026, 2, 1))

    assert refused.value.field == "hourly_wage"
    assert "15 september 2026" in str(refused.value.message)
    assert "€\xa08,99" in str(refused.value.message)
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_an_employment_without_a_date_of_birth_asks_for_it(app):
    with pytest.raises(VolunteerError) as refused:
        _job(factories.create_person())

    assert refused.value.field == "date_of_birth"


def test_a_running_contract_that_falls_below_a_new_rate_is_flagged(app):
    # Signed before the July step was known: fine then, below the WML from 1 July.
    db.session.execute(db.delete(MinimumWage).where(MinimumWage.valid_from == date(2026, 7, 1)))
    job = _job(hourly_wage_cents=1471)
    jobs.set_minimum_wage(date(2026, 7, 1), 1499)
    db.session.commit()

    (flagged,) = jobs.jobs_below_minimum_wage(date(2026, 3, 1))

    assert flagged.job.id == job.id
    assert (flagged.shortfall.day, flagged.shortfall.needed_cents) == (date(2026, 7, 1), 1499)


def test_distance_to_the_labour_market_needs_recorded_consent(app):
    with pytest.raises(VolunteerError) as refused:
        _job(labour_distance=True)

    assert refused.value.field == "labour_distance_consent_on"
    job = _job(labour_distance=True, labour_distance_consent_on=date(2025, 12, 20))
    assert job.labour_distance is True


def test_a_buurtbaan_worker_cannot_declare_volunteer_hours_there_that_day(app):
    volunteer, initiative = make_volunteer(date_of_birth=date(1990, 1, 1))
    person = db.session.get(services.Person, volunteer.person_id)
    _job(person, initiative, start_date=date(2026, 3, 1), end_date=date(2026, 3, 31))
    other = make_initiative()
    services.join_initiative(volunteer, other)

    with pytest.raises(VolunteerError) as refused:
        services.declare_hours(volunteer, initiative.id, date(2026, 3, 10), 8, None,
                               today=date(2026, 4, 1))
    services.declare_hours(volunteer, other.id, date(2026, 3, 10), 8, None,
                           today=date(2026, 4, 1))
    services.declare_hours(volunteer, initiative.id, date(2026, 4, 1), 8, None,
                           today=date(2026, 4, 1))

    assert refused.value.field == "work_date"
    assert db.session.scalar(db.select(db.func.count(HourEntry.id))) == 2


def test_wage_cost_per_month_fte_and_jobs_in_the_coop_and_via_partners(app):
    _job(hourly_wage_cents=1500)  # 32 h a week, the whole year
    _job(employer_kind="partner", partner_name="Buurtwerk Oost", contract_type="internship",
         hourly_wage_cents=None, fee_cents=40000, start_date=date(2026, 2, 15),
         end_date=date(2026, 6, 30), quarter_hours_per_week=64)

    report = jobs.wage_cost(2026, date(2026, 3, 1))

    # January: 32 h × € 15,00 × 31 days / 7 = € 2.125,71.
    assert report.month_totals[0] == 212571
    # February: 28 days of wage (€ 1.920,00) and 14 of the 28 days of the € 400 fee.
    assert report.month_totals[1] == 192000 + 20000
    assert report.month_totals[6] == 212571  # July: the wage only, the internship ended
    assert (report.jobs_in_coop, report.jobs_via_partners) == (1, 1)
    assert report.fte == round(48 / 36, 2)


def test_a_job_without_funding_is_refused_at_the_field_when_the_settings_require_it(app):
    factories.save_organisation(jobs_need_funding=True)

    with pytest.raises(VolunteerError) as refused:
        _job()

    assert refused.value.field == "agreement"
    assert str(refused.value.message) == (
        "Volgens de instellingen van de coöperatie heeft elke baan financiering nodig: "
        "kies de financieringsafspraak die hem betaalt.")
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_a_job_without_funding_is_fine_when_the_settings_do_not_require_it(app):
    factories.save_organisation(jobs_need_funding=False)

    assert _job().agreement_id is None


def test_the_board_sets_the_funding_requirement_and_the_job_form_refuses_at_the_field(
        app, client, login_as):
    login_as(factories.create_user(roles=["board"], two_factor=True))
    page = client.get("/settings/organisation").get_data(as_text=True)
    assert "Een buurtbaan heeft financiering nodig" in page
    factories.save_organisation(jobs_need_funding=True)
    person = factories.create_person(date_of_birth=date(1990, 1, 1))
    initiative = make_initiative()

    response = client.post("/jobs/new", data={
        "title": "Buurtconciërge", "person": str(person.id), "initiative": str(initiative.id),
        "employer_kind": "coop", "contract_type": "employment", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "hours_per_week": "32", "hourly_wage": "15,00",
        "agreement": ""})

    assert response.status_code == 422
    assert "kies de financieringsafspraak die hem betaalt" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_the_dashboard_flags_a_running_contract_that_falls_below_a_new_rate(
        app, client, login_as, monkeypatch):
    db.session.execute(db.delete(MinimumWage).where(MinimumWage.valid_from == date(2026, 7, 1)))
    person = factories.create_person(given_name="Fatima", family_name="El Amrani",
                                     date_of_birth=date(1990, 1, 1))
    _job(person, hourly_wage_cents=1471)
    jobs.set_minimum_wage(date(2026, 7, 1), 1499)
    db.session.commit()
    monkeypatch.setattr("coop.timeutil.local_today", lambda: date(2026, 3, 1))
    login_as(factories.create_user(roles=["board"], two_factor=True))

    page = " ".join(client.get("/dashboard/").get_data(as_text=True).split())

    assert "Onder het minimumloon" in page
    assert ("Buurtconciërge</a> (Fatima El Amrani): vanaf 1 jul 2026 minstens € 14,99 per uur"
            in page)


def test_the_dashboard_shows_no_flag_when_every_wage_is_enough(app, client, login_as):
    _job(hourly_wage_cents=1600)
    login_as(factories.create_user(roles=["board"], two_factor=True))

    page = client.get("/dashboard/").get_data(as_text=True)

    assert "Onder het minimumloon" not in page
