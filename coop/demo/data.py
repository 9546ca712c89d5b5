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

    yield f"Demo loaded: {organisation.name}"
    yield f"All demo accounts use the password: {DEMO_PASSWORD}"
    for email, name, roles in DEMO_USERS:
        yield f"  {email:38} {name} ({', '.join(r.value for r in roles)})"
    yield (
        "The treasurer uses two-factor authentication; the current code: "
        f'.venv/bin/python -c "import pyotp; print(pyotp.TOTP(\'{DEMO_TREASURER_TOTP}\').now())"'
    )
