"""The board's buurtbanen pages: a wage under the WML refused at the field, the wage
cost as a page and a CSV."""

from datetime import date

import pytest

from coop.extensions import db
from coop.ledger.models import JournalLine, LedgerAccount
from coop.volunteers import jobs
from coop.volunteers.models import Job, JobPayment
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


def test_the_third_parties_list_has_the_fees_actually_paid_not_the_contracts(
        client, board, login_as):
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
    freelance, internship, _partner = db.session.scalars(
        db.select(Job).order_by(Job.id)).all()
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))
    # The freelancer was paid less than the contract's fee; the intern three months in
    # 2025 and the fourth in January 2026 (that one counts for 2026).
    for job, paid_on, amount in ((freelance, "2025-07-04", "1.100,00"),
                                 (internship, "2025-09-30", "300,00"),
                                 (internship, "2025-10-31", "300,00"),
                                 (internship, "2025-11-28", "300,00"),
                                 (internship, "2026-01-05", "300,00")):
        response = client.post(f"/volunteers/jobs/{job.id}/payments",
                               data={"paid_on": paid_on, "amount": amount})
        assert response.headers["Location"].endswith(f"/volunteers/jobs/{job.id}/payments")

    csv = client.get("/jobs/third-parties?year=2025&format=csv").data.decode("utf-8-sig")

    lines = [line for line in csv.splitlines() if "Bakker" in line]
    assert len(lines) == 2  # the partner's intern is the partner's to report
    assert any(line.endswith("1100,00") for line in lines)  # paid, not the fee of 1250
    assert any(line.endswith("900,00") for line in lines)  # three payments in 2025
    assert "06-05-2004" in csv
    page = client.get(f"/volunteers/jobs/{internship.id}/payments").get_data(as_text=True)
    assert page.count("€\xa0300,00") == 4


def test_a_payment_for_an_employment_or_in_the_future_is_refused_at_the_field(
        client, board, login_as):
    person = factories.create_person(date_of_birth=date(1990, 1, 1))
    initiative = make_initiative()
    client.post("/jobs/new", data=_form(person, initiative))
    client.post("/jobs/new", data=_form(person, initiative, hourly_wage="",
                                        contract_type="freelance", fee="500,00"))
    employment, freelance = db.session.scalars(db.select(Job).order_by(Job.id)).all()
    login_as(factories.create_user(roles=["treasurer"], two_factor=True))

    wage = client.post(f"/volunteers/jobs/{employment.id}/payments",
                       data={"paid_on": "2026-01-31", "amount": "2.000,00"})
    future = client.post(f"/volunteers/jobs/{freelance.id}/payments",
                         data={"paid_on": "2999-01-31", "amount": "500,00"})
    zero = client.post(f"/volunteers/jobs/{freelance.id}/payments",
                       data={"paid_on": "2026-01-31", "amount": "0"})

    assert wage.status_code == future.status_code == zero.status_code == 422
    assert "Het loon van een dienstverband loopt via de salarisadministratie" in wage.text
    assert "De betaaldatum kan niet in de toekomst liggen." in future.text
    assert "Vul een bedrag boven nul in." in zero.text
    assert db.session.scalar(db.select(db.func.count(JobPayment.id))) == 0


def test_a_fee_paid_is_booked_payable_to_the_worker(app):
    person = factories.create_person()
    job = Job(title="Website buurtcoöperatie", person_id=person.id,
              initiative_id=make_initiative().id, employer_kind="coop",
              contract_type="freelance", start_date=date(2026, 1, 1),
              quarter_hours_per_week=16, fee_cents=150000)
    db.session.add(job)
    db.session.commit()

    payment = jobs.record_job_payment(job, date(2026, 3, 6), 150000, today=date(2026, 3, 6))
    db.session.commit()

    lines = sorted((code, line.debit_cents, line.credit_cents, line.person_id)
                   for line, code in db.session.execute(
                       db.select(JournalLine, LedgerAccount.code)
                       .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
                       .where(JournalLine.entry_id == payment.journal_entry_id)))
    assert lines == [("1600", 0, 150000, person.id), ("4100", 150000, 0, None)]
