"""The demo's meeting places, theories of change, partners and key figures (adapted from
the seed 004 fact sheets: De Sleutel, Het Badhuis, the Buitenoord buurttuin) and a year of
activities of its initiatives, with neighbourhood events and periodic counts.

Deterministic (a seeded random) and bulk-inserted: a year is some 600 activities.
"""

import random
from datetime import date, time, timedelta

from sqlalchemy import insert, select

from coop.activities.models import (
    Activity,
    InitiativeCount,
    InitiativeKeyFigure,
    InitiativePartner,
    MeetingPlace,
    NeighbourhoodEvent,
    PlaceMonthFigure,
    TheoryOfChange,
)
from coop.extensions import db
from coop.volunteers.models import Initiative

FIRST_DAY = date(2025, 11, 1)  # a year of held activities up to the demo's last month
LAST_HELD = date(2026, 10, 31)
LAST_PLANNED = date(2027, 1, 31)  # planned (and public) ones after it, for the calendar

PLACES = [  # name, kind, days open a week, supported, records visitors, records bar
    ("Buurthuis De Lichtenberg", "community_centre", 5, True, True, True),
    ("Buurttuin Oosterlicht", "outdoor", 7, True, False, False),
    ("WhatsApp-groep Burenhulp", "whatsapp_group", None, False, False, False),
    ("Oosterlicht.nl buurtplatform", "online_platform", None, True, False, False),
]

THEORIES = {
    "Burenhulp Oosterlicht": {
        "target_group": "Bewoners van Oosterlicht die wat hulp kunnen gebruiken\n"
                        "Buren die iets voor een ander willen doen",
        "approach": "Verbinden van mensen en van hulpvragen: iedereen is welkom\n"
                    "Koffie-ochtenden als laagdrempelige ingang\n"
                    "Samenwerking met het sociaal wijkteam en de huisartsen",
        "direct_effects": "Bewoners helpen elkaar en voelen zich verbonden\n"
                          "Bewoners krijgen meer zelfvertrouwen\n"
                          "Jong en oud, rijk en arm ontmoeten elkaar",
        "indirect_contributions": "Leefbaarheid: saamhorigheid en veiligheid\n"
                                  "Besparing op zorgkosten door preventie\n"
                                  "Minder eenzaamheid in de wijk",
    },
    "Energiecafé": {
        "target_group": "Huishoudens in Oosterlicht met een hoge energierekening",
        "approach": "Elke eerste zaterdag advies door buren die het uitgezocht hebben\n"
                    "Kleine besparingen samen aanbrengen",
        "direct_effects": "Lagere energierekening\nBewoners kennen elkaar beter",
        "indirect_contributions": "Minder energiearmoede\nSamenredzaamheid in de buurt",
    },
    "Buurttuin Oosterlicht": {
        "target_group": "Bewoners van Oosterlicht, jong en oud",
        "approach": "Randvoorwaarden voor informele ontmoeting scheppen\n"
                    "ABCD: iedereen is welkom en draagt bij naar vermogen\n"
                    "Samen de tuin inrichten en onderhouden\nWeinig formalisering",
        "direct_effects": "Buurtbewoners hebben meer interactie met elkaar\n"
                          "Nieuwe verbindingen tussen diverse bewoners\n"
                          "Kinderen leren respect voor de natuur en voor elkaar",
        "indirect_contributions": "Leefbaarheid van de wijk wordt verbeterd\n"
                                  "Sociale cohesie wordt bevorderd\n"
                                  "Sociale veiligheid wordt vergroot",
    },
    "Repair Café Lichtenberg": {
        "target_group": "Bewoners met iets kapots en bewoners die graag repareren",
        "approach": "Het stimuleren van het samen organiseren van activiteiten\n"
                    "Talenten en interesses van bewoners als uitgangspunt",
        "direct_effects": "Steunend netwerk: wie samen repareert helpt elkaar ook elders\n"
                          "Empowerment: bewoners ervaren meer zelfvertrouwen",
        "indirect_contributions": "Circulariteit in de wijk\nEen inclusieve wijk",
    },
}

