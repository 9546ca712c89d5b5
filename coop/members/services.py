"""The register's rules: persons, memberships, member numbers, status history, consent.

Services flush but do not commit; the view commits once. Each raises `RegisterError`
(a translated message, optionally for one form field) when a rule refuses the change.
"""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coop import audit
from coop.extensions import db
from coop.members.models import (
    ConsentEvent,
    ConsentKind,
    MemberNumberCounter,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
    MembershipType,
    Person,
    PersonKind,
)
from coop.validators import normalise_postcode

PERSON_FIELDS = [
    "kind", "given_name", "name_prefix", "family_name", "email", "phone", "street",
    "postcode", "city", "date_of_birth",
]
# The allowed status transitions; "ended" is final (rejoining is a new membership).
TRANSITIONS = {
    MembershipStatus.ASPIRANT: {MembershipStatus.ACTIVE, MembershipStatus.ENDED},
    MembershipStatus.ACTIVE: {MembershipStatus.SUSPENDED, MembershipStatus.ENDED},
    MembershipStatus.SUSPENDED: {MembershipStatus.ACTIVE, MembershipStatus.ENDED},
    MembershipStatus.ENDED: set(),
}
STATUS_LABELS = {
    MembershipStatus.ASPIRANT: _l("aspirant"),
    MembershipStatus.ACTIVE: _l("active"),
    MembershipStatus.SUSPENDED: _l("suspended"),
    MembershipStatus.ENDED: _l("ended"),
}


