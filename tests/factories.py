"""Factories for test data: `create_user(...)` and friends."""

import itertools

import pyotp

from coop.accounts import services as accounts
from coop.extensions import db
from coop.timeutil import utcnow

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def create_user(
    email: str | None = None,
    *,
    roles=(),
    name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    two_factor: bool = False,
    locale: str | None = None,
):
    n = next(_counter)
    user = accounts.create_user(
        email or f"user{n}@example.org", name or f"Gebruiker {n}", password, roles=roles
    )
    user.locale = locale
    if two_factor:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = utcnow()
    db.session.commit()
    return user


def current_totp(user) -> str:
    return pyotp.TOTP(user.totp_secret).now()


# The member register --------------------------------------------------------------


def create_membership_type(code: str | None = None, *, name: str | None = None,
                           dues_cents: int = 2500, has_vote: bool = True, is_active=True):
    from coop.members.models import MembershipType

    n = next(_counter)
    membership_type = MembershipType(
        code=code or f"type{n}", name=name or f"Soort {n}", yearly_dues_cents=dues_cents,
        has_vote=has_vote, is_active=is_active,
    )
    db.session.add(membership_type)
    db.session.commit()
    return membership_type


def create_person(**values):
    from coop.members import services as members

    n = next(_counter)
    defaults = {
        "given_name": f"Voornaam{n}",
        "family_name": f"Achternaam{n}",
        "email": f"persoon{n}@example.org",
        "street": f"Lindelaan {n}",
        "postcode": "3581 AB",
        "city": "Utrecht",
    }
    person = members.create_person({**defaults, **values})
    db.session.commit()
    return person


def create_member(person=None, membership_type=None, *, start_date=None, status="active",
                  **person_values):
    """A person with a membership; returns the Membership (its person via person_id)."""
    from datetime import date

    from coop.members import services as members

    person = person or create_person(**person_values)
    membership_type = membership_type or create_membership_type()
    membership = members.add_membership(
        person, membership_type, start_date or date(2025, 1, 1), status=status
    )
    db.session.commit()
    return membership


# Dues (helper "dues") --------------------------------------------------------------


def create_invoice(membership=None, *, dues_year: int = 2026, issue_date=None, **member_values):
    """An open dues invoice for `membership` (a new member of a € 25,00 type by default),
    issued through the dues service, so it is numbered like any other."""
    from datetime import date

    from coop.dues import services as dues
    from coop.dues.models import Invoice

    membership = membership or create_member(**member_values)
    dues.generate_dues(
        dues_year, issue_date or date(dues_year, 1, 15), membership_ids=[membership.id]
    )
    db.session.commit()
    return db.session.scalar(
        db.select(Invoice).where(
            Invoice.membership_id == membership.id, Invoice.dues_year == dues_year
        )
    )


# Governance (helper "governance") ----------------------------------------------------


def create_body(kind: str = "board", *, name: str | None = None, **values):
    from coop.governance import services as governance

    names = {"board": "Bestuur", "supervisory_board": "Raad van toezicht",
             "audit_committee": "Kascommissie"}
    body = governance.create_body({
        "name": name or names.get(kind, f"Team {next(_counter)}"), "kind": kind,
        "members_only": kind != "supervisory_board", "is_active": True, "sort_order": 0,
        **values,
    })
    db.session.commit()
    return body


def create_position(body, name: str = "lid", *, authority: str = "none",
                    joint_signers: int | None = None, seats: int = 1):
    from coop.governance import services as governance

    position = governance.create_position(body, {
        "name": name, "signature_authority": authority, "joint_signers": joint_signers,
        "seats": seats, "is_active": True, "sort_order": 0,
    })
    db.session.commit()
    return position


def appoint(position, *, person=None, start_date=None, term_years=None, **person_values):
    """Appoint `person` (a new member with a membership since 2015 by default) through
    the governance service, so every rule applies."""
    from datetime import date

    from coop.governance import services as governance
    from coop.members.models import Person

    if person is None:
        membership = create_member(start_date=date(2015, 1, 1), **person_values)
        person = db.session.get(Person, membership.person_id)
    appointment = governance.appoint(person, position, start_date or date(2024, 6, 15),
                                     term_years)
    db.session.commit()
    return appointment
# The ALV (helper "alv") ------------------------------------------------------------


def save_organisation(**settings):
    """The organisation row with statute settings overridden, saved."""
    from coop.settings.services import get_organisation

    organisation = get_organisation()
    for name, value in settings.items():
        setattr(organisation, name, value)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def create_voter(**person_values):
    """A person with an active membership of a voting type; returns the Person."""
    from coop.members.models import Person

    membership = create_member(**person_values)
    return db.session.get(Person, membership.person_id)


def create_meeting(*, status="convened", starts_at=None, proposals=(("matter", "Voorstel"),),
                   title="Algemene ledenvergadering"):
    """A meeting with one agenda item per proposal, put in `status` directly (the rules
    for convening and opening have their own tests). Returns (meeting, [proposals])."""
    from datetime import timedelta

    from coop.meetings import services as meetings
    from coop.meetings.models import MeetingStatus

    starts_at = starts_at or utcnow() + timedelta(days=20)
    meeting = meetings.create_meeting({
        "title": title, "starts_at": starts_at, "location_kind": "physical",
        "location": "Buurthuis De Linde, Lindelaan 1, Utrecht", "online_url": None,
    })
    created = []
    for kind, proposal_title in proposals:
        item = meetings.add_agenda_item(meeting, proposal_title, None)
        created.append(meetings.add_proposal(
            item, {"kind": kind, "title": proposal_title, "text": f"{proposal_title}: tekst"}
        ))
    meeting.status = MeetingStatus(status).value
    if status != "draft":
        meeting.convened_at = utcnow()
    if status in ("open", "closed"):
        meeting.opened_at = utcnow()
    db.session.commit()
    return meeting, created


# The coop's own bank accounts (helper "bank11") -------------------------------------


def set_bank_account(iban: str, *, kind: str = "current", name: str | None = None,
                     ledger_code: str | None = None):
    """One of the coop's bank accounts, linked to its ledger account (1100 Bank for the
    current account, 1110 Spaarrekening for savings; the default chart is seeded when
    the chart is empty)."""
    from sqlalchemy import select

    from coop.ledger import services as ledger
    from coop.ledger.models import LedgerAccount
    from coop.settings.models import BankAccount

    ledger.ensure_chart()
    code = ledger_code or ("1100" if kind == "current" else "1110")
    account = BankAccount(
        kind=kind, iban=iban, name=name or ("Betaalrekening" if kind == "current"
                                            else "Spaarrekening"),
        ledger_account_id=db.session.scalar(
            select(LedgerAccount.id).where(LedgerAccount.code == code)))
    db.session.add(account)
    db.session.commit()
    return account