PARTNERS = {
    "Burenhulp Oosterlicht": [("Sociaal wijkteam Oost", "welfare"),
                              ("Huisartsenpraktijk Lichtenberg", "care"),
                              ("Mitros", "housing"), ("Gemeente Utrecht", "municipality"),
                              ("Wijkagent Oost", "police")],
    "Energiecafé": [("Gemeente Utrecht", "municipality"), ("Bo-Ex", "housing")],
    "Buurttuin Oosterlicht": [("Bo-Ex", "housing"), ("Tuincentrum De Linde", "entrepreneurs"),
                              ("Basisschool De Regenboog", "other")],
    "Repair Café Lichtenberg": [("Repair Nederland", "other"),
                                ("Ijzerhandel Oost", "entrepreneurs")],
}

KEY_FIGURES = {
    "Burenhulp Oosterlicht": [("25-50", "vaste bezoekers per dag in het buurthuis"),
                              ("4-5", "dagen open per week"),
                              ("50", "vrijwilligers uit de buurt")],
    "Energiecafé": [("120", "huishoudens geadviseerd"), ("€ 180", "gemiddeld bespaard per jaar")],
    "Buurttuin Oosterlicht": [("15", "kinderen komen geregeld in de tuin"),
                              ("16", "bewoners en partijen doneerden tuinmateriaal")],
    "Repair Café Lichtenberg": [("25", "activiteiten per jaar door bewoners opgezet"),
                                ("70%", "van de spullen weer heel")],
}

# The weekly and monthly rhythm: initiative, title, (weekday or None), (nth weekday of the
# month or None), start, place index or None, typical participants, public, by residents,
# months (None: all year).
RHYTHM = [
    ("Burenhulp Oosterlicht", "Koffie-ochtend", 0, None, time(10, 0), 0, 22, True, True, None),
    ("Burenhulp Oosterlicht", "Boodschappenronde", 3, None, None, None, 7, False, True, None),
    ("Burenhulp Oosterlicht", "Taalcafé", 1, None, time(19, 30), 0, 9, True, True, None),
    ("Burenhulp Oosterlicht", "Kinderclub", 2, None, time(15, 0), 0, 16, True, False, None),
    ("Repair Café Lichtenberg", "Computerhulp", 3, None, time(14, 0), 0, 6, True, True,
     None),
    ("Burenhulp Oosterlicht", "Vrijdagborrel", 4, None, time(17, 0), 0, 35, True, True, None),
    ("Energiecafé", "Energiecafé", 5, 1, time(10, 0), 0, 14, True, True, None),
    ("Buurttuin Oosterlicht", "Tuinmiddag", 2, None, time(14, 0), 1, 11, True, True,
     {3, 4, 5, 6, 7, 8, 9, 10}),
    ("Buurttuin Oosterlicht", "Oogstmaaltijd", 5, 3, time(17, 30), 1, 28, True, True,
     {6, 7, 8, 9}),
    ("Repair Café Lichtenberg", "Repair Café", 5, 2, time(13, 0), 0, 24, True, True, None),
]

EVENTS = [  # date, name, initiative or None, present, sponsored euros
    (date(2025, 11, 15), "Intocht Sinterklaas Oosterlicht", None, True, 150),
    (date(2026, 4, 27), "Koningsdag vrijmarkt Lichtenbergplein", "Burenhulp Oosterlicht",
     True, 0),
    (date(2026, 6, 13), "Burendag-voorloper: straatfeest Vlierhof", None, False, 250),
    (date(2026, 9, 26), "Burendag", "Buurttuin Oosterlicht", True, 300),
    (date(2026, 10, 31), "Halloween in de wijk", "Burenhulp Oosterlicht", True, 100),
]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    day = date(year, month, 1)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return day + timedelta(days=7 * (nth - 1))


def _dates(weekday: int, nth: int | None, months: set | None):
    day = FIRST_DAY
    while day <= LAST_PLANNED:
        in_season = months is None or day.month in months
        if in_season and day.weekday() == weekday and (
                nth is None or day == _nth_weekday(day.year, day.month, weekday, nth)):
            yield day
        day += timedelta(days=1)


