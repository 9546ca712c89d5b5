"""The board's buurtbanen pages: a wage under the WML refused at the field, the wage
cost as a page and a CSV."""

from datetime import date

import pytest

from coop.extensions import db
from coop.volunteers import jobs
from coop.volunteers.models import Job
from tests import factories
from tests.volunteers.conftest import make_initiative


@pytest.fixture
def board(app, login_as):
    for valid_from, adult in [(date(2026, 1, 1), 1471), (date(2026, 7, 1), 1499)]:
        jobs.set_minimum_wage(valid_from, adult)
    db.session.commit()
    return login_as(factories.create_user(roles=["board"]))


def _form(person, initiative, **values):
    return {"title": "Buurtconciërge", "person": str(person.id),
            "initiative": str(initiative.id), "employer_kind": "coop",
            "contract_type": "employment", "start_date": "2026-01-01",
            "end_date": "2026-12-31", "hours_per_week": "32", "hourly_wage": "15,00",
            **values}


def test_a_wage_under_the_minimum_wage_is_refused_at_the_field(client, board):
    person = factories.create_person(date_of_birth=date(1990, 1, 1))
    initiative = make_initiative()

    response = client.post("/jobs/new", data=_form(person, initiative, hourly_wage="14,71"))

    assert response.status_code == 422
    text = response.text.replace("&nbsp;", " ").replace("\xa0", " ")
    assert 'id="hourly_wage-error"' in text
    assert "1 juli 2026" in text and "€ 14,99" in text
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


@pytest.mark.parametrize(("values", "field"), [
    ({"hours_per_week": "61"}, "hours_per_week"),
    ({"hours_per_week": "32,1"}, "hours_per_week"),
    ({"employer_kind": "partner"}, "partner_name"),
    ({"end_date": "2025-12-31"}, "end_date"),
    ({"contract_type": "internship", "hourly_wage": ""}, "fee"),
])
def test_bad_job_input_is_refused_at_the_field(client, board, values, field):
    person = factories.create_person(date_of_birth=date(1990, 1, 1))

    response = client.post("/jobs/new", data=_form(person, make_initiative(), **values))

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_a_job_is_saved_and_its_wage_cost_is_on_the_page_and_in_the_csv(client, board):
    person = factories.create_person(date_of_birth=date(1990, 1, 1))

    saved = client.post("/jobs/new", data=_form(person, make_initiative()))
    page = client.get("/jobs/wage-cost?year=2026")
    csv = client.get("/jobs/wage-cost?year=2026&format=csv")

    assert saved.status_code == 302
    assert "2.125,71" in page.text  # January: 32 h × € 15,00 × 31 / 7
    assert csv.status_code == 200
    assert "2125,71" in csv.data.decode("utf-8-sig")


def test_the_third_parties_list_has_the_coops_internship_and_freelance_fees(client, board):
    person = factories.create_person(date_of_birth=date(2004, 5, 6), given_name="Noor",
                                     family_name="Bakker")
    initiative = make_initiative()
    for values in ({"contract_type": "freelance", "fee": "1.250,00",
                    "start_date": "2025-06-02", "end_date": "2025-06-30"},
                   {"contract_type": "internship", "fee": "300,00",
                    "start_date": "2025-09-01", "end_date": "2025-12-31"},
                   {"employer_kind": "partner", "partner_name": "Buurtwerk",
                    "contract_type": "internship", "fee": "300,00",
                    "start_date": "2025-09-01", "end_date": "2025-12-31"}):
        response = client.post("/jobs/new", data=_form(person, initiative, hourly_wage="",
                                                       **values))
        assert response.status_code == 302

    csv = client.get("/jobs/third-parties?year=2025&format=csv").data.decode("utf-8-sig")

    lines = [line for line in csv.splitlines() if "Bakker" in line]
    assert len(lines) == 2  # the partner's intern is the partner's to report
    assert any(line.endswith("1250,00") for line in lines)
    assert any(line.endswith("1200,00") for line in lines)  # four months of € 300
    assert "06-05-2004" in csv