class RegisterError(Exception):
    """A refused register change. `field` names the form field the message belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def sort_name_for(family_name: str, given_name: str | None) -> str:
    return " ".join(p for p in (family_name, given_name) if p).strip().lower()


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for field in PERSON_FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[field] = value
    cleaned["kind"] = cleaned["kind"] or PersonKind.PERSON.value
    if cleaned["email"]:
        cleaned["email"] = cleaned["email"].lower()
    if cleaned["postcode"]:
        try:
            cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
        except ValueError as error:
            raise RegisterError(error.args[0], "postcode") from error
    if not cleaned["family_name"]:
        raise RegisterError(_l("This field is required."), "family_name")
    if cleaned["date_of_birth"] and cleaned["date_of_birth"] > date.today():
        raise RegisterError(_l("A date of birth cannot be in the future."), "date_of_birth")
    return cleaned


def _check_email_free(email: str | None, person_id: int | None = None) -> None:
    if not email:
        return
    query = select(Person.id).where(Person.email == email)
    if person_id is not None:
        query = query.where(Person.id != person_id)
    if db.session.scalar(query) is not None:
        raise RegisterError(_l("Another person in the register has this email address."), "email")


def create_person(values: dict[str, Any], actor=None) -> Person:
    """Add a person to the register. Raises RegisterError."""
    cleaned = _clean(values)
    _check_email_free(cleaned["email"])
    sort_name = sort_name_for(cleaned["family_name"], cleaned["given_name"])
    person = Person(**cleaned, sort_name=sort_name)
    db.session.add(person)
    db.session.flush()
    audit.record("members:person:create", {"name": person.display_name}, obj=person, actor=actor)
    return person


def update_person(person: Person, values: dict[str, Any], actor=None, tag="members:person:update"):
    """Change a person's details; audits exactly what changed. Raises RegisterError.

    Returns the `{field: [old, new]}` of the changed fields.
    """
    cleaned = _clean({**{f: getattr(person, f) for f in PERSON_FIELDS}, **values})
    _check_email_free(cleaned["email"], person.id)
    diff = audit.changes(person, PERSON_FIELDS, cleaned)
    if not diff:
        return {}
    for field, value in cleaned.items():
        setattr(person, field, value)
    person.sort_name = sort_name_for(person.family_name, person.given_name)
    db.session.flush()
    audit.record(tag, {"changes": diff}, obj=person, actor=actor)
    return diff


def set_consent(person: Person, kind: ConsentKind, given: bool, actor=None) -> bool:
    """Record a consent given or withdrawn; returns False when nothing changed."""
    attribute = f"consent_{ConsentKind(kind).value}"
    if getattr(person, attribute) == given:
        return False
    setattr(person, attribute, given)
    db.session.add(ConsentEvent(person_id=person.id, kind=ConsentKind(kind).value, given=given))
    db.session.flush()
    audit.record(
        "members:person:consent", {"kind": ConsentKind(kind).value, "given": given},
        obj=person, actor=actor,
    )
    return True


def next_member_number() -> int:
    """Take the next member number. The counter row is locked until the transaction
    ends, so two concurrent registrations never get the same number, and numbers only
    go up, so an ended membership's number is never handed out again."""
    counter = db.session.scalar(select(MemberNumberCounter).with_for_update().limit(1))
    if counter is None:
        counter = MemberNumberCounter(last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    db.session.flush()
    return counter.last_number


def current_membership(person: Person) -> Membership | None:
    """The person's membership that has not ended, if any."""
    return db.session.scalar(
        select(Membership).where(
            Membership.person_id == person.id, Membership.status != MembershipStatus.ENDED
        )
    )


def add_membership(
    person: Person,
    membership_type: MembershipType,
    start_date: date,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    reason: str | None = None,
    actor=None,
) -> Membership:
    """Start a membership (also a rejoin: a new membership, same person, new number).

    Raises RegisterError when the person already has a membership that has not ended,
    when the type is no longer offered, or when the person was anonymised.
    """
    if person.anonymised_at is not None:
        raise RegisterError(_l("This person was anonymised and cannot become a member again."))
    if not membership_type.is_active:
        raise RegisterError(_l("This membership type is no longer offered."), "type_id")
    if status == MembershipStatus.ENDED:
        raise RegisterError(_l("A new membership cannot start as ended."), "status")
    existing = current_membership(person)
    if existing is not None:
        raise RegisterError(
            _l("%(name)s is already a member (number %(number)s).",
               name=person.display_name, number=existing.member_number)
        )
    membership = Membership(
        person_id=person.id,
        type_id=membership_type.id,
        member_number=next_member_number(),
        start_date=start_date,
        status=MembershipStatus(status).value,
        status_reason=reason,
    )
    db.session.add(membership)
    db.session.flush()
    db.session.add(
        MembershipStatusChange(
            membership_id=membership.id, from_status=None, to_status=membership.status,
            effective_date=start_date, reason=reason,
            actor_id=actor.id if actor is not None else _current_actor_id(),
        )
    )
    db.session.flush()
    audit.record(
        "members:membership:create",
        {"member_number": membership.member_number, "type": membership_type.code,
         "start_date": start_date.isoformat(), "status": membership.status},
        obj=membership, actor=actor,
    )
    return membership


def change_status(
    membership: Membership,
    new_status: MembershipStatus,
    effective_date: date,
    reason: str | None,
    actor=None,
) -> None:
    """Move a membership to another status, keeping the history. Ending sets the end
    date. Raises RegisterError for a transition the register does not allow."""
    new_status = MembershipStatus(new_status)
    old_status = MembershipStatus(membership.status)
    if new_status not in TRANSITIONS[old_status]:
        raise RegisterError(
            _l("A membership that is %(old)s cannot become %(new)s.",
               old=STATUS_LABELS[old_status], new=STATUS_LABELS[new_status]),
            "status",
        )
    if new_status in (MembershipStatus.ENDED, MembershipStatus.SUSPENDED) and not reason:
        raise RegisterError(_l("Give a reason."), "reason")
    if effective_date < membership.start_date:
        raise RegisterError(
            _l("The date cannot be before the membership started."), "effective_date"
        )
    membership.status = new_status.value
    membership.status_reason = reason
    if new_status == MembershipStatus.ENDED:
        membership.end_date = effective_date
    db.session.add(
        MembershipStatusChange(
            membership_id=membership.id, from_status=old_status.value, to_status=new_status.value,
            effective_date=effective_date, reason=reason,
            actor_id=actor.id if actor is not None else _current_actor_id(),
        )
    )
    db.session.flush()
    audit.record(
        "members:membership:status",
        {"member_number": membership.member_number, "from": old_status.value,
         "to": new_status.value, "effective_date": effective_date.isoformat(), "reason": reason},
        obj=membership, actor=actor,
    )


def members_on(day: date):
    """A select of (Membership, Person) for everyone who was a member on `day`:
    started on or before it and not ended before it (aspirants are not members yet)."""
    return (
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.start_date <= day,
            (Membership.end_date.is_(None)) | (Membership.end_date >= day),
            Membership.status != MembershipStatus.ASPIRANT,
        )
    )


def _current_actor_id() -> int | None:
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None
