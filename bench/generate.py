"""Fill a database with a city-scale dataset for the benchmark.

Full scale (`--scale 1`) is a city-wide coop: 50,000 person-like accounts, ~200,000 audit
events, ~20,000 outbox mails and ~50,000 login attempts; `--scale 0.1` is a tenth of it.
The schema comes from the migrations (`flask_migrate.upgrade()`), not `create_all()`,
so every bench run also exercises them. Rows go in with Core bulk inserts (executemany
of dicts, in chunks), with explicit ids, so full scale takes seconds, not minutes. The
same seed gives the same data.

    python -m bench.generate --db sqlite --scale 0.1
    python -m bench.generate --db postgres --scale 1

Extending (later issues: members, ledger, …): write one function per domain,

    def generate_members(conn, ctx: Context) -> dict[str, int]:
        rows = ({"id": i, …} for i in range(1, ctx.count("members") + 1))
        return {"member": insert_rows(conn, Member.__table__, rows)}

add its full-scale size to FULL_SCALE and the function to DOMAINS after the domains it
builds on. `ctx.persons` holds the generated accounts; put what a later domain needs in
`ctx.shared`.
"""

import argparse
import random
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, insert, text

from bench.database import database_url, make_app, reset_database

DEFAULT_SEED = 20261123
# All generated times lie before this moment: the data is the same on every run.
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
CHUNK = 5_000

FULL_SCALE = {
    "persons": 50_000,
    "audit_events": 200_000,
    "outbox_messages": 20_000,
    "login_attempts": 50_000,
    "members": 20_000,  # of the persons, this many have (had) a membership
    "journal_lines": 200_000,  # five years of books, dues postings included
    "bank_lines": 50_000,  # imported CAMT lines over the same five years
    "funders": 60,  # municipality, province, funds, corporations, sponsors
}

# The accounts the benchmark logs in with (see bench/run.py).
BENCH_ADMIN_EMAIL = "beheer@bench.coop.test"
BENCH_BOARD_EMAIL = "bestuur@bench.coop.test"
BENCH_PASSWORD = "bench-wachtwoord-2026"  # noqa: S105 - invented, bench data only

# One argon2 hash for every account with a password: hashing 50,000 times takes hours.
# A fixed salt keeps the data identical between runs.
_PASSWORD_HASH: str | None = None


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from argon2 import PasswordHasher, profiles

        hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
        _PASSWORD_HASH = hasher.hash(BENCH_PASSWORD, salt=b"coop-bench-salt!")
    return _PASSWORD_HASH


# Invented people --------------------------------------------------------------------

FIRST_NAMES = (
    "Anna", "Bram", "Charlotte", "Daan", "Emma", "Finn", "Fleur", "Gijs", "Hanna", "Ilse", "Jan",
    "Jeroen", "Joris", "Julia", "Kees", "Lars", "Lieke", "Lotte", "Luuk", "Maartje", "Marieke",
    "Mark", "Max", "Milan", "Noa", "Noor", "Olivier", "Pieter", "Renée", "Roos", "Ruben", "Sanne",
    "Sem", "Sophie", "Thijs", "Tim", "Tess", "Wouter", "Yara", "Zoë", "Anouk", "Bas", "Cor",
    "Dirk", "Els", "Evi", "Femke", "Frank", "Geert", "Gerda", "Henk", "Ingrid", "Jasper", "Joost",
    "Karin", "Kevin", "Linda", "Marco", "Mieke", "Nienke", "Patrick", "Petra", "Rob", "Sander",
    "Saskia", "Stijn", "Tom", "Truus", "Willem", "Wim", "Mohamed", "Fatima", "Yusuf", "Ayşe",
    "Mehmet", "Samira", "Youssef", "Khadija", "Emre", "Elif", "Priya", "Rajesh", "Shanti",
    "Kwame", "Aïcha", "Thanh", "Mei", "Luca", "Chloë", "Daniël", "Ilias", "Rayan", "Sevda",
    "Ömer", "Inés"
)

# Surnames as written after a first name, infix (tussenvoegsel) included.
SURNAMES = (
    "Jansen", "de Jong", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
    "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal",
    "Prins", "Blom", "Huisman", "Peeters", "de Jonge", "Kuipers", "van Veen", "Post", "Kuiper",
    "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijk", "Postma", "Martens", "Vink",
    "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon", "Boersma",
    "van der Velden", "ter Horst", "in 't Veld", "van 't Hof", "Hofstede", "Zwart", "Wouters",
    "Akkerman", "Lammers", "Roelofs", "Yılmaz", "Kaya", "Demir", "Şahin", "Öztürk", "Aydın", "Koç",
    "Çelik", "El Amrani", "Bouzid", "Haddou", "Ziani", "Benali", "Achahbar", "El Idrissi",
    "Ramdin", "Sewcharan", "Baldewsingh", "Ramdas", "Kromodimedjo", "Nguyen", "Tran", "Mensah",
    "Oduya", "Asante", "Kowalski", "Nowak", "Rossi", "García",
)

