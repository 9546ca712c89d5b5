"""The demo cooperative: invented people, shaped like the Utrecht coops in the seeds.

Wijkcoöperatie Oosterlicht is a coöperatie U.A. in an invented Utrecht district with an
ALV, a board of three and a kascommissie, like "Oost voor Elkaar" in seed 003.
"""

import random
import shlex
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import func, select
from stdnum import iban
from stdnum.eu import at_02
from stdnum.nl import bsn

from coop import timeutil
from coop.accounts import services as accounts
from coop.bank import camt
from coop.bank import services as bank
from coop.bank.models import BankTransaction
from coop.demo import activities as demo_activities
from coop.demo import kpis as demo_kpis
from coop.demo import volunteers as demo_volunteers
from coop.directdebit import services as direct_debit
from coop.directdebit.models import BatchItem
from coop.donations import services as donations
from coop.donations.models import Frequency, RecurringDonation
from coop.dues import online as dues_online
from coop.dues import services as dues
from coop.dues.models import Invoice, InvoiceKind, InvoiceStatus
from coop.extensions import db
from coop.funders import services as funders
from coop.funders.models import Funder
from coop.governance import services as governance
from coop.ledger import reports
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, CostCentre, FiscalYear, LedgerAccount
from coop.ledger.reports import balance_before
from coop.ledger.services import Line
from coop.mail import send_mail, send_queued
from coop.meetings import convocation
from coop.meetings import services as meetings
from coop.meetings.models import AttendanceMode
from coop.members import services as members
from coop.members.models import ConsentKind, Membership, MembershipStatus, Person
from coop.money import format_money
from coop.payments import services as payments
from coop.payments.fake_mollie import FakeMollieControl
from coop.payments.gateway import GatewayError
from coop.permissions import Role
from coop.settings.models import BankAccountKind, LegalForm, Organisation
from coop.settings.services import EDITABLE_FIELDS, get_organisation, update_organisation
from coop.timeutil import AMSTERDAM, utcnow

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
        "street": "Lichtenbergplein 12",
        "postcode": "3582 KX",
        "city": "Utrecht",
        "email": "bestuur@oosterlicht.example",
        "website": "https://oosterlicht.example",
        "fiscal_year_start_month": 1,
        "anbi_status": False,
        "sbbi_status": True,
        "jobs_need_funding": False,  # the demo intern and freelancer have no funder
        "convocation_days": 14,
        "amendment_convocation_days": 14,
        "amendment_inspection_days": 7,
        "proxy_cap_per_holder": 2,
        "quorum": None,
        "default_majority": Fraction(1, 2),
        "amendment_majority": Fraction(2, 3),
        "electronic_voting_allowed": True,
        "vote_change_allowed": False,
        "persons_secret_ballot": True,
        "tie_on_persons": "re_vote",
        "dues_proration": "monthly",
        "payment_term_days": 30,
        "reminder_after_days": 14,
        "retention_years": 2,
        "term_years": 3,
        "max_terms": 3,
        "immediately_reeligible": True,
        "creditor_id": _creditor_id("90871234"),
        "bic": "TRIONL2U",
        "direct_debit_notice_days": 14,
        "funder_share_warning_percent": 50,
    }


def _creditor_id(kvk: str) -> str:
    return f"NL{at_02.calc_check_digits(f'NLXXZZZ{kvk}0000')}ZZZ{kvk}0000"


DEMO_CURRENT_IBAN = _valid_iban("TRIO", "0198765432")
DEMO_SAVINGS_IBAN = _valid_iban("TRIO", "0198765440")


def _demo_bank_accounts() -> None:
    """The current account (on every invoice) and a savings account, each on its ledger
    account of the default chart."""

    ledger.ensure_chart()

    def account(code):
        return db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))

    bank.save_bank_accounts({
        BankAccountKind.CURRENT: bank.AccountValues(DEMO_CURRENT_IBAN, "Betaalrekening",
                                                    account("1100")),
        BankAccountKind.SAVINGS: bank.AccountValues(DEMO_SAVINGS_IBAN, "Spaarrekening",
                                                    account("1110")),
    })


