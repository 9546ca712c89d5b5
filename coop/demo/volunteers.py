"""The demo's initiatives, volunteers with a year of hours and allowances, and
buurtbanen: Oost voor Elkaar's figures from the seeds (2 buurtbanen in the coop, 4 via
partners, 8 volunteers with an allowance)."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from coop.extensions import db
from coop.members import services as members
from coop.members.models import Person
from coop.money import parse_amount
from coop.volunteers import jobs, services
from coop.volunteers.models import AllowanceCap, HourEntry, HourStatus, MinimumWage

# domain.md's figures; the migration seeds the same (a database made by `create_all`,
# like the tests', has none).
CAPS = {2025: (560, 330, 21000, 210000), 2026: (575, 340, 22000, 220000)}
WML_STEPS = [(date(2025, 1, 1), 1406), (date(2025, 7, 1), 1440), (date(2026, 1, 1), 1471),
             (date(2026, 7, 1), 1499)]

INITIATIVES = [
    ("Burenhulp Oosterlicht", "Boodschappen, klusjes en een kop koffie voor buren die wat "
     "hulp kunnen gebruiken."),
    ("Energiecafé", "Elke eerste zaterdag: advies over de energierekening en kleine "
     "besparingen."),
    ("Buurttuin Oosterlicht", "Samen tuinieren, oogsten en koken op het binnenterrein."),
    ("Repair Café Lichtenberg", "Elke maand samen spullen repareren in plaats van weggooien."),
]
# given name, family name, initiatives (index), arrangement (kind, euros), born
VOLUNTEERS = [
    ("Anouk", "Verbeek", [0], ("per_hour", 4), date(1961, 4, 12)),
    ("Bram", "de Graaf", [1], ("fixed_month", 100), date(1985, 9, 3)),
    ("Chantal", "Pinas", [2], ("per_hour", 3), date(2006, 6, 20)),  # under 21: € 3,40 cap
    ("Dirk", "Hoekstra", [3], ("fixed_month", 75), date(1949, 1, 30)),
    ("Esra", "Kaya", [0, 2], ("per_hour", 3), date(1992, 11, 8)),
    ("Frank", "Mulder", [3], ("fixed_month", 150), date(1958, 3, 17)),
    ("Gerda", "Smit", [0], ("per_hour", 5), date(1970, 7, 1)),
    ("Hamid", "Ouali", [1], ("fixed_month", 50), date(1999, 2, 14)),
    ("Ilse", "Koster", [2], ("waived", None), date(1980, 5, 5)),
    ("Jan", "Vos", [0, 3], None, date(1955, 10, 10)),
    ("Kim", "Nguyen", [1], None, date(2003, 12, 1)),
]
# title, worker (given, family, born), initiative, employer (None: the coop), contract,
# hours a week, wage or fee in euros, MBO level, agreement reference
JOBS = [
    ("Buurtconciërge", ("Rachid", "Amrani", date(1988, 2, 2)), 0, None, "employment", 24,
     "15,25", 2, "Beschikking 2026-0102"),
    ("Gastvrouw huiskamer", ("Patricia", "Sedney", date(1975, 8, 19)), 1, None, "employment",
     16, "15,00", 2, "Beschikking 2026-0102"),
    ("Tuinman buurttuin", ("Ahmet", "Demir", date(1996, 4, 4)), 2, "Buurtwerk Oost",
     "employment", 20, "15,10", 1, "OF-2025-7731"),
    ("Reparateur", ("Lotte", "Brouwer", date(2001, 10, 30)), 3, "Repair Nederland",
     "employment", 12, "15,50", 3, "F1818-26-112"),
    ("Stagiair welzijn", ("Youssef", "Benali", date(2006, 3, 3)), 0, "ROC Midden Nederland",
     "internship", 16, "250,00", 3, None),
    ("Klusser speeltuin", ("Marco", "Visser", date(1983, 12, 12)), 1, "Mitros",
     "employment", 8, "16,00", 2, "RtC-2026-03"),
]
# A finished freelance assignment of the coop itself (not running at the end of the demo
# books, so the seeds' count of running jobs stands), with its fee paid in two parts.
FREELANCE = ("Vormgeving buurtkrant", ("Sanne", "de Wit", date(1990, 9, 9)), 1,
             date(2026, 3, 1), date(2026, 6, 30), 4, 120000)
FREELANCE_PAYMENTS = [(date(2026, 4, 15), 60000), (date(2026, 7, 10), 60000)]
# event, organiser, initiative (index), date, euros
SPONSORED_EVENTS = [
    ("Burendag Lichtenberg", "Bewonerscommissie Lichtenberg", 0, date(2026, 9, 26), 350),
    ("Opschoondag Oosterlicht", "Speeltuinvereniging De Klimboom", 2, date(2026, 3, 21), 120),
    ("Straatfeest Lindelaan", "Buurtvereniging Lindelaan", 1, date(2026, 6, 20), 250),
]
# coach, conversations (dates), euros each: one trajectory past six conversations
COACHING = ("Loopbaancoach Inge Bos", [date(2026, 2, 3) + timedelta(days=21 * n)
                                       for n in range(7)], 45)
NOW = date(2026, 10, 31)  # the demo books' last month


def ensure_caps_and_minimum_wage() -> None:
    """domain.md's caps and WML steps, where the database has none (migration 0021
    seeds them; a database made with `create_all` starts empty)."""
    for year, values in CAPS.items():
        if db.session.get(AllowanceCap, year) is None:
            services.set_caps(year, *values)
    if db.session.scalar(select(MinimumWage.id).limit(1)) is None:
        for valid_from, adult in WML_STEPS:
            jobs.set_minimum_wage(valid_from, adult)


def _person(given, family, born, email=None):
    return members.create_person({"given_name": given, "family_name": family,
                                  "date_of_birth": born, "email": email, "city": "Utrecht"})


def load(users: dict, agreements: dict) -> str:
    """Initiatives, volunteers (the demo volunteer account among them, and coordinating
    the Energiecafé), hours for January to October 2026, allowances within the caps, and
    the buurtbanen; returns a summary line."""

    rng = random.Random(14)
    ensure_caps_and_minimum_wage()
    initiatives = [services.create_initiative(
        {"name": name, "description": description, "active_from": date(2024, 1, 1)})
        for name, description in INITIATIVES]
    volunteer_user = users["vrijwilliger@oosterlicht.example"]
    coordinator = db.session.scalar(select(Person).where(Person.user_id == volunteer_user.id))
    if coordinator is None:
        coordinator = _person("Mehmet", "Yılmaz", date(1979, 6, 6))
        coordinator.user_id = volunteer_user.id
    services.add_coordinator(initiatives[1], coordinator)
    own = services.ensure_volunteer(coordinator)
    services.join_initiative(own, initiatives[2])

    people = [(own, [2], None)]  # hours, no allowance: he coordinates
    for given, family, places, arrangement, born in VOLUNTEERS:
        volunteer = services.ensure_volunteer(_person(given, family, born))
        for index in places:
            services.join_initiative(volunteer, initiatives[index])
        people.append((volunteer, places, arrangement))
    db.session.flush()

    entries = allowances = 0
    with_allowance = set()
    for volunteer, places, arrangement in people:
        if arrangement is not None:
            kind, euros = arrangement
            services.set_arrangement(
                volunteer, kind, date(2026, 1, 1), euros * 100 if euros else None,
                waived_on=date(2025, 12, 12) if kind == "waived" else None)
        rows = []
        day = date(2026, 1, 5) + timedelta(days=rng.randint(0, 6))
        while day <= NOW:
            quarters = rng.choice((8, 12, 16, 10))
            rows.append(HourEntry(
                volunteer_id=volunteer.id, initiative_id=initiatives[rng.choice(places)].id,
                work_date=day, quarter_hours=quarters, note=None,
                status=HourStatus.SUBMITTED if day > NOW - timedelta(days=10)
                else HourStatus.APPROVED))
            day += timedelta(days=7)
        db.session.add_all(rows)
        entries += len(rows)
        if arrangement is None or arrangement[0] == "waived":
            continue
        kind, euros = arrangement
        for month in range(1, 11):
            month_rows = [r for r in rows if r.work_date.month == month]
            last = max((r.work_date for r in month_rows), default=None)
            if last is None:
                continue
            quarters = sum(r.quarter_hours for r in month_rows)
            amount = quarters * euros * 25 if kind == "per_hour" else euros * 100
            services.approve_allowance(
                volunteer, initiative_id=month_rows[-1].initiative_id, kind="allowance",
                work_date=last, amount_cents=min(amount, 20000),
                quarter_hours=quarters if kind == "per_hour" else None,
                description=f"Vergoeding {month:02d}-2026",
                today=min(last + timedelta(days=3), NOW))
            allowances += 1
            with_allowance.add(volunteer.id)
        services.approve_allowance(
            volunteer, initiative_id=initiatives[places[0]].id, kind="gift_voucher",
            work_date=date(2026, 10, 1), amount_cents=1500,
            description="Cadeaubon", supplier="Boekhandel Oosterlicht", today=NOW)

    for (title, (given, family, born), place, partner, contract, hours, amount, mbo,
         reference) in JOBS:
        agreement = agreements.get(reference) if reference else None
        cents = parse_amount(amount)
        jobs.save_job(None, {
            "title": title, "person": _person(given, family, born),
            "initiative": initiatives[place],
            "employer_kind": "partner" if partner else "coop", "partner_name": partner,
            "contract_type": contract, "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31), "quarter_hours_per_week": hours * 4,
            "hourly_wage_cents": cents if contract == "employment" else None,
            "fee_cents": cents if contract != "employment" else None, "mbo_level": mbo,
            "agreement_id": agreement.id if agreement is not None else None})
    title, (given, family, born), place, start, end, hours, fee = FREELANCE
    freelance = jobs.save_job(None, {
        "title": title, "person": _person(given, family, born),
        "initiative": initiatives[place], "employer_kind": "coop", "partner_name": None,
        "contract_type": "freelance", "start_date": start, "end_date": end,
        "quarter_hours_per_week": hours * 4, "hourly_wage_cents": None, "fee_cents": fee,
        "mbo_level": None, "agreement_id": None})
    for paid_on, cents in FREELANCE_PAYMENTS:
        jobs.record_job_payment(freelance, paid_on, cents, today=paid_on)
    for event, organiser, place, held_on, euros in SPONSORED_EVENTS:
        services.sponsor_event(initiatives[place].id, event, organiser, held_on, euros * 100,
                               today=held_on)
    coach, days, euros = COACHING
    coached = people[4][0]  # Dirk Hoekstra (people[0] is the coordinator)
    coached_person = db.session.get(Person, coached.person_id)
    for held_on in days:
        services.add_coaching_conversation(coached_person, coach, held_on, euros * 100,
                                           today=held_on)
    db.session.flush()
    return (f"Volunteers: {len(initiatives)} initiatives, {len(people)} volunteers, "
            f"{entries} hour entries, {allowances} allowances to {len(with_allowance)} "
            f"volunteers; {len(JOBS)} jobs (2 in the coop, 4 via partners), a freelance "
            f"assignment paid, {len(SPONSORED_EVENTS)} sponsored events, "
            f"{len(days)} coaching conversations")
