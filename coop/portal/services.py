"""The member portal's rules: whose data a user sees, inviting a person, own details.

Services flush but do not commit. A member only ever reaches their own `Person`
(`Person.user_id == user.id`); every lookup below starts from the logged-in user.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coop import audit
from coop.accounts import services as accounts
from coop.accounts.models import User
from coop.dues import services as dues
from coop.dues.models import Invoice, InvoiceKind, InvoiceStatus
from coop.dues.services import invoice_pdf_path
from coop.errors import ServiceError
from coop.extensions import db
from coop.members import services as members
from coop.members.models import ConsentEvent, ConsentKind, Membership, Person
from coop.members.services import person_for_user
from coop.permissions import Role

CONSENT_LABELS = {
    ConsentKind.ELECTRONIC_CONVOCATION: _l("Invitations to the general meeting by email"),
    ConsentKind.NEWSLETTER: _l("Newsletter"),
}
INVOICE_STATUS_LABELS = {
    InvoiceStatus.OPEN.value: _l("open"),
    dues.OVERDUE: _l("overdue"),
    InvoiceStatus.PAID.value: _l("paid"),
    InvoiceStatus.CREDITED.value: _l("credited"),
    InvoiceStatus.WRITTEN_OFF.value: _l("written off"),
}
INVOICE_KIND_LABELS = {
    InvoiceKind.INVOICE.value: _l("Invoice"),
    InvoiceKind.CREDIT_NOTE.value: _l("Credit note"),
}
CONTACT_FIELDS = ["email", "phone", "street", "postcode", "city"]


class InvitationError(ServiceError):
    """A refused invitation; `str(error)` is a translated message for the board."""


# Whose data --------------------------------------------------------------------------


def own_invoice(person: Person, invoice_id: int) -> Invoice | None:
    """The invoice with this id if it belongs to `person`; None for anyone else's,
    so the caller answers 404 whether the invoice exists or not."""
    return db.session.scalar(
        select(Invoice).where(Invoice.id == invoice_id, Invoice.person_id == person.id)
    )


def memberships_of(person: Person) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.person_id == person.id)
            .options(selectinload(Membership.type), selectinload(Membership.status_changes))
            .order_by(Membership.start_date.desc(), Membership.id.desc())
        )
    )


def invoices_of(person: Person) -> list[Invoice]:
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.person_id == person.id)
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        )
    )


@dataclass(frozen=True)
class ConsentState:
    kind: str
    label: str
    given: bool
    since: datetime | None  # when it was last given or withdrawn; None: never asked


def consents_of(person: Person) -> list[ConsentState]:
    events = db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.person_id == person.id)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    last = {event.kind: event.at for event in events}
    return [
        ConsentState(
            kind=kind.value,
            label=str(label),
            given=getattr(person, f"consent_{kind.value}"),
            since=last.get(kind.value),
        )
        for kind, label in CONSENT_LABELS.items()
    ]


def invoice_pdf_file(invoice: Invoice) -> Path:
    """The archived PDF of an invoice; rendered and archived once by the dues package
    when missing. Flushes (it may record the file name); the caller commits."""

    return invoice_pdf_path(invoice)


# Own contact details -------------------------------------------------------------------


def update_own_details(person: Person, values: dict, consents: dict[str, bool], user) -> dict:
    """A member corrects their contact details and consents.

    The change goes through the register's `update_person`, audited as
    `members:person:self_update` with the diff, so the board sees what changed.
    Only `CONTACT_FIELDS` can change here: name and date of birth stay with the board.
    Raises RegisterError (with the field) for a bad postcode or an email in use.
    Returns the diff of the contact fields.
    """
    contact = {field: values.get(field) for field in CONTACT_FIELDS}
    diff = members.update_person(person, contact, actor=user, tag="members:person:self_update")
    for kind in ConsentKind:
        if kind.value in consents:
            members.set_consent(person, kind, bool(consents[kind.value]), actor=user)
    return diff


# Invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    user: User
    created: bool  # a new account (needs a password) or an existing one linked


def invite(person: Person, actor=None) -> Invitation:
    """Give a person in the register access to the portal.

    Creates an account with the member role linked to the person, or links the
    existing account with the person's email (adding the member role). The caller
    mails the link. Raises InvitationError when the person has no email, is already
    linked, was anonymised, or the account with that email cannot be used.
    """
    if person.anonymised_at is not None:
        raise InvitationError(_l("This person was anonymised."))
    if person.user_id is not None:
        raise InvitationError(
            _l("%(name)s already has an account for the portal.", name=person.display_name)
        )
    if not person.email:
        raise InvitationError(
            _l("%(name)s has no email address in the register; add one first.",
               name=person.display_name)
        )
    user = accounts.get_user_by_email(person.email)
    created = user is None
    if user is None:
        user = accounts.create_user(person.email, person.display_name, None, [Role.MEMBER],
                                    actor=actor)
    else:
        if not user.is_active_account:
            raise InvitationError(
                _l("The account with this email address is deactivated; ask the "
                   "administrator to reactivate it first.")
            )
        if person_for_user(user) is not None:
            raise InvitationError(
                _l("The account with this email address belongs to another person in the "
                   "register.")
            )
        if Role.MEMBER not in user.roles:
            accounts.set_roles(user, user.roles | {Role.MEMBER}, actor=actor)
    person.user_id = user.id
    db.session.flush()
    audit.record(
        "members:person:invite",
        {"user_id": user.id, "new_account": created},
        obj=person,
        actor=actor,
    )
    return Invitation(user=user, created=created)


def needs_password(user: User) -> bool:
    return not user.password_hash