def load(users: dict) -> str:
    """Places, theories of change, partners, key figures, a year of activities, events
    and counts for the demo's initiatives; returns a summary line."""
    rng = random.Random(15)
    initiatives = {i.name: i.id for i in db.session.scalars(select(Initiative))}
    places = []
    for name, kind, days, supported, visitors, bar in PLACES:
        place = MeetingPlace(name=name, kind=kind, opening_days_per_week=days,
                             financially_supported=supported, records_visitors=visitors,
                             records_bar_turnover=bar)
        db.session.add(place)
        places.append(place)
    for name, texts in THEORIES.items():
        db.session.add(TheoryOfChange(initiative_id=initiatives[name], **texts))
    for name, partners in PARTNERS.items():
        db.session.add_all(InitiativePartner(initiative_id=initiatives[name], name=partner,
                                             role=role) for partner, role in partners)
    for name, figures in KEY_FIGURES.items():
        db.session.add_all(
            InitiativeKeyFigure(initiative_id=initiatives[name], value=value, label=label,
                                position=position)
            for position, (value, label) in enumerate(figures))
    db.session.flush()

    board = users.get("secretaris@oosterlicht.example")
    rows = []
    for (initiative, title, weekday, nth, start, place, typical, public, residents,
         months) in RHYTHM:
        for day in _dates(weekday, nth, months):
            planned = day > LAST_HELD
            participants = 0 if planned else max(1, round(rng.gauss(typical, typical / 5)))
            new = 0 if planned else min(participants, rng.choice((0, 0, 1, 1, 2, 3)))
            rows.append({
                "initiative_id": initiatives[initiative], "title": title,
                "activity_date": day, "start_time": start,
                "place_id": places[place].id if place is not None else None,
                "participants": participants, "new_participants": new,
                "volunteers": max(1, round(typical / 6) + rng.choice((-1, 0, 0, 1))),
                "organised_by_residents": residents,
                "costs_cents": 0 if planned else rng.choice((0, 0, 500, 1250, 2000, 3500)),
                "planned": planned, "public": public,
                "created_by_id": board.id if board else None,
            })
    db.session.execute(insert(Activity), rows)

    month, figures = FIRST_DAY, []
    while month <= LAST_HELD:
        winter = month.month in (11, 12, 1, 2)
        figures.append({"place_id": places[0].id, "month": month,
                        "visitors_per_day": rng.randint(25, 50) + (5 if winter else 0),
                        "bar_turnover_cents": 182500 + rng.randint(-30000, 30000)})
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    db.session.execute(insert(PlaceMonthFigure), figures)

    db.session.execute(insert(NeighbourhoodEvent), [
        {"event_date": day, "name": name,
         "initiative_id": initiatives[initiative] if initiative else None,
         "present": present, "sponsored": euros > 0, "sponsored_cents": euros * 100}
        for day, name, initiative, present, euros in EVENTS])

    counts, quarter = [], date(2025, 10, 1)
    while quarter <= date(2026, 7, 1):
        end = (quarter.replace(day=28) + timedelta(days=70)).replace(day=1) - timedelta(days=1)
        burenhulp = initiatives["Burenhulp Oosterlicht"]
        counts += [
            {"initiative_id": burenhulp, "kind": "peer_groups", "period_start": quarter,
             "period_end": end, "count": rng.randint(5, 7)},
            {"initiative_id": burenhulp, "kind": "experts_by_experience",
             "period_start": quarter, "period_end": end, "count": rng.randint(2, 4)},
            {"initiative_id": burenhulp, "kind": "family_network_meetings",
             "period_start": quarter, "period_end": end, "count": rng.randint(1, 3)},
        ]
        quarter = (end + timedelta(days=1))
    db.session.execute(insert(InitiativeCount), counts)
    db.session.flush()
    held = sum(1 for row in rows if not row["planned"])
    return (f"Activities: {len(places)} meeting places, {held} activities held "
            f"{FIRST_DAY:%Y-%m} to {LAST_HELD:%Y-%m}, {len(rows) - held} planned, "
            f"{len(EVENTS)} neighbourhood events")
