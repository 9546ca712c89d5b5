"""The register's rules: persons, memberships, member numbers, status history, consent.

Services flush but do not commit; the view commits once. Each raises `RegisterError`
(a translated message, optionally for one form field) when a rule refuses the change.
"""

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, null, or_, select
from sqlalchemy.orm import aliased

from coop import audit
from coop.accounts.models import User
from coop.args import int_arg
from coop.errors import ServiceError
from coop.extensions import db
from coop.locking import locked_row
from coop.members import signals
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
from coop.pagination import Keyset
from coop.signals import values_from_signal
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


MAX_MEMBER_NUMBER = 2**31 - 1  # the INTEGER column's limit


# What an anonymised person is called (the register, donors, the audit log).
ANONYMISED_NAME = "Geanonimiseerd"


class RegisterError(ServiceError):
    """A refused register change. `field` names the form field the message belongs to."""


def person_for_user(user) -> Person | None:
    """The register entry linked to this account, if any."""
    if user is None or not getattr(user, "id", None):
        return None
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


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
    audit.record(
        "members:person:create", {}, obj=person, actor=actor,
        personal={"name": person.display_name}, person_id=person.id,
    )
    return person


def update_person(person: Person, values: dict[str, Any], actor=None, tag="members:person:update"):
    """Change a person's details; audits exactly what changed. Raises RegisterError.

    Returns the `{field: [old, new]}` of the changed fields.
    """
    if person.anonymised_at is not None:
        raise RegisterError(_l("This person was anonymised; their details cannot be filled in."))
    cleaned = _clean({**{f: getattr(person, f) for f in PERSON_FIELDS}, **values})
    _check_email_free(cleaned["email"], person.id)
    diff = audit.changes(person, PERSON_FIELDS, cleaned)
    if not diff:
        return {}
    for field, value in cleaned.items():
        setattr(person, field, value)
    person.sort_name = sort_name_for(person.family_name, person.given_name)
    db.session.flush()
    audit.record(
        tag, {"fields": sorted(diff)}, obj=person, actor=actor,
        personal={"changes": diff}, person_id=person.id,
    )
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
    counter = locked_row(MemberNumberCounter, {"id": 1}, last_number=0)
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
    last_end = db.session.scalar(
        select(func.max(Membership.end_date)).where(Membership.person_id == person.id)
    )
    if last_end is not None and start_date <= last_end:
        # Overlapping memberships would count the person twice and bill them twice.
        raise RegisterError(
            _l("The new membership must start after the previous one ended (%(date)s).",
               date=last_end.strftime("%d-%m-%Y")),
            "start_date",
        )
    status = MembershipStatus(status)
    membership = Membership(
        person_id=person.id,
        type_id=membership_type.id,
        member_number=next_member_number(),
        start_date=start_date,
        admitted_on=start_date if status == MembershipStatus.ACTIVE else None,
        status=status.value,
        status_reason=reason,
    )
    db.session.add(membership)
    db.session.flush()
    db.session.add(
        MembershipStatusChange(
            membership_id=membership.id, from_status=None, to_status=membership.status,
            effective_date=start_date, reason=reason,
            actor_id=audit.acting_user_id(actor),
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
    if new_status == MembershipStatus.ACTIVE and membership.admitted_on is None:
        membership.admitted_on = effective_date
    if new_status == MembershipStatus.ENDED:
        membership.end_date = effective_date
    db.session.add(
        MembershipStatusChange(
            membership_id=membership.id, from_status=old_status.value, to_status=new_status.value,
            effective_date=effective_date, reason=reason,
            actor_id=audit.acting_user_id(actor),
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
    admitted on or before it and not ended before it (an aspirant is not a member yet;
    one turned down never was)."""
    return (
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.admitted_on <= day,
            (Membership.end_date.is_(None)) | (Membership.end_date >= day),
        )
    )


def member_counts(days: list[date]) -> list[int]:
    """How many were members on each of `days` (as `members_on`), in one statement."""
    if not days:
        return []
    columns = [
        func.coalesce(func.sum(case((and_(
            Membership.admitted_on <= day,
            (Membership.end_date.is_(None)) | (Membership.end_date >= day),
        ), 1), else_=0)), 0)
        for day in days
    ]
    return [int(n) for n in db.session.execute(select(*columns)).one()]


# Membership types ------------------------------------------------------------------

TYPE_FIELDS = ["code", "name", "yearly_dues_cents", "has_vote", "is_active"]


def _check_type_code_free(code: str, type_id: int | None = None) -> None:
    query = select(MembershipType.id).where(MembershipType.code == code)
    if type_id is not None:
        query = query.where(MembershipType.id != type_id)
    if db.session.scalar(query) is not None:
        raise RegisterError(_l("Another membership type has this code."), "code")


MAX_YEARLY_DUES_CENTS = 100_000_00  # € 100.000: far above any coop's dues, within INTEGER


def _check_dues(cents: int) -> None:
    if not 0 <= cents <= MAX_YEARLY_DUES_CENTS:
        raise RegisterError(
            _l("Yearly dues are between € 0 and € 100.000."), "yearly_dues"
        )


def create_membership_type(values: dict[str, Any], actor=None) -> MembershipType:
    """Add a membership type. Raises RegisterError when the code is taken."""
    values = {field: values[field] for field in TYPE_FIELDS}
    _check_type_code_free(values["code"])
    _check_dues(values["yearly_dues_cents"])
    membership_type = MembershipType(**values)
    db.session.add(membership_type)
    db.session.flush()
    audit.record("members:type:create", {"code": membership_type.code, **{
        f: values[f] for f in TYPE_FIELDS if f != "code"}}, obj=membership_type, actor=actor)
    return membership_type


def update_membership_type(membership_type: MembershipType, values: dict[str, Any],
                           actor=None) -> dict[str, list[Any]]:
    """Change a membership type; audits what changed and returns that diff. A new dues
    amount applies to invoices generated afterwards. Raises RegisterError when the code
    is taken."""
    values = {field: values[field] for field in TYPE_FIELDS}
    _check_type_code_free(values["code"], membership_type.id)
    _check_dues(values["yearly_dues_cents"])
    diff = audit.changes(membership_type, TYPE_FIELDS, values)
    if not diff:
        return {}
    for field, value in values.items():
        setattr(membership_type, field, value)
    db.session.flush()
    audit.record("members:type:update", {"changes": diff}, obj=membership_type, actor=actor)
    return diff


# The register list -----------------------------------------------------------------

# Dutch name particles (tussenvoegsels) someone may type before the family name.
_NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "het", "'t", "ten", "ter", "te", "in", "op", "aan",
     "la", "le", "du", "d'", "el", "al"}
)
SORTS = {"name", "number", "start"}


@dataclass(frozen=True)
class RegisterFilters:
    """What the register list shows: search text, filters, order. `status` may also be
    "none" (persons without any membership, e.g. volunteers)."""

    q: str = ""
    type_id: int | None = None
    status: str | None = None
    vote: bool | None = None
    dues_open: bool = False
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> "RegisterFilters":
        """The register list's query parameters (q, type, status, vote, dues, sort, dir);
        unknown values fall back to "no filter"."""

        status = args.get("status", "")
        if status not in {s.value for s in MembershipStatus} | {"none"}:
            status = None
        sort = args.get("sort", "name")
        return cls(
            q=args.get("q", "").strip()[:100],
            type_id=int_arg("type", args=args),
            status=status or None,
            vote={"yes": True, "no": False}.get(args.get("vote", "")),
            dues_open=args.get("dues") == "open",
            sort=sort if sort in SORTS else "name",
            descending=args.get("dir") == "desc",
        )


def _prefix(column, prefix: str):
    """`column` starts with `prefix`, as a range so a b-tree index serves it. Exact with
    code-point ordering (SQLite's BINARY, PostgreSQL's C / C.UTF-8 collation)."""
    return (column >= prefix) & (column < prefix + "\U0010ffff")


def _name_prefixes(q: str) -> set[str]:
    """The sort-name prefixes ("family given", lower case) a search text can mean:
    "aa jan", "jan aa", "jan van der aa" and "van der aa" all find Jan van der Aa."""
    words = q.lower().split()[:6]
    if not words:
        return set()
    candidates = {" ".join(words)}
    for split in range(len(words) + 1):
        given, family = words[:split], words[split:]
        while family and family[0] in _NAME_PARTICLES and len(family) > 1:
            family = family[1:]
        if family:
            candidates.add(" ".join(family + given))
    return candidates


def search_condition(q: str):
    """The WHERE condition on `Person` for what someone typed in a search box, or None
    when `q` is empty (after collapsing whitespace): a member number (of any membership
    the person had), a postcode (whole, or its four digits), the start of an email address
    ("@" in `q`) or of the name, in either order ("jan de vries" finds "Vries, Jan de").

    Used by the member register and the ALV check-in desk; callers join `Membership`
    themselves when they filter on it (the member number is matched by a subquery).
    """
    q = " ".join(q.split())
    if not q:
        return None
    conditions = []
    if q.isascii() and q.isdigit() and int(q) <= MAX_MEMBER_NUMBER:
        # A member number (of any membership the person had), or the digits of a postcode.
        # Member numbers are unique: a scalar subquery the planner turns into an index
        # lookup (an IN (…) next to the other conditions would scan every person).
        conditions.append(
            Person.id
            == select(Membership.person_id)
            .where(Membership.member_number == int(q))
            .scalar_subquery()
        )
        if len(q) == 4:
            conditions.append(_prefix(Person.postcode, q))
    with contextlib.suppress(ValueError):
        conditions.append(Person.postcode == normalise_postcode(q))
    if "@" in q:
        conditions.append(_prefix(Person.email, q.lower()))
    else:
        conditions.extend(_prefix(Person.sort_name, p) for p in _name_prefixes(q))
    return or_(*conditions)


def register_query(filters: RegisterFilters, *, ordered: bool = True):
    """A select of (Person, Membership | None, MembershipType | None) rows, one per
    person, with the person's current membership (or, if all ended, the latest one),
    in the filters' order (`ordered=False`: none, for `register_keyset` to page).

    Every condition is an index lookup or a per-row check on an indexed join; nothing
    per row is loaded later, so a page costs one query whatever the register's size.
    """
    if filters.status == "none":
        query = select(Person, null(), null()).where(
            ~exists().where(Membership.person_id == Person.id)
        )
    else:
        newer = aliased(Membership)
        # At most one membership per person is not ended, and a new one only starts after
        # the previous one ended, so the person's highest id is the current or latest one.
        query = (
            select(Person, Membership, MembershipType)
            .join(Membership, Membership.person_id == Person.id)
            .join(MembershipType, MembershipType.id == Membership.type_id)
            .where(
                ~exists().where(newer.person_id == Membership.person_id, newer.id > Membership.id)
            )
        )
        if filters.type_id is not None:
            query = query.where(Membership.type_id == filters.type_id)
        if filters.status:
            query = query.where(Membership.status == filters.status)
        voting = MembershipType.has_vote.is_(True) & (
            Membership.status == MembershipStatus.ACTIVE.value
        )
        if filters.vote is True:
            query = query.where(voting)
        elif filters.vote is False:
            query = query.where(~voting)
    search = search_condition(filters.q)
    if search is not None:
        query = query.where(search)
    if filters.dues_open:
        query = query.where(and_(*values_from_signal(signals.person_filter, "dues_open")))
    if not ordered:
        return query
    keyset = register_keyset(filters)
    return query.order_by(
        *(c.desc() if keyset.descending else c.asc() for c in keyset.columns)
    )


def register_keyset(filters: RegisterFilters) -> Keyset:
    """The register list's order as a keyset: each sort ends in a unique column, so a
    page can start right after the last row of the one before."""
    if filters.sort == "number" and filters.status != "none":
        return Keyset(
            columns=(Membership.member_number,), descending=filters.descending,
            key_of=lambda row: (row[1].member_number,), parse=(_cursor_int,),
        )
    if filters.sort == "start" and filters.status != "none":
        return Keyset(
            columns=(Membership.start_date, Membership.id), descending=filters.descending,
            key_of=lambda row: (row[1].start_date, row[1].id),
            parse=(date.fromisoformat, _cursor_int),
        )
    return Keyset(
        columns=(Person.sort_name, Person.id), descending=filters.descending,
        key_of=lambda row: (row[0].sort_name, row[0].id), parse=(_cursor_str, _cursor_int),
    )


def _cursor_int(value) -> int:
    if type(value) is not int or not 0 <= value <= MAX_MEMBER_NUMBER:
        raise ValueError(value)
    return value


def _cursor_str(value) -> str:
    if not isinstance(value, str) or len(value) > 320:
        raise ValueError(value)
    return value


# The person's page -----------------------------------------------------------------


@dataclass
class MembershipHistory:
    membership: Membership
    type: MembershipType
    changes: list[tuple[MembershipStatusChange, str | None]]  # (change, actor's name)


def person_history(person: Person) -> tuple[list[ConsentEvent], list[MembershipHistory]]:
    """The consent events and the memberships (newest first) with their status history:
    three queries, whatever the history's length."""

    consents = db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.person_id == person.id)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    ).all()
    rows = db.session.execute(
        select(Membership, MembershipType)
        .join(MembershipType, MembershipType.id == Membership.type_id)
        .where(Membership.person_id == person.id)
        .order_by(Membership.id.desc())
    ).all()
    histories = {m.id: MembershipHistory(m, t, []) for m, t in rows}
    if histories:
        changes = db.session.execute(
            select(MembershipStatusChange, User.name)
            .outerjoin(User, User.id == MembershipStatusChange.actor_id)
            .where(MembershipStatusChange.membership_id.in_(histories))
            .order_by(MembershipStatusChange.id)
        ).all()
        for change, actor_name in changes:
            histories[change.membership_id].changes.append((change, actor_name))
    return list(consents), list(histories.values())
