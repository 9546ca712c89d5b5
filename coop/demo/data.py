"""The demo cooperative: invented people, shaped like the Utrecht coops in the seeds.

Wijkcoöperatie Oosterlicht is a coöperatie U.A. in an invented Utrecht district with an
ALV, a board of three and a kascommissie, like "Oost voor Elkaar" in seed 003.
"""

from collections.abc import Iterator

from sqlalchemy import select
from stdnum import iban
from stdnum.nl import bsn

from coop.accounts import services as accounts
from coop.extensions import db
from coop.mail import send_mail
from coop.permissions import Role
from coop.settings.models import LegalForm, Majority, Organisation
from coop.settings.services import EDITABLE_FIELDS, get_organisation, update_organisation
from coop.timeutil import utcnow

DEMO_PASSWORD = "oosterlicht-demo"  # noqa: S105 - printed for the demo, not a secret
# A fixed TOTP key for the demo treasurer, so the demo can show two-factor login.
DEMO_TREASURER_TOTP = "JBSWY3DPEHPK3PXPOOSTERLICHTDEMO2"

DEMO_USERS = [
    ("beheer@oosterlicht.example", "Beheerder Oosterlicht", [Role.ADMIN]),
    ("voorzitter@oosterlicht.example", "Fatima el Amrani", [Role.BOARD, Role.MEMBER]),
    ("secretaris@oosterlicht.example", "Joost van Leeuwen", [Role.BOARD, Role.MEMBER]),
    ("penningmeester@oosterlicht.example", "Ingrid Bakker", [Role.TREASURER, Role.MEMBER]),
    ("kascommissie@oosterlicht.example", "Ruud Verhoef", [Role.AUDITOR, Role.MEMBER]),
    ("lid@oosterlicht.example", "Sanne de Vries", [Role.MEMBER]),
    ("vrijwilliger@oosterlicht.example", "Mehmet Yılmaz", [Role.VOLUNTEER, Role.MEMBER]),
    ("gemeente@oosterlicht.example", "Karin Jansen (gemeente Utrecht)", [Role.FUNDER]),
]


def _valid_rsin(prefix: str) -> str:
    for last in range(10):
        candidate = f"{prefix}{last}"
        if bsn.is_valid(candidate):
            return candidate
    raise ValueError(prefix)


def _valid_iban(bank: str, account: str) -> str:
    bban = f"{bank}{account}"
    return f"NL{iban.calc_check_digits('NL00' + bban)}{bban}"


def demo_organisation_values() -> dict:
    return {
        "name": "Wijkcoöperatie Oosterlicht U.A.",
        "legal_form": LegalForm.COOPERATIE_UA.value,
        "kvk_number": "90871234",
        "rsin": _valid_rsin("86543210"),
        "iban": _valid_iban("TRIO", "0198765432"),
        "street": "Lichtenbergplein 12",
        "postcode": "3582 KX",
        "city": "Utrecht",
        "email": "bestuur@oosterlicht.example",
        "website": "https://oosterlicht.example",
        "fiscal_year_start_month": 1,
        "anbi_status": False,
        "sbbi_status": True,
        "convocation_days": 14,
        "amendment_convocation_days": 14,
        "amendment_inspection_days": 7,
        "proxy_cap_per_holder": 2,
        "quorum_percent": None,
        "default_majority": Majority.MORE_THAN_HALF.value,
        "amendment_majority": Majority.TWO_THIRDS.value,
        "electronic_voting_allowed": True,
        "vote_change_allowed": False,
        "persons_secret_ballot": True,
        "tie_on_persons": "re_vote",
        "dues_proration": "monthly",
        "payment_term_days": 30,
        "reminder_after_days": 14,
        "retention_years": 2,
    }


def load_demo() -> Iterator[str]:
    """Fill an empty database with the demo coop; yields lines to print."""
    if db.session.scalar(select(Organisation.id).limit(1)) is not None:
        raise RuntimeError("the database already holds an organisation; use an empty database")
    organisation = get_organisation()
    values = demo_organisation_values()
    update_organisation(organisation, {field: values[field] for field in EDITABLE_FIELDS})

    users = {}
    for email, name, roles in DEMO_USERS:
        users[email] = accounts.create_user(email, name, DEMO_PASSWORD, roles=roles)
    treasurer = users["penningmeester@oosterlicht.example"]
    treasurer.totp_secret = DEMO_TREASURER_TOTP
    treasurer.totp_enabled_at = utcnow()
    send_mail(
        "lid@oosterlicht.example",
        "Welkom bij Wijkcoöperatie Oosterlicht",
        "invitation",
        user_name="Sanne de Vries",
        link="http://127.0.0.1:5000/login",
    )
    db.session.commit()

    summary = _load_register_and_dues(users)
    db.session.commit()
    meetings_summary = _load_meetings()
    db.session.commit()

    yield f"Demo loaded: {organisation.name}"
    yield summary
    yield meetings_summary
    yield f"All demo accounts use the password: {DEMO_PASSWORD}"
    for email, name, roles in DEMO_USERS:
        yield f"  {email:38} {name} ({', '.join(r.value for r in roles)})"
    yield (
        "The treasurer uses two-factor authentication; the current code: "
        f'.venv/bin/python -c "import pyotp; print(pyotp.TOTP(\'{DEMO_TREASURER_TOTP}\').now())"'
    )


