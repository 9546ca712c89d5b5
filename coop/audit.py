"""The audit log: who did what, when. Append-only.

Every change to members, money, votes, settings and accounts calls `record()` in the
same transaction as the change, so a change and its audit entry land together or not
at all. The database refuses UPDATE and DELETE on the table (triggers below).

Personal data stays out of the append-only entries, because a former member's data must
be erasable (AVG art. 17, the coop's retention term) and an append-only row is not. An
entry names the actor by account id and the object by id; personal values (a name, an
old and new address) go into `AuditPersonalData`, one row per entry, which the
anonymisation of that person deletes. The entry itself still says who did what when.
"""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import DDL, JSON, ForeignKey, Index, String, delete, event, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload, validates

from coop.extensions import db
from coop.timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # "system", or the account as "#<id>": never the email (it is personal data and this
    # row cannot be erased). Lists show the account's current email through `actor`.
    actor_label: Mapped[str] = mapped_column(String(255), nullable=False)
    tag: Mapped[str] = mapped_column(String(80), nullable=False)
    # The tag's first part (`members` of `members:person:update`), so "everything about
    # members" is an index lookup rather than a LIKE scan over the whole log.
    domain: Mapped[str] = mapped_column(String(40), nullable=False)
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))

    # Loading the account or the personal values must be asked for explicitly
    # (`with_people()`).
    actor = relationship("User", lazy="raise")
    personal_data: Mapped["AuditPersonalData | None"] = relationship(
        lazy="raise", uselist=False
    )

    @property
    def actor_display(self) -> str:
        """Who, for a list: the account's email (an anonymised account reads as such)."""
        return self.actor.email if self.actor is not None else self.actor_label

    @validates("tag")
    def _set_domain(self, key, tag: str) -> str:
        self.domain = tag.split(":", 1)[0]
        return tag

    # Newest first, overall, per tag and per domain: each list is an index walk.
    __table_args__ = (
        Index("ix_audit_event_at_id", "at", "id"),
        Index("ix_audit_event_tag_at_id", "tag", "at", "id"),
        Index("ix_audit_event_domain_at_id", "domain", "at", "id"),
    )


class AuditPersonalData(db.Model):
    """The personal values of one audit entry (a name; a changed field's old and new
    value), kept apart so they can be erased when the person is anonymised."""

    __tablename__ = "audit_personal_data"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), primary_key=True)
    # Whose data it is: a person in the register, or an account without one.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


def with_people(query):
    """`query` over AuditEvent, loading each entry's actor and personal values (two
    queries for a whole page)."""

    return query.options(
        selectinload(AuditEvent.actor), selectinload(AuditEvent.personal_data)
    )


# The database itself refuses to change history.
_PG_FUNCTION = DDL(
    """
    CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only';
    END;
    $$ LANGUAGE plpgsql
    """
)
_PG_TRIGGER = DDL(
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
)
_SQLITE_TRIGGERS = [
    DDL(
        f"CREATE TRIGGER audit_event_no_{op.lower()} BEFORE {op} ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )
    for op in ("UPDATE", "DELETE")
]

event.listen(AuditEvent.__table__, "after_create", _PG_FUNCTION.execute_if(dialect="postgresql"))
event.listen(AuditEvent.__table__, "after_create", _PG_TRIGGER.execute_if(dialect="postgresql"))
for _ddl in _SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))


def acting_user(actor: Any = None) -> Any:
    """`actor`, or else the logged-in user of the current request, or None (CLI)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return actor


def acting_user_id(actor: Any = None) -> int | None:
    actor = acting_user(actor)
    return actor.id if actor is not None else None


def record(
    tag: str,
    details: dict[str, Any] | None = None,
    *,
    obj: Any = None,
    actor: Any = None,
    flush: bool = True,
    personal: dict[str, Any] | None = None,
    person_id: int | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add an audit entry to the current transaction (flushes, does not commit).

    `tag` reads `domain:object:action`, e.g. `members:person:update`. A caller writing
    many entries at once passes `flush=False` and flushes once at the end.
    `details` must hold no personal data; `personal` holds it, erasable, for the person
    `person_id` or (an account without a person) the account `user_id`.
    """
    if personal is not None and person_id is None and user_id is None:
        raise ValueError("personal audit data needs the person or account it belongs to")
    actor = acting_user(actor)
    entry = AuditEvent(
        tag=tag,
        details=details or {},
        actor_id=actor.id if actor is not None else None,
        actor_label=f"#{actor.id}" if actor is not None else "system",
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) else None,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    if personal is not None:
        entry.personal_data = AuditPersonalData(
            person_id=person_id, user_id=user_id, data=personal
        )
    db.session.add(entry)
    if flush:
        db.session.flush()
    return entry


def erase_personal_data(*, person_id: int | None = None, user_id: int | None = None) -> int:
    """Delete the personal values of every audit entry about this person or account;
    the entries stay. Returns how many were erased."""

    conditions = []
    if person_id is not None:
        conditions.append(AuditPersonalData.person_id == person_id)
    if user_id is not None:
        conditions.append(AuditPersonalData.user_id == user_id)
    if not conditions:
        return 0
    result = db.session.execute(delete(AuditPersonalData).where(or_(*conditions)))
    return result.rowcount


def changes(obj: Any, fields: list[str], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """The `{field: [old, new]}` of the fields whose value differs; JSON-safe."""
    diff = {}
    for field in fields:
        old, new = getattr(obj, field), new_values[field]
        if old != new:
            diff[field] = [_jsonable(old), _jsonable(new)]
    return diff


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