MAIL_DOMAINS = (  # invented: never deliverable
    ("ziggo.test", 22), ("kpnmail.test", 14), ("gmail.test", 24), ("hotmail.test", 12),
    ("outlook.test", 10), ("xs4all.test", 5), ("planet.test", 4), ("home.test", 4),
    ("icloud.test", 5),
)


def _ascii(value: str) -> str:
    value = value.replace("ı", "i")
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-"))


def _person_name(rng: random.Random) -> tuple[str, str, str]:
    first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    return f"{first} {surname}", first, surname


def _email(rng: random.Random, first: str, surname: str, taken: set[str]) -> str:
    domains, weights = zip(*MAIL_DOMAINS, strict=True)
    domain = rng.choices(domains, weights)[0]
    style = rng.random()
    surname = _ascii(surname.replace(" ", "").replace("'", "")).lower()
    given = _ascii(first).lower()
    if style < 0.5:
        local = f"{given}.{surname}"
    elif style < 0.75:
        local = f"{given[0]}.{surname}"
    elif style < 0.9:
        local = f"{given}{surname}{rng.randint(1, 99)}"
    else:
        local = f"{given}_{rng.randint(1950, 2008)}"
    email = f"{local}@{domain}"
    suffix = 2
    while email in taken:
        email = f"{local}{suffix}@{domain}"
        suffix += 1
    taken.add(email)
    return email


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.15:
        a, b, c = (rng.getrandbits(16) for _ in range(3))
        return f"2a02:a45f:{a:x}:{b:x}::{c:x}"
    first = rng.choice((31, 62, 77, 84, 86, 89, 94, 145, 188, 213, 217))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _sorted_times(rng: random.Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    """n random moments in [start, end), oldest first (ids follow time, as in real use)."""
    span = (end - start).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(n))
    return [start + timedelta(seconds=round(o, 3)) for o in offsets]


# The run's shared state -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    email: str
    name: str
    roles: tuple[str, ...]
    has_password: bool
    is_active: bool


@dataclass
class Context:
    scale: float
    rng: random.Random
    dialect: str
    now: datetime = ANCHOR
    persons: list[Person] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return max(1, round(FULL_SCALE[name] * self.scale))