# The register and a year of dues -----------------------------------------------------

DEMO_TYPES = [  # code, name, yearly dues in cents, has a vote
    ("bewoner", "Bewoner", 2500, True),
    ("initiatief", "Initiatief", 5000, True),
    ("ondernemer", "Ondernemer", 10000, True),
    ("vriend", "Vriend van de coöperatie", 1500, False),
]
GIVEN_NAMES = [
    "Anouk", "Bram", "Chantal", "Daan", "Esra", "Fenna", "Gijs", "Hanna", "Ibrahim", "Joke",
    "Kees", "Lotte", "Mohamed", "Noor", "Olga", "Pieter", "Rana", "Sem", "Tineke", "Umut",
    "Vera", "Wouter", "Yara", "Zeynep", "Aad", "Bep", "Cor", "Dewi", "Emre", "Fleur",
]
FAMILY_NAMES = [
    ("", "Jansen"), ("de", "Boer"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"),
    ("", "Smit"), ("", "Meijer"), ("de", "Groot"), ("", "Mulder"), ("van der", "Linden"),
    ("", "Kaya"), ("", "Öztürk"), ("el", "Idrissi"), ("", "Hoekstra"), ("van den", "Berg"),
    ("", "Koster"), ("", "Prins"), ("", "Postma"), ("ter", "Horst"), ("", "Wijaya"),
]
STREETS = ["Lichtenbergplein", "Kastanjelaan", "Oosterstraat", "Vlierhof", "Weverstraat",
           "Bloemenplein", "Molenweg"]
POSTCODES = ["3582 KX", "3582 KA", "3582 LB", "3583 AC", "3583 BD", "3584 CE"]
DUES_YEAR = 2026


def _load_register_and_dues(users: dict) -> str:
    """About eighty members, a few who left or wait, one year of dues, most paid."""
    import random
    from datetime import date

    from coop.dues import services as dues
    from coop.dues.models import Invoice
    from coop.members import services as members
    from coop.members.models import ConsentKind, MembershipStatus

    rng = random.Random(2026)
    types = {
        code: members.create_membership_type(
            {"code": code, "name": name, "yearly_dues_cents": cents, "has_vote": vote,
             "is_active": True}
        )
        for code, name, cents, vote in DEMO_TYPES
    }

    def address():
        return {"street": f"{rng.choice(STREETS)} {rng.randint(1, 140)}",
                "postcode": rng.choice(POSTCODES), "city": "Utrecht"}

    def join(person, code, start, status=MembershipStatus.ACTIVE):
        membership = members.add_membership(person, types[code], start, status=status)
        if rng.random() < 0.85:
            members.set_consent(person, ConsentKind.ELECTRONIC_CONVOCATION, True)
        return membership

    # The demo accounts that are members get a person linked to their account.
    for email, name, roles in DEMO_USERS:
        if Role.MEMBER not in roles:
            continue
        given, _, family = name.partition(" ")
        prefix = None
        for candidate in ("el", "de", "van der", "van"):
            if family.startswith(candidate + " "):
                prefix, family = candidate, family[len(candidate) + 1:]
                break
        person = members.create_person({"given_name": given, "name_prefix": prefix,
                                        "family_name": family, "email": email, **address()})
        person.user_id = users[email].id
        join(person, "bewoner", date(rng.randint(2019, 2024), rng.randint(1, 12), 1))

    for code, organisation in (("initiatief", "Buurttuin Oosterlicht"),
                               ("initiatief", "Repair Café Lichtenberg"),
                               ("ondernemer", "Bakkerij Van Dam")):
        person = members.create_person({"kind": "organisation", "family_name": organisation,
                                        "email": f"{organisation.split()[-1].lower()}"
                                                 "@oosterlicht.example", **address()})
        join(person, code, date(2022, 3, 1))

    residents = []
    for index in range(72):
        prefix, family = rng.choice(FAMILY_NAMES)
        given = rng.choice(GIVEN_NAMES)
        email = None
        if rng.random() < 0.9:
            email = f"{given.lower()}.{family.lower().replace('ö', 'o')}{index}@buurt.example"
        person = members.create_person({
            "given_name": given, "name_prefix": prefix or None, "family_name": family,
            "email": email, "date_of_birth": date(rng.randint(1944, 2004), rng.randint(1, 12),
                                                  rng.randint(1, 28)),
            **address(),
        })
        residents.append(person)
        code = rng.choices(["bewoner", "vriend"], [90, 10])[0]
        leaves = index % 12 == 5 or index == 7 or index % 25 == 3
        # Who leaves or is suspended joined before that; the others until this autumn.
        start = date(rng.randint(2018, 2023 if leaves else 2026), rng.randint(1, 12), 1)
        if start > date(2026, 10, 1):
            start = date(2026, 9, 1)
        membership = join(person, code, start)
        if index % 12 == 5:  # moved away
            members.change_status(membership, MembershipStatus.ENDED,
                                  date(2025, rng.randint(1, 12), 28), "Verhuisd naar Amersfoort")
        elif index == 7:  # left and came back
            members.change_status(membership, MembershipStatus.ENDED, date(2024, 6, 30),
                                  "Opgezegd")
            members.add_membership(person, types["bewoner"], date(2026, 4, 1))
        elif index % 25 == 3:
            members.change_status(membership, MembershipStatus.SUSPENDED, date(2026, 5, 1),
                                  "Geschorst in afwachting van overleg")

    for given, family in (("Iris", "Vos"), ("Thijs", "Brouwer")):  # waiting for the board
        person = members.create_person({"given_name": given, "family_name": family,
                                        "email": f"{given.lower()}@buurt.example", **address()})
        join(person, "bewoner", date(2026, 11, 1), status=MembershipStatus.ASPIRANT)
    db.session.flush()

    result = dues.generate_dues(DUES_YEAR, date(DUES_YEAR, 2, 1))
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.dues_year == DUES_YEAR).order_by(Invoice.id)
    ).all()
    paid = 0
    for invoice in invoices:
        if rng.random() < 0.8:
            dues.record_payment(
                invoice, invoice.total_cents,
                date(DUES_YEAR, rng.randint(2, 4), rng.randint(1, 28)),
                rng.choice(["bank_transfer", "bank_transfer", "cash"]),
                today=date(DUES_YEAR, 11, 1),
            )
            paid += 1
    reminders = dues.send_reminders(date(DUES_YEAR, 4, 15))
    from sqlalchemy import func

    from coop.members.models import Person

    persons = db.session.scalar(select(func.count(Person.id)))
    return (f"Register: {persons} persons, dues {DUES_YEAR}: "
            f"{result.created} invoices, {paid} paid, {result.created - paid} open "
            f"(overdue), {reminders.sent} reminders in the outbox")