def load_demo() -> Iterator[str]:
    """Fill an empty database with the demo coop; yields lines to print."""
    if db.session.scalar(select(Organisation.id).limit(1)) is not None:
        raise RuntimeError("the database already holds an organisation; use an empty database")
    organisation = get_organisation()
    values = demo_organisation_values()
    update_organisation(organisation, {field: values[field] for field in EDITABLE_FIELDS})
    _demo_bank_accounts()

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
    governance_summary = _load_governance()
    agreements = _load_funders(users)
    db.session.commit()
    books = _load_books(users, agreements)
    db.session.commit()
    funders_and_bank = _load_earmarks_and_bank(users, agreements)
    meetings_summary = _load_meetings()
    db.session.commit()
    direct_debit = _load_direct_debit(users)
    db.session.commit()
    online = _load_online_payments(users)
    db.session.commit()

    volunteers_summary = demo_volunteers.load(users, agreements)
    db.session.commit()
    activities_summary = demo_activities.load(users)
    db.session.commit()
    kpis_summary = demo_kpis.load(users, agreements)
    db.session.commit()

    yield f"Demo loaded: {organisation.name}"
    yield summary
    yield governance_summary
    yield books
    yield meetings_summary
    yield direct_debit
    yield funders_and_bank
    yield online
    yield volunteers_summary
    yield activities_summary
    yield kpis_summary
    yield f"All demo accounts use the password: {DEMO_PASSWORD}"
    for email, name, roles in DEMO_USERS:
        yield f"  {email:38} {name} ({', '.join(r.value for r in roles)})"
    # This interpreter's absolute path: the command works from any directory.
    yield (
        "The treasurer uses two-factor authentication; the current code: "
        f"{shlex.quote(sys.executable)} -c "
        f'"import pyotp; print(pyotp.TOTP(\'{DEMO_TREASURER_TOTP}\').now())"'
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

    persons = db.session.scalar(select(func.count(Person.id)))
    return (f"Register: {persons} persons, dues {DUES_YEAR}: "
            f"{result.created} invoices, {paid} paid, {result.created - paid} open "
            f"(overdue), {reminders.sent} reminders in the outbox")


# Governance: board, RvT, kascommissie, ambassadors, with staggered terms ---------------


def _load_governance() -> str:
    """The bodies with staggered terms, relative to today so the demo always shows a
    term ending within three months (the secretary's), a chair halfway, a board member
    in the last of three terms, a secretary who stepped down early, and a kascommissie
    of two appointed a year at a time."""

    month = timeutil.local_today().replace(day=1)

    def ago(months: int):
        return month - relativedelta(months=months)

    def by_email(email: str) -> Person:
        return db.session.scalar(select(Person).where(Person.email == email))

    used: set[int] = set()

    def longest_standing() -> Person:
        """The member admitted first who has no role in the demo yet."""
        person = db.session.scalar(
            select(Person).join(Membership, Membership.person_id == Person.id)
            .where(Membership.status == MembershipStatus.ACTIVE, Person.id.not_in(used),
                   Person.kind == "person", Person.email.is_not(None))
            .order_by(Membership.admitted_on, Person.id).limit(1)
        )
        used.add(person.id)
        return person

    def body(name, kind, positions, **values):
        created = governance.create_body({"name": name, "kind": kind, "members_only": True,
                                          "is_active": True, "sort_order": 0, **values})
        return {
            position_name: governance.create_position(created, {
                "name": position_name, "signature_authority": authority,
                "joint_signers": joint, "seats": seats, "is_active": True, "sort_order": order,
            })
            for order, (position_name, authority, joint, seats) in enumerate(positions)
        }

    board = body("Bestuur", "board", [
        ("voorzitter", "alone", None, 1), ("secretaris", "jointly", 1, 1),
        ("penningmeester", "jointly", 1, 1), ("lid", "none", None, 2),
    ], sort_order=1)
    supervisory = body("Raad van toezicht", "supervisory_board", [
        ("voorzitter", "none", None, 1), ("lid", "none", None, 2),
    ], members_only=False, sort_order=2)
    audit_committee = body("Kascommissie", "audit_committee", [("lid", "none", None, 3)],
                           term_years=1, sort_order=3)
    ambassadors = body("Buurtambassadeurs", "ambassadors", [("ambassadeur", "none", None, 10)],
                       members_only=False, term_years=2, max_terms=5, sort_order=4)

    for email in ("voorzitter@oosterlicht.example", "secretaris@oosterlicht.example",
                  "penningmeester@oosterlicht.example", "kascommissie@oosterlicht.example",
                  "vrijwilliger@oosterlicht.example"):
        used.add(by_email(email).id)

    governance.appoint(by_email("voorzitter@oosterlicht.example"), board["voorzitter"],
                       ago(12), 3)
    # The secretary's term ends within three months; the one before stepped down early.
    secretary_start = month + relativedelta(months=2) - relativedelta(years=3)
    former = governance.appoint(longest_standing(), board["secretaris"],
                                secretary_start - relativedelta(years=2), 3)
    governance.step_down(former, secretary_start - timedelta(days=1),
                         "Te weinig tijd naast het werk")
    governance.appoint(by_email("secretaris@oosterlicht.example"), board["secretaris"],
                       secretary_start, 3)
    governance.appoint(by_email("penningmeester@oosterlicht.example"),
                       board["penningmeester"], ago(6), 3)
    # A board member in the last of three terms: not re-eligible in the rotation schedule.
    term = governance.appoint(longest_standing(), board["lid"],
                              month + relativedelta(months=14) - relativedelta(years=9), 3)
    for _ in range(2):
        term = governance.reappoint(term, 3)
    governance.appoint(longest_standing(), board["lid"], ago(18), 2)

    outsider = members.create_person({
        "given_name": "Marjolein", "name_prefix": "de", "family_name": "Wit",
        "email": "m.dewit@toezicht.example", "city": "Utrecht",
    })
    governance.appoint(outsider, supervisory["voorzitter"], ago(24), 3)
    governance.appoint(longest_standing(), supervisory["lid"], ago(10), 3)

    governance.appoint(by_email("kascommissie@oosterlicht.example"), audit_committee["lid"],
                       ago(4), 1)
    second = governance.appoint(longest_standing(), audit_committee["lid"], ago(13), 1)
    governance.reappoint(second, 1)

    governance.appoint(by_email("vrijwilliger@oosterlicht.example"),
                       ambassadors["ambassadeur"], ago(8), 2)
    governance.appoint(longest_standing(), ambassadors["ambassadeur"], ago(3), 2)
    db.session.flush()
    warnings = governance.term_warnings(timeutil.local_today())
    return (f"Governance: 4 bodies, {len(governance.all_terms())} terms, "
            f"{len(warnings['ending'])} ending within three months")
# Two years of books (the ledger, issue 5) ---------------------------------------------

BOOKS_YEARS = (2025, 2026)
BOOKS_UNTIL = (2026, 10)  # the last month with postings: the demo's "now"
DEMO_COST_CENTRES = [
    ("HUIS", "Huiskamer Lichtenberg"),
    ("BAR", "Buurtbar"),
    ("TUIN", "Buurttuin Oosterlicht"),
    ("REPAIR", "Repair Café"),
]


def _dues_2025(rng) -> None:
    """Dues 2025 (the register demo issued 2026): nearly everyone paid, two written off."""
    dues.generate_dues(2025, date(2025, 2, 1))
    invoices_2025 = db.session.scalars(
        select(Invoice).where(Invoice.dues_year == 2025).order_by(Invoice.id)).all()
    for number, invoice in enumerate(invoices_2025):
        if number in (3, 17):
            continue
        dues.record_payment(invoice, invoice.total_cents,
                            date(2025, rng.randint(2, 4), rng.randint(1, 28)),
                            rng.choice(["bank_transfer", "bank_transfer", "cash"]),
                            today=date(2025, 12, 31))
    for invoice in invoices_2025:
        if invoice.status == InvoiceStatus.OPEN:
            dues.write_off(invoice, "Onbereikbaar na twee herinneringen",
                           today=date(2025, 12, 15))


def _post_year(post, rng, year: int) -> int:
    """A year's grants, contracts, monthly costs and income through `post`; returns
    about how many monthly entries were made."""
    entries = 0
    last_month = BOOKS_UNTIL[1] if year == BOOKS_UNTIL[0] else 12
    # Grants and contracts.
    if year == 2025:
        post(date(2025, 2, 14), "Subsidie gemeente Utrecht 2025, eerste termijn", "1100",
             "8100", 1500000, reference="Beschikking 2025-0418")
        post(date(2025, 7, 11), "Subsidie gemeente Utrecht 2025, tweede termijn", "1100",
             "8100", 1500000, reference="Beschikking 2025-0418")
        post(date(2025, 5, 20), "Bijdrage Oranje Fonds buurttuin", "1100", "8270",
             500000, "TUIN", reference="OF-2025-7731")
    else:
        post(date(2026, 2, 13), "Subsidie gemeente Utrecht 2026", "1100", "8100",
             2400000, reference="Beschikking 2026-0102")
        for quarter_month in (1, 4, 7, 10):
            post(date(2026, quarter_month, 5),
                 f"Right to Challenge beheer speeltuin, termijn {quarter_month // 3 + 1}",
                 "1100", "8150", 450000, reference="RtC-2026-03")
            post(date(2026, quarter_month, 20),
                 f"Onderhoud speeltuin (Right to Challenge), kwartaal {quarter_month // 3 + 1}",
                 "4300", "1600", 300000, reference="RtC-2026-03")
            post(date(2026, quarter_month, 30),
                 f"Betaling onderhoud speeltuin, kwartaal {quarter_month // 3 + 1}",
                 "1600", "1100", 300000)
        post(date(2026, 6, 2), "Bijdrage Fonds 1818 Repair Café", "1100", "8270",
             750000, "REPAIR", reference="F1818-26-112")
    post(date(year, 3, 1), f"Bijdrage woningcorporatie leefbaarheid {year}", "1100",
         "8260", 250000, reference=f"Leefbaarheid {year}")
    post(date(year, 9, 15), f"Sponsoring Bakkerij Van Dam buurtfeest {year}", "1100",
         "8250", 35000, "HUIS", reference=f"Sponsoring {year}")
    for month in range(1, last_month + 1):
        first = date(year, month, 1)
        post(first, f"Huur en energie huiskamer {first:%m-%Y}", "4200", "1100", 145000,
             "HUIS")
        post(date(year, month, 25), f"Vrijwilligersvergoedingen {first:%m-%Y}", "4000",
             "1100", rng.randrange(55000, 90000, 500), "HUIS")
        post(date(year, month, 25), f"Loon buurtbaan {first:%m-%Y}", "4100", "1100",
             205000)
        post(date(year, month, rng.randint(2, 27)), f"Zaalverhuur {first:%m-%Y}", "1100",
             "8300", rng.randrange(25000, 70000, 2500), "HUIS")
        post(date(year, month, 28), f"Collectebus en giften {first:%m-%Y}", "1000",
             "8200", rng.randrange(9000, 32000, 5), "HUIS")
        post(date(year, month, 10), f"Inkoop bar {first:%m-%Y}", "4400", "1100",
             rng.randrange(25000, 42000, 5), "BAR")
        post(date(year, month, 12), f"Activiteiten en materialen {first:%m-%Y}", "4300",
             "1100", rng.randrange(8000, 30000, 5),
             rng.choice(["HUIS", "TUIN", "REPAIR"]))
        post(date(year, month, 28), f"Bankkosten {first:%m-%Y}", "4900", "1100", 1250)
        for week_day in (6, 13, 20, 27):
            post(date(year, month, week_day), f"Baromzet week van {week_day}-{month}",
                 "1000", "8400", rng.randrange(12000, 26000, 5), "BAR")
        post(date(year, month, 28), f"Afstorting kas {first:%m-%Y}", "1100", "1000",
             90000)
        entries += 17
    post(date(year, 4, 15), f"Verzekeringen {year}", "4700", "1100", 68000)
    post(date(year, 5, 8), f"Drukwerk en website {year}", "4500", "1600", 42000)
    post(date(year, 6, 8), f"Betaling drukwerk en website {year}", "1600", "1100", 42000)
    post(date(year, 11 if year == 2025 else 10, 30), f"Afschrijving inventaris {year}",
         "4800", "0100", 80000)
    if year == 2025:
        post(date(2025, 12, 20), "Kantoorartikelen en administratie", "4600", "1700",
             12500)
    return entries


def _close_2025(treasurer, auditor) -> None:
    """2025 closed, checked and signed off by the kascommissie."""
    year_2025 = db.session.get(FiscalYear, 2025)
    ledger.close_fiscal_year(year_2025, actor=treasurer)
    ledger.record_finding(year_2025, "Kas en bank sluiten aan op de afschriften; de "
                          "bonnen van de bar zijn compleet.", actor=auditor)
    ledger.record_finding(year_2025, "Advies: leg de afspraken over zaalverhuur vast in "
                          "een prijslijst.", actor=auditor)
    ledger.sign_off_fiscal_year(year_2025, actor=auditor)


def _budgets_2026(treasurer, centres: dict) -> None:
    budgets = {"8000": 220000, "8100": 2400000, "8150": 1800000, "8200": 250000,
               "8260": 250000, "8270": 750000, "8300": 550000, "8400": 950000,
               "4000": 900000, "4100": 2460000, "4200": 1740000, "4300": 250000,
               "4400": 400000, "4500": 50000, "4700": 70000, "4800": 80000, "4900": 15000}

    accounts = {a.code: a for a in db.session.scalars(select(LedgerAccount))}
    for code, cents in budgets.items():
        ledger.set_budget(2026, accounts[code], cents, actor=treasurer)
    ledger.set_budget(2026, accounts["8400"], 950000, centres["BAR"], actor=treasurer)


def _load_books(users: dict, agreements: dict | None = None) -> str:
    """2025 and 2026 of the coop's books, all posted through the ledger services: an
    opening balance, dues (2025 generated here, 2026 by the register demo), a municipal
    grant and a Right-to-Challenge contract, funds and a housing corporation, donations,
    room rental, weekly bar turnover, rent, allowances, buurtbaan wages, a correction by
    a reversing entry; 2025 closed, checked and signed off by the kascommissie; budgets
    for 2026."""
    rng = random.Random(2025)
    treasurer = users["penningmeester@oosterlicht.example"]
    auditor = users["kascommissie@oosterlicht.example"]
    ledger.seed_default_chart(actor=treasurer)
    for year in BOOKS_YEARS:
        if db.session.get(FiscalYear, year) is None:
            ledger.open_fiscal_year(year, actor=treasurer)
    centres = {code: ledger.create_cost_centre(code, name, actor=treasurer)
               for code, name in DEMO_COST_CENTRES}

    agreements = agreements or {}

    def post(day, description, debit, credit, cents, centre=None, reference=None):
        centre_id = centres[centre].id if centre else None
        # Money from or for a funder's agreement carries its link (coop.funders).
        agreement = agreements.get(reference)
        links = {"agreement_id": agreement.id} if agreement is not None else {}
        return ledger.post_entry(
            day, description,
            [Line(debit, debit_cents=cents, cost_centre_id=centre_id, links=links),
             Line(credit, credit_cents=cents, cost_centre_id=centre_id, links=links)],
            reference=reference, actor=treasurer,
        )

    ledger.post_entry(date(2025, 1, 1), "Beginbalans 2025", [
        Line("1100", debit_cents=845000), Line("1000", debit_cents=31240),
        Line("0100", debit_cents=240000), Line("0500", credit_cents=1116240),
    ], actor=treasurer)

    _dues_2025(rng)
    entries = 0
    for year in BOOKS_YEARS:
        entries += _post_year(post, rng, year)

    # A correction: the rent of March 2026 was booked twice.
    twice = post(date(2026, 3, 2), "Huur en energie huiskamer 03-2026", "4200", "1100",
                 145000, "HUIS")
    ledger.reverse_entry(twice, date(2026, 3, 9), "Dubbel geboekt", actor=treasurer)

    _close_2025(treasurer, auditor)
    _budgets_2026(treasurer, centres)
    result = reports.income_statement(date(2025, 1, 1), date(2025, 12, 31)).result_cents
    return (f"Books 2025-2026: about {entries} entries plus dues; 2025 closed with a "
            f"result of {format_money(result)} and signed off by the kascommissie")
# The ALV: one held in spring with its decisions, one convened for next month ---------


def _load_meetings() -> str:
    """A closed ALV (accounts, discharge, an election, the budget) and an upcoming one
    (a statute amendment with its document, proxies, a conflict of interest)."""

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


# Direct debit (issue 6) ---------------------------------------------------------------


def _load_direct_debit(users: dict) -> str:
    """Mandates for some members with an open invoice (one signed in the portal by the
    demo member), a batch collected in May 2026 and one storno (insufficient funds)."""

    rows = db.session.execute(
        select(Invoice, Person).join(Person, Person.id == Invoice.person_id)
        .where(Invoice.dues_year == DUES_YEAR, Invoice.status == "open",
               Person.email.is_not(None))
        .order_by(Invoice.id).limit(6)
    ).all()
    member = db.session.scalar(
        select(Person).where(Person.user_id == users["lid@oosterlicht.example"].id))
    accounts_ = ["0123456789", "0417164300", "0198765400", "0555123456", "0300111222",
                 "0765432100", "0888777666"]
    persons = [person for _invoice, person in rows]
    if member is not None and member not in persons:
        persons.append(member)
    for n, person in enumerate(persons):
        is_member = member is not None and person.id == member.id
        direct_debit.sign_mandate(
            person, account_holder=person.display_name,
            iban=_valid_iban("RABO" if n % 2 else "INGB", accounts_[n % len(accounts_)]),
            signed_on=date(DUES_YEAR, 3, 2 + n),
            source="portal" if is_member else "paper",
            today=date(DUES_YEAR, 4, 20),
        )
    batch = direct_debit.generate_batch(date(DUES_YEAR, 5, 4), today=date(DUES_YEAR, 4, 20))
    direct_debit.send_prenotifications(batch)
    direct_debit.mark_collected(batch, today=date(DUES_YEAR, 5, 4))
    item = db.session.scalar(
        select(BatchItem).where(BatchItem.batch_id == batch.id).order_by(BatchItem.id))
    direct_debit.return_item(item, "AM04", date(DUES_YEAR, 5, 7), today=date(DUES_YEAR, 5, 7))
    return (f"Direct debit: {len(persons)} mandates, a batch of {batch.transaction_count} "
            f"collected on 4 May {DUES_YEAR}, one storno (AM04)")


# Funders, earmarked funds and a bank statement (issue 5) --------------------------------

DEMO_FUNDERS = [  # name, kind, contact
    ("Gemeente Utrecht", "municipality", "Karin Jansen"),
    ("Oranje Fonds", "fund", None),
    ("Fonds 1818", "fund", None),
    ("Woningcorporatie Mitros", "housing_corporation", "Team leefbaarheid Oost"),
    ("Bakkerij Van Dam", "company", "Henk van Dam"),
]
# reference, funder, kind, title, amount in cents, start, end, earmark, conditions
DEMO_AGREEMENTS = [
    ("Beschikking 2025-0418", "Gemeente Utrecht", "grant_decision",
     "Subsidie huiskamer en buurtbaan 2025", 3000000, (2025, 1, 1), (2025, 12, 31),
     "Huur en energie huiskamer, loon buurtbaan, vrijwilligersvergoedingen.",
     "Verantwoording voor 1 april 2026; niet bestede middelen worden teruggevorderd."),
    ("Beschikking 2026-0102", "Gemeente Utrecht", "grant_decision",
     "Subsidie huiskamer en buurtbaan 2026", 2400000, (2026, 1, 1), (2026, 12, 31),
     "Huur en energie huiskamer, loon buurtbaan, vrijwilligersvergoedingen.",
     "Tussenrapportage na het eerste halfjaar; KPI's volgens de bijlage bij de beschikking."),
    ("RtC-2026-03", "Gemeente Utrecht", "right_to_challenge",
     "Right to Challenge: beheer speeltuin Lichtenberg", 1800000, (2026, 1, 1),
     (2026, 12, 31), "Onderhoud, toezicht en kleine reparaties van de speeltuin.",
     "Kwartaalrapportage over onderhoud en gebruik; budget per kwartaal vooraf."),
    ("OF-2025-7731", "Oranje Fonds", "fund_grant", "Buurttuin Oosterlicht", 500000,
     (2025, 4, 1), (2026, 3, 31), "Plantmateriaal, gereedschap en workshops buurttuin.", None),
    ("F1818-26-112", "Fonds 1818", "fund_grant", "Repair Café Lichtenberg", 750000,
     (2026, 5, 1), (2027, 4, 30), "Gereedschap, materialen en vrijwilligerskosten.",
     "Eindverslag met aantallen bezoekers en gerepareerde spullen."),
    ("Leefbaarheid 2025", "Woningcorporatie Mitros", "other", "Bijdrage leefbaarheid 2025",
     250000, (2025, 1, 1), (2025, 12, 31), None, None),
    ("Leefbaarheid 2026", "Woningcorporatie Mitros", "other", "Bijdrage leefbaarheid 2026",
     250000, (2026, 1, 1), (2026, 12, 31), None, None),
    ("Sponsoring 2025", "Bakkerij Van Dam", "sponsorship", "Buurtfeest 2025", 35000,
     (2025, 9, 1), (2025, 9, 30), "Het buurtfeest.", None),
    ("Sponsoring 2026", "Bakkerij Van Dam", "sponsorship", "Buurtfeest 2026", 35000,
     (2026, 9, 1), (2026, 9, 30), "Het buurtfeest.", None),
]


def _load_funders(users: dict) -> dict:
    """Funders and their agreements, before the books, so the books' grants and
    contracts link to them; returns the agreements by reference."""

    treasurer = users["penningmeester@oosterlicht.example"]
    by_name = {
        name: funders.create_funder({"name": name, "kind": kind, "contact_name": contact},
                                    actor=treasurer)
        for name, kind, contact in DEMO_FUNDERS
    }
    agreements = {}
    for (reference, funder, kind, title, cents, start, end, earmark,
         conditions) in DEMO_AGREEMENTS:
        agreements[reference] = funders.create_agreement({
            "funder": by_name[funder], "kind": kind, "reference": reference, "title": title,
            "amount_cents": cents, "start_date": date(*start), "end_date": date(*end),
            "earmark": earmark, "conditions": conditions,
        }, actor=treasurer)
    return agreements


def _load_earmarks_and_bank(users: dict, agreements: dict) -> str:
    """Earmarks on cost centres, earmarked spending, reporting deadlines (one coming up
    within weeks of today, so the dashboard shows it) and one imported CAMT.053
    statement: one dues payment matched, a few lines left for the treasurer."""

    treasurer = users["penningmeester@oosterlicht.example"]
    centres = {c.code: c for c in db.session.scalars(select(CostCentre))}
    for reference, centre in (("OF-2025-7731", "TUIN"), ("F1818-26-112", "REPAIR"),
                              ("Sponsoring 2025", "HUIS"), ("Sponsoring 2026", "HUIS")):
        agreement = agreements[reference]
        values = {name: getattr(agreement, name) for name in (
            "kind", "reference", "title", "amount_cents", "start_date", "end_date",
            "earmark", "conditions")}
        funders.update_agreement(agreement, {
            **values, "funder": _funder_of(agreement), "cost_centre": centres[centre]},
            actor=treasurer)
    repair = agreements["F1818-26-112"]
    for day, description, cents in ((date(2026, 6, 20), "Gereedschapskist Repair Café",
                                     185000),
                                    (date(2026, 9, 12), "Materialen en onderdelen", 42350)):
        ledger.post_entry(day, description, [
            Line("4300", debit_cents=cents, cost_centre_id=centres["REPAIR"].id,
                 links={"agreement_id": repair.id}),
            Line("1100", credit_cents=cents)], reference="F1818-26-112", actor=treasurer)

    today = date.today()
    done = funders.add_deadline(agreements["Beschikking 2025-0418"], date(2026, 4, 1),
                                "Inhoudelijk verslag en financiële verantwoording 2025",
                                actor=treasurer)
    funders.mark_submitted(done, date(2026, 3, 27), actor=treasurer, today=today)
    funders.add_deadline(agreements["Beschikking 2026-0102"], today + timedelta(days=18),
                         "Tussenrapportage met KPI's eerste halfjaar 2026", actor=treasurer)
    funders.add_deadline(agreements["Beschikking 2026-0102"], date(2027, 4, 1),
                         "Inhoudelijk verslag en financiële verantwoording 2026",
                         actor=treasurer)
    funders.add_deadline(agreements["RtC-2026-03"], today + timedelta(days=40),
                         "Kwartaalrapportage speeltuin", actor=treasurer)
    funders.add_deadline(agreements["F1818-26-112"], date(2027, 6, 1),
                         "Eindverslag Repair Café", actor=treasurer)

    open_invoices = db.session.scalars(
        select(Invoice).where(Invoice.dues_year == DUES_YEAR,
                              Invoice.status == InvoiceStatus.OPEN.value)
        .order_by(Invoice.id).limit(2)).all()
    day = date(2026, 10, 29)
    lines = [
        {"amount_cents": invoice.total_cents, "booking_date": day,
         "name": invoice.addressee_name.upper(), "iban": _valid_iban("INGB", f"00{n}1234567"),
         "reference": invoice.payment_reference, "bank_reference": f"TRIO20261029000{n}"}
        for n, invoice in enumerate(open_invoices, start=1)
    ]
    lines += [
        {"amount_cents": 5000, "booking_date": day, "name": "A DE BOER",
         "iban": _valid_iban("RABO", "0123456789"), "text": "Gift voor het buurtfeest",
         "bank_reference": "TRIO202610290008"},
        {"amount_cents": -145000, "booking_date": date(2026, 10, 30),
         "name": "STICHTING HUISVESTING LICHTENBERG", "iban": _valid_iban("ABNA", "0417164300"),
         "text": "Huur en energie huiskamer november 2026",
         "bank_reference": "TRIO202610300001"},
    ]
    bank_account = ledger.account_for(AccountPurpose.BANK)
    data = camt.build_statement(
        iban=DEMO_CURRENT_IBAN, statement_id=f"{DEMO_CURRENT_IBAN}-2026-10-29",
        message_id="TRIO20261031073000001", created="2026-10-31T07:30:00+01:00",
        opening_cents=balance_before(bank_account, day), entries=lines)
    result = bank.import_statement(data, "camt053_oosterlicht_2026-10-29.xml", actor=treasurer)
    first = db.session.scalar(select(BankTransaction).where(
        BankTransaction.statement_id == result.statement.id).order_by(BankTransaction.id))
    if open_invoices:
        bank.match_to_invoice(first, open_invoices[0], actor=treasurer,
                              today=date(2026, 10, 31))
    return (f"Funders: {len(DEMO_FUNDERS)} funders, {len(DEMO_AGREEMENTS)} agreements with "
            f"deadlines; bank: statement of {result.added} lines, "
            f"{bank.open_count()} still to match or book")


def _funder_of(agreement):
    return db.session.get(Funder, agreement.funder_id)


# Online gifts and a dues payment through Mollie -----------------------------------------

DEMO_GIFTS = [  # campaign slug (None: general), euros, name, email, public, company
    ("buurttuin", 500, "Henk Postma", "henk.postma@example.org", True, False),
    ("buurttuin", 250, "Marieke de Groot", "marieke@example.org", True, False),
    ("buurttuin", 240, "Bakkerij Visser", "info@bakkerijvisser.example", True, True),
    ("buurttuin", 150, None, None, False, False),
    ("buurttuin", 100, "Yusuf Kaya", "yusuf@example.org", False, False),
    ("repair-cafe", 35, "Lotte Smit", "lotte@example.org", True, False),
    (None, 50, None, None, False, False),
    (None, 20, "Kees Jansen", "kees@example.org", False, False),
]


def _load_online_payments(users: dict) -> str:
    """Campaigns with gifts, a monthly donor and a dues invoice paid online, all through
    the fake Mollie that scripts/demo.sh starts (real client, real webhook handling).
    Without a reachable Mollie the rest of the demo stays as it is."""

    endpoint = current_app.config["MOLLIE_API_ENDPOINT"]
    control = FakeMollieControl(endpoint)
    treasurer = users["penningmeester@oosterlicht.example"]
    centres = {c.code: c.id for c in db.session.scalars(select(CostCentre))}
    campaigns = {}
    for slug, title, target, centre, text in (
        ("buurttuin", "Buurttuin", 200000, "TUIN",
         "Een moestuin voor de hele buurt achter de Huiskamer: bakken, zaden, gereedschap."),
        ("repair-cafe", "Repair Café", 50000, "REPAIR",
         "Nieuwe gereedschapskist en naaimachine voor het maandelijkse Repair Café."),
    ):
        campaigns[slug] = donations.save_campaign(None, {
            "slug": slug, "title": title, "target_cents": target, "description": text,
            "cost_centre_id": centres.get(centre), "is_active": True}, actor=treasurer)
    db.session.commit()

    def settle(payment, status="paid"):
        control.set_status(payment.mollie_id, status, notify=False)
        payments.handle_webhook(payment.mollie_id)
        db.session.commit()
        send_queued()

    try:
        for slug, euros, name, email, public_ok, company in DEMO_GIFTS:
            gift = donations.Gift(
                amount_cents=euros * 100, donor_name=name, donor_email=email,
                public_consent=public_ok, donor_kind="company" if company else "private",
                campaign=campaigns.get(slug))
            settle(donations.start_gift(gift, payments.new_idempotency_key()))
        failed = donations.start_gift(donations.Gift(amount_cents=1500, campaign=campaigns[
            "repair-cafe"]), payments.new_idempotency_key())
        settle(failed, "failed")
        monthly = donations.start_gift(donations.Gift(
            amount_cents=1000, frequency=Frequency.MONTHLY, donor_name="Ineke Hoekstra",
            donor_email="ineke@example.org", public_consent=True),
            payments.new_idempotency_key())
        settle(monthly)
        recurring = db.session.scalar(select(RecurringDonation))
        charged = control.charge_subscription(recurring.mollie_subscription_id, notify=False)
        payments.handle_webhook(charged["id"])
        db.session.commit()
        send_queued()
        invoice = db.session.scalar(
            select(Invoice).where(Invoice.kind == InvoiceKind.INVOICE,
                                  Invoice.status == InvoiceStatus.OPEN)
            .order_by(Invoice.id).limit(1))
        paid_invoice = None
        if invoice is not None and dues.remaining_cents(invoice) > 0:
            started = dues_online.start_dues_payment(invoice, payments.new_idempotency_key(),
                                                     "nl")
            db.session.commit()
            settle(started)
            paid_invoice = invoice.number
    except (GatewayError, payments.PaymentError, OSError) as error:
        db.session.rollback()
        return f"Online payments skipped: no fake Mollie at {endpoint} ({error})"
    raised = donations.campaign_totals([campaigns["buurttuin"].id])[campaigns["buurttuin"].id]
    return (f"Online payments through the fake Mollie at {endpoint}: "
            f"{len(DEMO_GIFTS) + 2} gifts (Buurttuin {raised[0] // 100} of 2000 euros), "
            f"a monthly donor, dues invoice {paid_invoice} paid online")