def insert_rows(conn: Connection, table: Table, rows: Iterable[dict], chunk: int = CHUNK) -> int:
    """Bulk insert `rows` (dicts with the same keys) in chunks; returns how many."""
    statement = insert(table)
    batch: list[dict] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            conn.execute(statement, batch)
            total += len(batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
        total += len(batch)
    return total


# Domains ----------------------------------------------------------------------------

# Accounts with a fixed job, at every scale: a coop has one board, not one per 1,000
# members. (email or None, roles, two-factor on)
STAFF = (
    (BENCH_ADMIN_EMAIL, ("admin", "member"), False),
    (None, ("admin",), False),
    (BENCH_BOARD_EMAIL, ("board", "member"), False),
    *((None, ("board", "member"), False) for _ in range(5)),
    (None, ("treasurer", "member"), True),
    (None, ("treasurer", "member"), False),
    *((None, ("auditor", "member"), False) for _ in range(3)),
)


def _roles_for(rng: random.Random) -> tuple[str, ...]:
    if rng.random() < 0.003:
        return ("funder",)
    roles = []
    if rng.random() < 0.97:
        roles.append("member")
    if rng.random() < 0.08:
        roles.append("volunteer")
    return tuple(roles)


def generate_accounts(conn: Connection, ctx: Context) -> dict[str, int]:
    from coop.accounts.models import User, UserRole

    rng = ctx.rng
    n = max(ctx.count("persons"), len(STAFF))
    created = _sorted_times(rng, n, ctx.now - timedelta(days=6 * 365), ctx.now)
    hashed = password_hash()
    taken = {e for e, _, _ in STAFF if e}
    totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - invented

    def users():
        for index in range(n):
            user_id = index + 1
            name, first, surname = _person_name(rng)
            if index < len(STAFF):
                fixed_email, roles, two_factor = STAFF[index]
                email = fixed_email or _email(rng, first, surname, taken)
                has_password, active = True, True
            else:
                email = _email(rng, first, surname, taken)
                roles, two_factor = _roles_for(rng), False
                has_password = rng.random() < 0.7
                active = rng.random() < 0.97
            ctx.persons.append(Person(user_id, email, name, roles, has_password, active))
            last_login = None
            if has_password and rng.random() < 0.6:
                last_login = ctx.now - timedelta(seconds=rng.randint(60, 90 * 86400))
            yield {
                "id": user_id,
                "email": email,
                "name": name,
                "password_hash": hashed if has_password else None,
                "locale": None if index < len(STAFF) else rng.choices((None, "nl", "en"),
                                                                      (80, 12, 8))[0],
                "is_active_account": active,
                "totp_secret": totp_secret if two_factor else None,
                "totp_enabled_at": created[index] + timedelta(days=1) if two_factor else None,
                "totp_last_step": None,
                "security_stamp": rng.choice((0, 0, 0, 1, 2)),
                "created_at": created[index],
                "last_login_at": last_login,
            }

    user_count = insert_rows(conn, User.__table__, users())

    def roles():
        row_id = 0
        for person in ctx.persons:
            for role in person.roles:
                row_id += 1
                yield {"id": row_id, "user_id": person.id, "role": role}

    role_count = insert_rows(conn, UserRole.__table__, roles())
    return {"user_account": user_count, "user_role": role_count}


def generate_organisation(conn: Connection, ctx: Context) -> dict[str, int]:
    from coop.settings.models import Organisation

    table = Organisation.__table__
    row = {
        column.name: column.default.arg
        for column in table.columns
        if column.default is not None and not callable(column.default.arg)
    }
    row.update(
        id=1,
        name="Wijkcoöperatie De Buurt",
        legal_form="cooperatie_ua",
        kvk_number="90000001",
        rsin="900000011",
        street="Pleinweg 1",
        postcode="3083 AA",
        city="Rotterdam",
        email="bestuur@debuurt.coop.test",
        website="https://debuurt.coop.test",
        updated_at=ctx.now - timedelta(days=30),
    )
    return {"organisation": insert_rows(conn, table, [row])}


AUDIT_TAGS = (
    ("accounts:user:login", 62),
    ("accounts:user:create", 14),
    ("accounts:user:password", 6),
    ("accounts:user:password_reset", 5),
    ("accounts:user:roles", 5),
    ("accounts:user:2fa_enable", 0.5),
    ("accounts:user:2fa_disable", 0.1),
    ("accounts:user:deactivate", 1),
    ("accounts:user:activate", 0.3),
)
# The board changes the settings a few times a year, however large the coop: a fixed
# number at every scale (fewer than one page), spread over the log.
SETTINGS_EVENTS = 40


def generate_audit_events(conn: Connection, ctx: Context) -> dict[str, int]:
    from coop.audit import AuditEvent

    rng = ctx.rng
    n = ctx.count("audit_events")
    times = _sorted_times(rng, n, ctx.now - timedelta(days=3 * 365), ctx.now)
    tags, weights = zip(*AUDIT_TAGS, strict=True)
    chosen = rng.choices(tags, weights, k=n)
    for index in rng.sample(range(n), min(n, SETTINGS_EVENTS)):
        chosen[index] = "settings:organisation:update"
    persons = ctx.persons
    staff = persons[: len(STAFF)]
    admins = [p for p in staff if "admin" in p.roles]
    role_names = ("member", "volunteer", "funder")

    def events():
        for index in range(n):
            tag = chosen[index]
            subject = rng.choice(persons)
            actor, details = subject, {}
            if tag == "accounts:user:create":
                actor = rng.choice(admins) if rng.random() < 0.6 else None
                details = {"email": subject.email, "roles": sorted(subject.roles)}
            elif tag == "accounts:user:roles":
                actor = rng.choice(admins)
                old = sorted(rng.sample(role_names, rng.randint(0, 2)))
                details = {"old": old, "new": sorted(subject.roles)}
            elif tag in ("accounts:user:deactivate", "accounts:user:activate"):
                actor = rng.choice(admins)
            elif tag == "settings:organisation:update":
                actor = rng.choice(staff[2:8])
                details = {"changes": {"convocation_days": [14, rng.choice((14, 21, 28))]}}
            yield {
                "id": index + 1,
                "at": times[index],
                "actor_id": actor.id if actor else None,
                "actor_label": f"#{actor.id}" if actor else "system",
                "tag": tag,
                "domain": tag.split(":", 1)[0],
                "object_type": "Organisation" if tag.startswith("settings:") else "User",
                "object_id": "1" if tag.startswith("settings:") else str(subject.id),
                "details": details,
                "ip_address": _ip(rng) if actor else None,
            }

    return {"audit_event": insert_rows(conn, AuditEvent.__table__, events())}


_BODY = (
    "Hallo {name},\n\n{intro}\n\n{link}\n\n"
    "Is de link verlopen? Kies dan 'Wachtwoord vergeten?' op de inlogpagina.\n"
)
_MAILS = (
    ("Je account bij de coöperatie",
     "Er is een account voor je aangemaakt in de administratie van de coöperatie. Kies je "
     "wachtwoord met deze link; hij werkt één keer, een uur lang:"),
    ("Wachtwoord opnieuw instellen",
     "Iemand (hopelijk jij) vroeg om het wachtwoord van je account opnieuw in te stellen. "
     "Kies een nieuw wachtwoord met deze link; hij werkt één keer, een uur lang:"),
)


def generate_outbox(conn: Connection, ctx: Context) -> dict[str, int]:
    from coop.mail import OutboxMessage

    rng = ctx.rng
    n = ctx.count("outbox_messages")
    times = _sorted_times(rng, n, ctx.now - timedelta(days=2 * 365), ctx.now)

    def messages():
        for index in range(n):
            person = rng.choice(ctx.persons)
            subject, intro = _MAILS[0] if rng.random() < 0.6 else _MAILS[1]
            token = f"{rng.getrandbits(128):032x}"
            yield {
                "id": index + 1,
                "created_at": times[index],
                "sender": "coop@debuurt.coop.test",
                "recipient": person.email,
                "subject": subject,
                "body_text": _BODY.format(
                    name=person.name, intro=intro,
                    link=f"https://debuurt.coop.test/password/reset/{token}",
                ),
                "body_html": None,
                "message_id": f"<{index + 1}.{token[:16]}@debuurt.coop.test>",
            }

    return {"outbox_message": insert_rows(conn, OutboxMessage.__table__, messages())}


def generate_login_attempts(conn: Connection, ctx: Context) -> dict[str, int]:
    from coop.accounts.models import LoginAttempt

    rng = ctx.rng
    n = ctx.count("login_attempts")
    times = _sorted_times(rng, n, ctx.now - timedelta(days=365), ctx.now)
    with_password = [p for p in ctx.persons if p.has_password] or ctx.persons
    ips = [_ip(rng) for _ in range(max(10, n // 10))]

    def attempts():
        for index in range(n):
            person = rng.choice(with_password)
            roll = rng.random()
            succeeded = roll < 0.88
            email = person.email
            if roll > 0.95:  # a typo or a stranger
                email = "x" + email
            yield {
                "id": index + 1,
                "at": times[index],
                "email": email,
                "ip_address": rng.choice(ips),
                "succeeded": succeeded,
                "second_factor": False,
            }

    return {"login_attempt": insert_rows(conn, LoginAttempt.__table__, attempts())}


Domain = Callable[[Connection, Context], dict[str, int]]

MEMBERSHIP_TYPES = (  # code, name, yearly dues in cents, has a vote, share of members
    ("bewoner", "Bewoner", 2500, True, 85),
    ("initiatief", "Initiatief", 5000, True, 10),
    ("ondernemer", "Ondernemer", 10000, False, 5),
)
POSTCODE_AREAS = ("3581", "3582", "3583", "3584", "3572", "3571", "3573", "3513", "3521")
DUES_YEAR = 2026


def generate_register(conn: Connection, ctx: Context) -> dict[str, int]:
    """Persons (one per account), memberships for some of them, and one year of dues."""
    from coop.dues.models import Invoice, InvoiceLine, InvoiceSequence
    from coop.members.models import MemberNumberCounter, Membership, MembershipType
    from coop.members.models import Person as PersonRow

    rng = ctx.rng
    insert_rows(conn, MembershipType.__table__, [
        {"id": i + 1, "code": code, "name": name, "yearly_dues_cents": dues, "has_vote": vote,
         "is_active": True}
        for i, (code, name, dues, vote, _share) in enumerate(MEMBERSHIP_TYPES)
    ])
    type_ids = [i + 1 for i in range(len(MEMBERSHIP_TYPES))]
    type_weights = [t[4] for t in MEMBERSHIP_TYPES]
    prefixes = ("van", "de", "van der", "van den", "ter")

    def persons():
        for person in ctx.persons:
            first, _, surname = person.name.partition(" ")
            prefix = next((p for p in prefixes if surname.lower().startswith(p + " ")), None)
            family = surname[len(prefix) + 1:] if prefix else surname
            yield {
                "id": person.id, "kind": "person", "given_name": first, "name_prefix": prefix,
                "family_name": family, "sort_name": f"{family} {first}".lower(),
                "email": person.email, "phone": None,
                "street": f"{rng.choice(('Lindelaan', 'Kastanjeplein', 'Biltstraat'))} "
                          f"{rng.randint(1, 300)}",
                "postcode": f"{rng.choice(POSTCODE_AREAS)} "
                            f"{chr(65 + rng.randint(0, 25))}{chr(65 + rng.randint(0, 25))}",
                "city": "Utrecht", "date_of_birth": None,
                "consent_electronic_convocation": rng.random() < 0.8,
                "consent_newsletter": rng.random() < 0.5,
                "user_id": person.id, "anonymised_at": None,
                "created_at": ctx.now, "updated_at": ctx.now,
            }

    person_count = insert_rows(conn, PersonRow.__table__, persons())
    all_ids = [p.id for p in ctx.persons]
    member_ids = rng.sample(all_ids, min(ctx.count("members"), len(all_ids)))
    memberships = []
    for number, person_id in enumerate(sorted(member_ids), start=1):
        start = date(rng.randint(2015, 2026), rng.randint(1, 12), 1)
        if start > ctx.now.date():
            start = date(2026, 1, 1)
        ended = rng.random() < 0.12
        status = "ended" if ended else rng.choices(("active", "aspirant", "suspended"),
                                                   (95, 3, 2))[0]
        memberships.append({
            "id": number, "person_id": person_id,
            "type_id": rng.choices(type_ids, type_weights)[0], "member_number": number,
            "start_date": start,
            "admitted_on": None if status == "aspirant" else start,
            "end_date": max(start, date(2026, 6, 30)) if ended else None,
            "status": status, "status_reason": "verhuisd" if ended else None,
            "created_at": ctx.now,
        })
    membership_count = insert_rows(conn, Membership.__table__, memberships)
    conn.execute(
        insert(MemberNumberCounter.__table__), [{"id": 1, "last_number": len(memberships)}]
    )

    dues = {i + 1: t[2] for i, t in enumerate(MEMBERSHIP_TYPES)}
    invoices, lines = [], []
    for m in memberships:
        if m["status"] not in ("active", "suspended"):
            continue
        sequence = len(invoices) + 1
        amount = dues[m["type_id"]]
        invoices.append({
            "id": sequence, "kind": "invoice", "fiscal_year": DUES_YEAR,
            "sequence_number": sequence, "number": f"{DUES_YEAR}-{sequence:05d}",
            "person_id": m["person_id"], "membership_id": m["id"], "dues_year": DUES_YEAR,
            "credits_invoice_id": None, "issue_date": date(DUES_YEAR, 2, 1),
            "due_date": date(DUES_YEAR, 3, 3), "total_cents": amount,
            "status": rng.choices(("paid", "open"), (85, 15))[0],
            "payment_reference": f"C{DUES_YEAR}{sequence:07d}",
            "addressee_name": "Lid", "addressee_address": None, "pdf_filename": None,
            "issuer": {"name": "Wijkcoöperatie De Buurt", "iban": "NL91ABNA0417164300"},
            "created_at": ctx.now,
        })
        lines.append({"id": sequence, "invoice_id": sequence,
                      "description": f"Contributie {DUES_YEAR}", "quantity": 1,
                      "unit_cents": amount, "amount_cents": amount})
    invoice_count = insert_rows(conn, Invoice.__table__, invoices)
    insert_rows(conn, InvoiceLine.__table__, lines)
    conn.execute(insert(InvoiceSequence.__table__),
                 [{"fiscal_year": DUES_YEAR, "last_number": len(invoices)}])
    return {"person": person_count, "membership": membership_count, "invoice": invoice_count}


LEDGER_YEARS = (2022, 2023, 2024, 2025, 2026)
LEDGER_COST_CENTRES = 40  # initiatives of a city-wide coop
# (weight, debit accounts, credit account, cents low, cents high, uses a cost centre)
LEDGER_EVENTS = (
    (30, ("1000",), "8400", 2_000, 40_000, True),  # bar turnover
    (12, ("1100",), "8200", 500, 25_000, False),  # donations
    (10, ("1100",), "8300", 10_000, 90_000, True),  # room rental
    (6, ("1100",), "8500", 300, 5_000, True),  # participants' contributions
    (2, ("1100",), "8100", 500_000, 5_000_000, False),  # grant tranches
    (1, ("1100",), "8270", 100_000, 1_500_000, True),  # funds
    (14, ("4300",), "1100", 1_000, 60_000, True),  # activity costs
    (8, ("4400",), "1100", 5_000, 80_000, True),  # bar purchases
    (6, ("4000",), "1100", 2_000, 21_000, True),  # volunteer allowances
    (4, ("4100",), "1100", 150_000, 300_000, False),  # buurtbaan wages
    (3, ("4200", "4600"), "1600", 10_000, 300_000, True),  # purchase invoices, 3 lines
    (3, ("1600",), "1100", 10_000, 300_000, False),  # paying them
    (1, ("4900",), "1100", 500, 3_000, False),  # bank costs
    (2, ("1100",), "1000", 20_000, 200_000, False),  # cash to the bank
)


def generate_ledger(conn: Connection, ctx: Context) -> dict[str, int]:
    """Five fiscal years of books: the default chart, cost centres, the 2026 dues
    invoices posted one entry each (as the app does), and day-to-day entries up to
    `journal_lines` lines; 2022-2025 closed with a closing entry each. Entries go in as
    drafts with their lines and are then posted with one UPDATE, so the database checks
    every entry's balance, as it does for the app."""
    from sqlalchemy import select, update

    from coop.dues.models import Invoice
    from coop.ledger.models import (
        CostCentre,
        FiscalYear,
        JournalEntry,
        JournalLine,
        LedgerAccount,
    )
    from coop.ledger.services import DEFAULT_CHART

    rng = ctx.rng
    accounts = {}
    account_rows = []
    for number, (code, name, kind, category, purpose) in enumerate(DEFAULT_CHART, start=1):
        accounts[code] = (number, kind.value)
        account_rows.append({"id": number, "code": code, "name": name, "kind": kind.value,
                             "category": str(category),
                             "purpose": purpose.value if purpose else None,
                             "is_active": True, "created_at": ctx.now})
    insert_rows(conn, LedgerAccount.__table__, account_rows)
    insert_rows(conn, CostCentre.__table__, [
        {"id": n, "code": f"INIT{n:03d}", "name": f"Initiatief {n}", "is_active": True}
        for n in range(1, LEDGER_COST_CENTRES + 1)
    ])
    insert_rows(conn, FiscalYear.__table__, [
        {"year": y, "start_date": date(y, 1, 1), "end_date": date(y, 12, 31), "status": "open",
         "last_entry_number": 0, "closed_at": None, "closed_by_id": None,
         "signed_off_at": None, "signed_off_by_id": None}
        for y in LEDGER_YEARS
    ])

    entries: list[dict] = []
    lines: list[dict] = []
    numbers = dict.fromkeys(LEDGER_YEARS, 0)
    # (year, account id) -> debit minus credit, for the closing entries.
    results: dict[tuple[int, int], int] = {}

    def add(day: date, description: str, parts, source="manual", source_id=None,
            person_id=None, invoice_id=None):
        numbers[day.year] += 1
        entry_id = len(entries) + 1
        entries.append({
            "id": entry_id, "fiscal_year": day.year, "number": numbers[day.year],
            "entry_date": day, "description": description, "reference": None,
            "status": "draft", "source": source, "source_id": source_id,
            "reverses_entry_id": None, "created_by_id": None, "created_at": ctx.now,
        })
        for code, debit, credit, centre in parts:
            account_id, kind = accounts[code]
            lines.append({
                "id": len(lines) + 1, "entry_id": entry_id, "account_id": account_id,
                "debit_cents": debit, "credit_cents": credit, "description": None,
                "person_id": person_id, "invoice_id": invoice_id, "cost_centre_id": centre,
                "agreement_id": _agreement_for(ctx, code, day.year, centre),
            })
            if kind in ("income", "expense") and source != "year_close":
                key = (day.year, account_id)
                results[key] = results.get(key, 0) + debit - credit

    invoice = Invoice.__table__.c
    invoices = conn.execute(
        select(invoice.id, invoice.person_id, invoice.total_cents, invoice.issue_date,
               invoice.number).order_by(invoice.id)
    ).all()
    for invoice_id, person_id, cents, issue_date, number in invoices:
        add(issue_date, f"Contributiefactuur {number}",
            [("1300", cents, 0, None), ("8000", 0, cents, None)],
            source="dues_invoice", source_id=invoice_id, person_id=person_id,
            invoice_id=invoice_id)

    weights = [event[0] for event in LEDGER_EVENTS]
    target = ctx.count("journal_lines")
    days_per_year = {y: (date(y, 12, 31) - date(y, 1, 1)).days + 1 for y in LEDGER_YEARS}
    last_day_2026 = (ctx.now.date() - date(2026, 1, 1)).days - 1
    while len(lines) < target:
        year = rng.choice(LEDGER_YEARS)
        span = last_day_2026 if year == 2026 else days_per_year[year]
        day = date(year, 1, 1) + timedelta(days=rng.randrange(span))
        _w, debits, credit, low, high, centred = rng.choices(LEDGER_EVENTS, weights)[0]
        centre = rng.randint(1, LEDGER_COST_CENTRES) if centred else None
        amounts = [rng.randint(low, high) for _ in debits]
        parts = [(code, cents, 0, centre) for code, cents in zip(debits, amounts, strict=True)]
        parts.append((credit, 0, sum(amounts), centre))
        add(day, f"Boeking {credit} {day:%d-%m}", parts)

    reserve = "0500"
    codes = {account_id: code for code, (account_id, _kind) in accounts.items()}
    for year in LEDGER_YEARS[:-1]:
        balances = [(codes[a], cents) for (y, a), cents in sorted(results.items())
                    if y == year and cents]
        parts = [(code, max(-cents, 0), max(cents, 0), None) for code, cents in balances]
        result = -sum(cents for _code, cents in balances)
        parts.append((reserve, max(-result, 0), max(result, 0), None))
        add(date(year, 12, 31), f"Afsluiting boekjaar {year}", parts, source="year_close")

    insert_rows(conn, JournalEntry.__table__, entries)
    insert_rows(conn, JournalLine.__table__, lines)
    conn.execute(update(JournalEntry.__table__).values(status="posted"))
    for year in LEDGER_YEARS:
        closed = year != LEDGER_YEARS[-1]
        conn.execute(
            update(FiscalYear.__table__).where(FiscalYear.__table__.c.year == year).values(
                last_entry_number=numbers[year], status="closed" if closed else "open",
                closed_at=datetime(year + 1, 3, 1, tzinfo=UTC) if closed else None,
            )
        )
    return {"journal_entry": len(entries), "journal_line": len(lines)}


FUNDER_KINDS = ("municipality", "province", "fund", "fund", "fund", "housing_corporation",
                "entrepreneurs_fund", "company", "company", "lottery")
AGREEMENTS_PER_YEAR = 30


def generate_funders(conn: Connection, ctx: Context) -> dict[str, int]:
    """Funders and, per fiscal year, agreements with two reporting deadlines each; the
    ledger then books grant and fund income, and part of the costs of a cost centre, to
    them (`_agreement_for`)."""
    from coop.funders.models import Funder, FunderAgreement, ReportingDeadline

    rng = random.Random(ctx.rng.random())
    funders = [{"id": n, "name": f"Financier {n:03d}", "kind": FUNDER_KINDS[n % len(FUNDER_KINDS)],
                "contact_name": None, "contact_email": None, "is_active": True,
                "created_at": ctx.now} for n in range(1, ctx.count("funders") + 1)]
    insert_rows(conn, Funder.__table__, funders)
    agreements, deadlines = [], []
    by_year: dict[tuple[int, str], list[int]] = {}
    by_centre: dict[tuple[int, int], int] = {}
    for year in LEDGER_YEARS:
        for n in range(AGREEMENTS_PER_YEAR):
            agreement_id = len(agreements) + 1
            funder = rng.choice(funders)
            grant = funder["kind"] in ("municipality", "province")
            centre = None if grant else rng.randint(1, LEDGER_COST_CENTRES)
            agreements.append({
                "id": agreement_id, "funder_id": funder["id"],
                "kind": "grant_decision" if grant else "fund_grant",
                "reference": f"B-{year}-{n:03d}", "title": f"Afspraak {year}-{n}",
                "amount_cents": rng.randint(50_000, 5_000_000),
                "start_date": date(year, 1, 1), "end_date": date(year, 12, 31),
                # The cost centre is set once the ledger has made them (generate_bank).
                "cost_centre_id": None, "earmark": None, "conditions": None,
                "created_at": ctx.now,
            })
            by_year.setdefault((year, "8100" if grant else "8270"), []).append(agreement_id)
            if centre is not None:
                by_centre[(year, centre)] = agreement_id
                agreements[-1]["_centre"] = centre
            for due, done in ((date(year, 7, 1), year < 2026),
                              (date(year + 1, 4, 1), year < 2025)):
                deadlines.append({
                    "id": len(deadlines) + 1, "agreement_id": agreement_id, "due_date": due,
                    "description": "Verantwoording", "submitted_on": due if done else None,
                    "submitted_by_id": None,
                })
    ctx.shared["agreement_centres"] = {a["id"]: a.pop("_centre") for a in agreements
                                       if "_centre" in a}
    insert_rows(conn, FunderAgreement.__table__, agreements)
    insert_rows(conn, ReportingDeadline.__table__, deadlines)
    ctx.shared["agreements"] = (random.Random(ctx.rng.random()), by_year, by_centre)
    return {"funder": len(funders), "funder_agreement": len(agreements),
            "reporting_deadline": len(deadlines)}


def _agreement_for(ctx: Context, code: str, year: int, centre: int | None) -> int | None:
    """Grant and fund income always comes from an agreement of its year; a third of the
    costs of a cost centre with a fund grant are spent against that grant."""
    if "agreements" not in ctx.shared:
        return None
    rng, by_year, by_centre = ctx.shared["agreements"]
    if code in ("8100", "8270"):
        return rng.choice(by_year[(year, code)]) if (year, code) in by_year else None
    if code.startswith("4") and centre is not None and (year, centre) in by_centre:
        return by_centre[(year, centre)] if rng.random() < 0.33 else None
    return None


def generate_bank(conn: Connection, ctx: Context) -> dict[str, int]:
    """Imported CAMT.053 statements, one per booking day, with `bank_lines` lines: the
    entries that moved money through the bank account, booked by the treasurer (the
    line links its entry), and about one in ten lines still open."""
    from sqlalchemy import bindparam, select, update

    from coop.bank.models import BankStatement, BankTransaction
    from coop.funders.models import FunderAgreement
    from coop.ledger.models import JournalEntry, JournalLine, LedgerAccount
    from coop.settings.models import BankAccount

    agreement = FunderAgreement.__table__
    centres = ctx.shared.get("agreement_centres", {})
    if centres:
        conn.execute(
            update(agreement).where(agreement.c.id == bindparam("agreement"))
            .values(cost_centre_id=bindparam("centre")),
            [{"agreement": a, "centre": c} for a, c in centres.items()],
        )
    rng = random.Random(ctx.rng.random())
    line, entry = JournalLine.__table__.c, JournalEntry.__table__.c
    bank_id = conn.execute(select(LedgerAccount.__table__.c.id).where(
        LedgerAccount.__table__.c.code == "1100")).scalar_one()
    wanted = ctx.count("bank_lines")
    moves = conn.execute(
        select(line.entry_id, entry.entry_date, line.debit_cents, line.credit_cents)
        .join(JournalEntry.__table__, entry.id == line.entry_id)
        .where(line.account_id == bank_id, entry.source != "year_close")
        .order_by(line.entry_id).limit(wanted)
    ).all()
    statements: dict[date, int] = {}
    transactions = []
    seen_entries: set[int] = set()
    for entry_id, day, debit, credit in moves:
        if entry_id in seen_entries:
            continue
        seen_entries.add(entry_id)
        statements.setdefault(day, len(statements) + 1)
        booked = rng.random() >= 0.1
        transactions.append(_bank_row(len(transactions) + 1, statements[day], day,
                                      debit or credit, "credit" if debit else "debit",
                                      entry_id if booked else None, rng))
    while len(transactions) < wanted:  # more lines than bank entries at this scale
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
        statements.setdefault(day, len(statements) + 1)
        transactions.append(_bank_row(len(transactions) + 1, statements[day], day,
                                      rng.randint(500, 50_000), "credit", None, rng))
    counts: dict[int, int] = {}
    for row in transactions:
        counts[row["statement_id"]] = counts.get(row["statement_id"], 0) + 1
    insert_rows(conn, BankStatement.__table__, [
        {"id": number, "format": "camt.053", "message_id": f"MSG{number:08d}",
         "statement_id": f"NL91ABNA0417164300-{day.isoformat()}",
         "account_iban": "NL91ABNA0417164300", "from_date": day, "to_date": day,
         "opening_balance_cents": None, "closing_balance_cents": None,
         "file_sha256": f"{number:064x}", "filename": f"camt053-{day.isoformat()}.xml",
         "transaction_count": counts.get(number, 0), "imported_by_id": None,
         "imported_at": datetime.combine(day + timedelta(days=1), datetime.min.time(),
                                         tzinfo=UTC)}
        for day, number in statements.items()
    ])
    insert_rows(conn, BankTransaction.__table__, transactions)
    # The coop's current account (a setting, linked to 1100 Bank): the statements' IBAN.
    insert_rows(conn, BankAccount.__table__, [
        {"id": 1, "kind": "current", "iban": "NL91ABNA0417164300", "name": "Betaalrekening",
         "ledger_account_id": bank_id, "updated_at": ctx.now}])
    return {"bank_statement": len(statements), "bank_transaction": len(transactions),
            "bank_account": 1}


def _bank_row(number: int, statement_id: int, day: date, cents: int, direction: str,
              entry_id: int | None, rng: random.Random) -> dict:
    iban_number = rng.randint(1, 3_000)
    return {
        "id": number, "statement_id": statement_id, "account_iban": "NL91ABNA0417164300",
        "entry_key": f"ref:B{number:09d}", "booking_date": day, "value_date": day,
        "direction": direction, "amount_cents": cents,
        "counterparty_name": f"Tegenpartij {iban_number}",
        "counterparty_iban": f"NL00BANK{iban_number:010d}",
        "structured_reference": None, "remittance": f"Omschrijving {number}",
        "bank_reference": f"B{number:09d}", "end_to_end_id": None,
        "status": "booked" if entry_id else "open", "payment_id": None,
        "journal_entry_id": entry_id, "settled_by_id": None,
        "settled_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC) if entry_id
        else None,
    }


DOMAINS: list[tuple[str, Domain]] = [
    ("accounts", generate_accounts),
    ("organisation", generate_organisation),
    ("audit", generate_audit_events),
    ("outbox", generate_outbox),
    ("login attempts", generate_login_attempts),
    ("register", generate_register),
    ("funders", generate_funders),
    ("ledger", generate_ledger),
    ("bank", generate_bank),
]


# Running it -------------------------------------------------------------------------


def _finish(conn: Connection, dialect: str) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the data."""
    from coop.extensions import db

    if dialect == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.columns and table.columns["id"].primary_key:
                name = table.name
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                sql = f'SELECT setval({sequence}, coalesce(max(id), 0) + 1, false) FROM "{name}"'  # noqa: S608 - our own table names
                conn.execute(text(sql))


def generate(url: str, scale: float, seed: int = DEFAULT_SEED, log=print) -> dict[str, Any]:
    """Recreate the database at `url` and fill it at `scale`; returns counts and timings."""
    import flask_migrate

    from coop.extensions import db

    started = time.perf_counter()
    reset_database(url)
    app = make_app(url)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    with app.app_context():
        t = time.perf_counter()
        flask_migrate.upgrade()
        timings["migrations"] = time.perf_counter() - t
        dialect = db.engine.dialect.name
        ctx = Context(scale=scale, rng=random.Random(seed), dialect=dialect)
        for name, domain in DOMAINS:
            t = time.perf_counter()
            with db.engine.begin() as conn:
                counts.update(domain(conn, ctx))
            timings[name] = time.perf_counter() - t
            log(f"  {name}: {timings[name]:.1f} s")
        with db.engine.begin() as conn:
            _finish(conn, dialect)
        if dialect == "sqlite":
            # SQLite keeps no statistics by itself: `flask coop analyze` (run after a big
            # import, see the README) gives its planner the table sizes it needs to walk
            # the register's indexes instead of sorting every member.
            t = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            timings["analyze"] = time.perf_counter() - t
        if dialect == "postgresql":
            # What autovacuum does shortly after a bulk load: statistics and the
            # visibility map (index-only scans for COUNT).
            t = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            timings["vacuum analyze"] = time.perf_counter() - t
        db.session.remove()
        db.engine.dispose()
    timings["total"] = time.perf_counter() - started
    return {"url": url, "scale": scale, "seed": seed, "counts": counts, "seconds": timings}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite",
                        help="sqlite, postgres, or a SQLAlchemy URL (default: sqlite)")
    parser.add_argument("--scale", type=float, default=0.1, help="1 = full city scale")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    url = database_url(args.db, args.scale)
    print(f"generating scale {args.scale:g} into {url}")
    result = generate(url, args.scale, args.seed)
    for table, count in result["counts"].items():
        print(f"  {table}: {count:,} rows")
    print(f"done in {result['seconds']['total']:.1f} s")


if __name__ == "__main__":
    main()