# The ALV: one held in spring with its decisions, one convened for next month ---------


def _load_meetings() -> str:
    """A closed ALV (accounts, discharge, an election, the budget) and an upcoming one
    (a statute amendment with its document, proxies, a conflict of interest)."""
    import random
    from datetime import date, datetime, timedelta

    from coop.meetings import convocation
    from coop.meetings import services as meetings
    from coop.meetings.models import AttendanceMode
    from coop.timeutil import AMSTERDAM

    rng = random.Random(4)
    voters = [person for person, _ in meetings.voting_members()]
    rng.shuffle(voters)

    held_at = datetime(DUES_YEAR, 5, 20, 19, 30, tzinfo=AMSTERDAM)
    past = meetings.create_meeting({
        "title": f"Algemene ledenvergadering voorjaar {DUES_YEAR}", "starts_at": held_at,
        "location_kind": "hybrid", "location": "Buurthuis De Lichtenberg, Lichtenbergplein 12",
        "online_url": "https://vergaderen.oosterlicht.example/alv",
    })
    agenda = [
        ("Opening en mededelingen", None, "De voorzitter opent de vergadering om 19:35 uur."),
        ("Jaarrekening 2025", [
            ("annual_accounts", "Vaststelling jaarrekening 2025",
             "De ALV stelt de jaarrekening 2025 vast, zoals gecontroleerd door de kascommissie."),
            ("discharge", "Decharge bestuur over 2025",
             "De ALV verleent het bestuur decharge voor het gevoerde beleid in 2025."),
        ], "De kascommissie (Ruud Verhoef en Dewi Kaya) heeft de boeken gecontroleerd en "
           "adviseert de jaarrekening vast te stellen."),
        ("Verkiezing bestuurslid", [
            ("election", "Verkiezing bestuurslid 2026-2029",
             "Er is één zetel vacant door het aftreden van de penningmeester."),
        ], "Twee kandidaten stellen zich voor."),
        ("Buurtbudget 2026", [
            ("matter", "Buurtbudget 2026",
             "De ALV stemt in met het buurtbudget 2026 van 12.500 euro voor bewonersinitiatieven."),
        ], "Vragen over de verdeling tussen de buurttuin en het repair café."),
        ("Rondvraag en sluiting", None, "Geen vragen. De voorzitter sluit om 21:10 uur."),
    ]
    proposals = []
    for title, items_proposals, minutes in agenda:
        item = meetings.add_agenda_item(past, title, None)
        item.minutes = minutes
        for kind, proposal_title, text in items_proposals or ():
            proposals.append(meetings.add_proposal(
                item, {"kind": kind, "title": proposal_title, "text": text}))
    election = next(p for p in proposals if p.kind == "election")
    candidates = [meetings.add_candidate(election, name) for name in ("Ingrid Bakker",
                                                                      "Wouter de Groot")]
    meetings.mark_convened(past, held_at - timedelta(days=21))
    meetings.open_meeting(past, now=held_at)
    present = voters[:26]
    for index, person in enumerate(present):
        meetings.check_in(past, person, AttendanceMode.ONLINE if index % 5 == 0
                          else AttendanceMode.IN_PERSON, now=held_at)
    for grantor, holder in zip(voters[26:29], present[1:4], strict=True):
        meetings.grant_proxy(past, grantor, holder, "paper", now=held_at)
    in_room = [p for i, p in enumerate(present) if i % 5 != 0]
    online = [p for i, p in enumerate(present) if i % 5 == 0]
    room_tallies = {  # (for, against, abstain) in the room
        "annual_accounts": (20, 0, 3), "discharge": (18, 2, 3), "matter": (15, 6, 2),
    }
    for proposal in proposals:
        meetings.open_voting(proposal, now=held_at + timedelta(minutes=30))
        for index, person in enumerate(online):
            if proposal.kind == "election":
                meetings.cast_vote(proposal, person,
                                   candidate_ids=[candidates[index % 2].id],
                                   now=held_at + timedelta(minutes=40))
            else:
                meetings.cast_vote(proposal, person, "for" if index % 4 else "against",
                                   now=held_at + timedelta(minutes=40))
        if proposal.kind == "election":
            meetings.record_room_tally(proposal, "paper", {"blank": 1, "invalid": 1},
                                       {candidates[0].id: 13, candidates[1].id: 8})
        else:
            votes_for, against, abstain = room_tallies[proposal.kind]
            meetings.record_room_tally(proposal, "hands",
                                       {"for": votes_for, "against": against,
                                        "abstain": abstain})
        meetings.close_voting(proposal, now=held_at + timedelta(minutes=50))
    meetings.close_meeting(past, now=held_at + timedelta(hours=1, minutes=40))
    del in_room

    upcoming_at = datetime.combine(
        date.today() + timedelta(days=28), datetime.min.time().replace(hour=19, minute=30),
        tzinfo=AMSTERDAM,
    )
    upcoming = meetings.create_meeting({
        "title": f"Algemene ledenvergadering najaar {DUES_YEAR}", "starts_at": upcoming_at,
        "location_kind": "physical", "location": "Buurthuis De Lichtenberg, Lichtenbergplein 12",
        "online_url": None,
    })
    meetings.add_agenda_item(upcoming, "Opening en mededelingen", None)
    amendment_item = meetings.add_agenda_item(
        upcoming, "Statutenwijziging", "Aanpassing aan de WBTR en elektronisch stemmen.")
    amendment = meetings.add_proposal(amendment_item, {
        "kind": "statute_amendment", "title": "Wijziging van de statuten",
        "text": "De ALV besluit de statuten te wijzigen volgens het concept van de notaris, "
                "zodat leden ook elektronisch kunnen stemmen.",
    })
    meetings.add_document(amendment_item, "concept-statuten.txt", "text/plain",
                          "Concept statutenwijziging Wijkcoöperatie Oosterlicht U.A.\n"
                          "Artikel 14: leden kunnen elektronisch stemmen.\n".encode())
    budget_item = meetings.add_agenda_item(upcoming, "Huur buurthuis 2027", None)
    rent = meetings.add_proposal(budget_item, {
        "kind": "matter", "title": "Huurcontract buurthuis 2027",
        "text": "De ALV stemt in met het huurcontract voor het buurthuis in 2027.",
    })
    meetings.add_agenda_item(upcoming, "Rondvraag en sluiting", None)
    result = convocation.convene(upcoming)
    meetings.grant_proxy(upcoming, voters[0], voters[1])
    meetings.register_conflict(voters[2], "Is mede-eigenaar van het pand van het buurthuis.",
                               date(2024, 1, 1), rent)
    del amendment
    return (f"ALV: a past meeting with {len(proposals)} decisions, an upcoming one convened "
            f"({result.emailed} by email, {result.letters} by letter)")
