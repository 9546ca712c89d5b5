"""Governance rules: bodies, positions, appointments (terms), the rotation schedule.

Services flush but do not commit; the view commits once. Each raises `GovernanceError`
(a translated message, optionally for one form field) when a rule refuses the change.

Terms: an appointment lasts `term_years` years from its start (its last day is the day
before the anniversary). Terms of a person on the same body are *consecutive* unless a
break of at least a year lies between them, so an ALV that meets a few weeks after a
term ended cannot reset the count. The statutes (Organisation, overridable per body) set
the longest term, the most consecutive terms and whether someone is immediately
re-eligible.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from coop import audit
from coop.extensions import db
from coop.governance.models import (
    SINGLE_BODY_KINDS,
    Appointment,
    Body,
    BodyKind,
    Position,
    SignatureAuthority,
)
from coop.locking import lock_row
from coop.members.models import Membership, Person
from coop.settings.services import get_organisation
from coop.timeutil import AMSTERDAM, utcnow

BREAK_THAT_ENDS_A_SERIES = relativedelta(years=1)
WARNING_BEFORE_END = relativedelta(months=3)
MIN_AUDIT_COMMITTEE = 2  # BW 2:48: "ten minste twee personen"
MAX_TERM_YEARS = 10

KIND_LABELS = {
    BodyKind.BOARD: _l("Board"),
    BodyKind.SUPERVISORY_BOARD: _l("Supervisory board (RvT)"),
    BodyKind.AUDIT_COMMITTEE: _l("Audit committee (kascommissie)"),
    BodyKind.TEAM: _l("Team or circle"),
    BodyKind.PROJECT_LEADS: _l("Project leads"),
    BodyKind.AMBASSADORS: _l("Neighbourhood ambassadors"),
}
AUTHORITY_LABELS = {
    SignatureAuthority.NONE: _l("no signature authority"),
    SignatureAuthority.ALONE: _l("signs alone"),
    SignatureAuthority.JOINTLY: _l("signs jointly"),
}


class GovernanceError(Exception):
    """A refused governance change. `field` names the form field the message belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def local_today() -> date:
    return datetime.now(AMSTERDAM).date()


def _day(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def term_end(start: date, years: int) -> date:
    """The last day of a term of `years` years starting on `start`."""
    return start + relativedelta(years=years) - timedelta(days=1)


def authority_text(authority: str, joint_signers: int | None) -> str:
    """How a position signs, in words: "signs alone", "signs jointly: 2 signatures needed"."""
    if authority == SignatureAuthority.JOINTLY:
        # Always two or more signatures, so the sentence needs no singular.
        return str(_l("signs jointly: %(count)s signatures needed", count=joint_signers + 1))
    return str(AUTHORITY_LABELS[SignatureAuthority(authority)])


@dataclass(frozen=True)
class TermRules:
    term_years: int
    max_terms: int
    immediately_reeligible: bool


def term_rules(body: Body, organisation=None) -> TermRules:
    """The statutes' term rules for `body`: its own where set, else the coop's."""
    organisation = organisation or get_organisation()
    return TermRules(
        term_years=body.term_years or organisation.term_years,
        max_terms=body.max_terms or organisation.max_terms,
        immediately_reeligible=organisation.immediately_reeligible,
    )


# Bodies and positions ------------------------------------------------------------------

BODY_FIELDS = ["name", "kind", "term_years", "max_terms", "members_only", "is_active",
               "sort_order"]
POSITION_FIELDS = ["name", "signature_authority", "joint_signers", "seats", "is_active",
                   "sort_order"]


def _check_body(values: dict[str, Any], body_id: int | None) -> dict[str, Any]:
    values = {field: values.get(field) for field in BODY_FIELDS}
    values["name"] = (values["name"] or "").strip()
    if not values["name"]:
        raise GovernanceError(_l("This field is required."), "name")
    values["kind"] = BodyKind(values["kind"]).value
    values["sort_order"] = values["sort_order"] or 0
    taken = select(Body.id).where(Body.name == values["name"])
    if body_id is not None:
        taken = taken.where(Body.id != body_id)
    if db.session.scalar(taken) is not None:
        raise GovernanceError(_l("Another body has this name."), "name")
    if values["kind"] in {k.value for k in SINGLE_BODY_KINDS}:
        same_kind = select(Body.name).where(Body.kind == values["kind"])
        if body_id is not None:
            same_kind = same_kind.where(Body.id != body_id)
        existing = db.session.scalar(same_kind)
        if existing is not None:
            raise GovernanceError(
                _l("The coop has one body of this kind, and already has it: %(name)s.",
                   name=existing), "kind"
            )
    if values["kind"] == BodyKind.AUDIT_COMMITTEE and not values["members_only"]:
        raise GovernanceError(
            _l("The law requires the kascommissie to be appointed from the members (BW 2:48)."),
            "members_only",
        )
    for field in ("term_years", "max_terms"):
        if values[field] is not None and not 1 <= values[field] <= MAX_TERM_YEARS:
            raise GovernanceError(_l("Between 1 and 10, or empty for the statutes' default."),
                                  field)
    return values


def create_body(values: dict[str, Any], actor=None) -> Body:
    """Add a body. Raises GovernanceError (name taken, a second board/RvT/kascommissie,
    a kascommissie open to non-members, term rules out of range)."""
    values = _check_body(values, None)
    body = Body(**values)
    db.session.add(body)
    db.session.flush()
    audit.record("governance:body:create", {"name": body.name, "kind": body.kind}, obj=body,
                 actor=actor)
    return body


def update_body(body: Body, values: dict[str, Any], actor=None) -> dict:
    """Change a body; returns the audited diff. Raises GovernanceError as create_body, and
    when the kind would change after someone was appointed (the rules that held for those
    terms, such as the kascommissie's, would no longer match them)."""
    values = _check_body(values, body.id)
    if values["kind"] != body.kind and db.session.scalar(
        select(Appointment.id).join(Position, Position.id == Appointment.position_id)
        .where(Position.body_id == body.id, IN_FORCE).limit(1)
    ) is not None:
        raise GovernanceError(
            _l("The kind cannot change once someone has been appointed to this body."), "kind"
        )
    diff = audit.changes(body, BODY_FIELDS, values)
    if not diff:
        return {}
    for field, value in values.items():
        setattr(body, field, value)
    db.session.flush()
    audit.record("governance:body:update", {"changes": diff}, obj=body, actor=actor)
    return diff


def _check_position(body: Body, values: dict[str, Any], position_id: int | None):
    values = {field: values.get(field) for field in POSITION_FIELDS}
    values["name"] = (values["name"] or "").strip()
    if not values["name"]:
        raise GovernanceError(_l("This field is required."), "name")
    values["signature_authority"] = SignatureAuthority(values["signature_authority"]).value
    values["sort_order"] = values["sort_order"] or 0
    if values["signature_authority"] == SignatureAuthority.JOINTLY:
        if values["joint_signers"] is None or not 1 <= values["joint_signers"] <= 10:
            raise GovernanceError(
                _l("Signing jointly: with how many others (1 to 10)?"), "joint_signers"
            )
    else:
        values["joint_signers"] = None
    if values["seats"] is None or not 1 <= values["seats"] <= 50:
        raise GovernanceError(_l("Between 1 and 50 seats."), "seats")
    taken = select(Position.id).where(Position.body_id == body.id,
                                      Position.name == values["name"])
    if position_id is not None:
        taken = taken.where(Position.id != position_id)
    if db.session.scalar(taken) is not None:
        raise GovernanceError(_l("This body already has a position with this name."), "name")
    return values


def create_position(body: Body, values: dict[str, Any], actor=None) -> Position:
    """Add a position to `body`. Raises GovernanceError (name taken in the body, joint
    signing without a number of co-signatories, seats out of range)."""
    values = _check_position(body, values, None)
    position = Position(body_id=body.id, **values)
    db.session.add(position)
    db.session.flush()
    audit.record("governance:position:create",
                 {"body": body.name, "name": position.name,
                  "signature_authority": position.signature_authority,
                  "joint_signers": position.joint_signers, "seats": position.seats},
                 obj=position, actor=actor)
    return position


def update_position(position: Position, values: dict[str, Any], actor=None) -> dict:
    """Change a position; returns the audited diff. Raises GovernanceError as
    create_position, and when fewer seats are left than persons hold it at once from
    today on."""
    body = db.session.get(Body, position.body_id)
    values = _check_position(body, values, position.id)
    today = local_today()
    terms = [(a.start_date, a.last_day) for a in db.session.scalars(
        select(Appointment).where(Appointment.position_id == position.id, IN_FORCE))
        if a.last_day >= today]
    if terms:
        holders = _most_at_once(terms, today, max(end for _, end in terms))
        if values["seats"] < holders:
            raise GovernanceError(
                _l("%(count)s persons hold this position at the same time; it needs at least "
                   "as many seats.", count=holders), "seats"
            )
    diff = audit.changes(position, POSITION_FIELDS, values)
    if not diff:
        return {}
    for field, value in values.items():
        setattr(position, field, value)
    db.session.flush()
    audit.record("governance:position:update", {"changes": diff}, obj=position, actor=actor)
    return diff


# Appointments --------------------------------------------------------------------------


IN_FORCE = Appointment.voided_at.is_(None)  # not entered in error


def find_person(identifier: str) -> Person:
    """The person with this member number or email address. Raises GovernanceError."""
    identifier = (identifier or "").strip()
    person = None
    if identifier.isascii() and identifier.isdigit() and len(identifier) <= 9:
        person = db.session.scalar(
            select(Person).join(Membership, Membership.person_id == Person.id)
            .where(Membership.member_number == int(identifier))
        )
    elif "@" in identifier:
        person = db.session.scalar(select(Person).where(Person.email == identifier.lower()))
    if person is None:
        raise GovernanceError(
            _l("No person in the register has this member number or email address."), "person"
        )
    return person


def _is_member_on(person: Person, day: date) -> bool:
    return db.session.scalar(
        select(Membership.id).where(
            Membership.person_id == person.id,
            Membership.admitted_on <= day,
            or_(Membership.end_date.is_(None), Membership.end_date >= day),
        ).limit(1)
    ) is not None


def _overlapping(query, start: date, end: date):
    """Appointments in `query` whose time in office meets [start, end] (those entered in
    error never were in office)."""
    return query.where(
        IN_FORCE,
        Appointment.start_date <= end,
        or_(
            (Appointment.ended_on.is_(None)) & (Appointment.end_date >= start),
            Appointment.ended_on >= start,
        ),
    )


def _most_at_once(intervals: list[tuple[date, date]], start: date, end: date) -> int:
    """The most of `intervals` that are in force on one day of [start, end]."""
    points = {start} | {max(a, start) for a, _ in intervals if a <= end}
    return max(
        (sum(1 for a, b in intervals if a <= day <= b) for day in points), default=0
    )


def _check_kascommissie_apart_from_board(person: Person, body: Body, start: date, end: date):
    if body.kind == BodyKind.AUDIT_COMMITTEE:
        other_kind = BodyKind.BOARD
    elif body.kind == BodyKind.BOARD:
        other_kind = BodyKind.AUDIT_COMMITTEE
    else:
        return
    clash = db.session.scalar(
        _overlapping(
            select(Appointment)
            .join(Position, Position.id == Appointment.position_id)
            .join(Body, Body.id == Position.body_id)
            .where(Body.kind == other_kind.value, Appointment.person_id == person.id),
            start, end,
        ).order_by(Appointment.start_date).limit(1)
    )
    if clash is None:
        return
    values = {"name": person.display_name, "start": _day(clash.start_date),
              "end": _day(clash.last_day)}
    if other_kind == BodyKind.BOARD:
        message = _l("%(name)s is on the board from %(start)s to %(end)s: a board member "
                     "cannot sit on the kascommissie at the same time (BW 2:48).", **values)
    else:
        message = _l("%(name)s is on the kascommissie from %(start)s to %(end)s: a "
                     "kascommissie member cannot sit on the board at the same time "
                     "(BW 2:48).", **values)
    raise GovernanceError(message, "person")


def _previous_term(person: Person, body: Body, start: date) -> Appointment | None:
    """The person's latest term on `body` that ended before `start`."""
    terms = db.session.scalars(
        select(Appointment)
        .join(Position, Position.id == Appointment.position_id)
        .where(Position.body_id == body.id, Appointment.person_id == person.id,
               Appointment.start_date < start, IN_FORCE)
    ).all()
    ended = [t for t in terms if t.last_day < start]
    return max(ended, key=lambda t: t.last_day, default=None)


def find_decision(number: str | None):
    """The adopted ALV decision with this number (e.g. "2026-003"), or None when no
    number is given. Raises GovernanceError when there is no such decision or it was
    not adopted."""
    from coop.meetings.models import Decision, Outcome

    number = (number or "").strip()
    if not number:
        return None
    decision = db.session.scalar(select(Decision).where(Decision.number == number))
    if decision is None:
        raise GovernanceError(
            _l("There is no decision %(number)s in the decisions register.", number=number),
            "decision",
        )
    if decision.outcome != Outcome.ADOPTED:
        raise GovernanceError(
            _l("Decision %(number)s was not adopted; an appointment needs an adopted one.",
               number=number),
            "decision",
        )
    return decision


def appoint(person: Person, position: Position, start_date: date, term_years: int | None,
            actor=None, previous: Appointment | None = None,
            decision=None) -> Appointment:
    """Appoint `person` to `position` for one term from `start_date`.

    Raises GovernanceError when: the position or body is no longer in use; the person was
    anonymised; the term is longer than the statutes allow (or shorter than a year); the
    body takes members only and the person is not a member on the start date; the person
    already holds the position in that period; every seat of the position is taken in
    that period; a board member would join the kascommissie or the reverse at the same
    time; the statutes' maximum of consecutive terms is reached, or the person is not
    immediately re-eligible.
    """
    # Two board members appointing at once must not both find the seat free: the
    # position and the person stay locked until the transaction ends (PostgreSQL).
    lock_row(Position, position.id)
    lock_row(Person, person.id)
    body = db.session.get(Body, position.body_id)
    rules = term_rules(body)
    if not (position.is_active and body.is_active):
        raise GovernanceError(_l("This position is no longer in use."), "position_id")
    if person.anonymised_at is not None:
        raise GovernanceError(_l("This person was anonymised and cannot be appointed."),
                              "person")
    if term_years is None:
        term_years = rules.term_years
    if not 1 <= term_years <= rules.term_years:
        raise GovernanceError(
            _l("A term on the %(body)s lasts 1 to %(max)s years under the statutes.",
               body=body.name, max=rules.term_years),
            "term_years",
        )
    end_date = term_end(start_date, term_years)
    if body.members_only and not _is_member_on(person, start_date):
        raise GovernanceError(
            _l("%(name)s is not a member on %(date)s; only members can sit on the %(body)s.",
               name=person.display_name, date=_day(start_date), body=body.name),
            "person",
        )
    same = db.session.scalar(
        _overlapping(
            select(Appointment).where(Appointment.person_id == person.id,
                                      Appointment.position_id == position.id),
            start_date, end_date,
        ).limit(1)
    )
    if same is not None:
        raise GovernanceError(
            _l("%(name)s already holds this position from %(start)s to %(end)s.",
               name=person.display_name, start=_day(same.start_date), end=_day(same.last_day)),
            "start_date",
        )
    others = db.session.scalars(
        _overlapping(select(Appointment).where(Appointment.position_id == position.id),
                     start_date, end_date)
    ).all()
    if _most_at_once([(a.start_date, a.last_day) for a in others], start_date,
                     end_date) >= position.seats:
        raise GovernanceError(
            _l("Every seat of %(position)s is taken in this period (%(seats)s).",
               position=position.name, seats=position.seats),
            "start_date",
        )
    _check_kascommissie_apart_from_board(person, body, start_date, end_date)

    before = _previous_term(person, body, start_date)
    term_number = 1
    if before is not None and start_date <= before.last_day + BREAK_THAT_ENDS_A_SERIES:
        again_from = before.last_day + BREAK_THAT_ENDS_A_SERIES + timedelta(days=1)
        if not rules.immediately_reeligible:
            raise GovernanceError(
                _l("The statutes do not allow immediate reappointment: %(name)s can be "
                   "appointed to the %(body)s again from %(date)s.",
                   name=person.display_name, body=body.name, date=_day(again_from)),
                "person",
            )
        term_number = before.term_number + 1
        if term_number > rules.max_terms:
            raise GovernanceError(
                _l("%(name)s has served %(count)s consecutive terms on the %(body)s, the "
                   "most the statutes allow; a new term can start from %(date)s.",
                   name=person.display_name, count=before.term_number, body=body.name,
                   date=_day(again_from)),
                "person",
            )
    appointment = Appointment(
        person_id=person.id, position_id=position.id, start_date=start_date,
        term_years=term_years, end_date=end_date, term_number=term_number,
        previous_id=previous.id if previous is not None else None,
        created_by_id=audit.acting_user_id(actor),
        decision_id=decision.id if decision is not None else None,
    )
    db.session.add(appointment)
    db.session.flush()
    audit.record(
        "governance:appointment:reappoint" if previous is not None
        else "governance:appointment:create",
        {"person_id": person.id, "body": body.name,
         "position": position.name, "start_date": start_date.isoformat(),
         "end_date": end_date.isoformat(), "term_number": term_number,
         "decision": decision.number if decision is not None else None},
        obj=appointment, actor=actor,
        personal={"name": person.display_name}, person_id=person.id,
    )
    return appointment


def reappoint(appointment: Appointment, term_years: int | None, actor=None,
              decision=None) -> Appointment:
    """A new term for the same person in the same position, from the day after this term.

    Raises GovernanceError when the person stepped down, was already reappointed, or any
    rule of `appoint` refuses the new term.
    """
    person = db.session.get(Person, appointment.person_id)
    if appointment.voided_at is not None:
        raise GovernanceError(_l("This term was entered in error and does not count."))
    if appointment.ended_on is not None:
        raise GovernanceError(
            _l("%(name)s stepped down from this term; appoint them anew instead.",
               name=person.display_name)
        )
    following = _following_term(appointment)
    if following is not None:
        raise GovernanceError(
            _l("%(name)s is already reappointed from %(date)s.",
               name=person.display_name, date=_day(following.start_date))
        )
    return appoint(person, db.session.get(Position, appointment.position_id),
                   appointment.end_date + timedelta(days=1), term_years, actor=actor,
                   previous=appointment, decision=decision)


def _following_term(appointment: Appointment) -> Appointment | None:
    return db.session.scalar(
        select(Appointment).where(
            Appointment.person_id == appointment.person_id,
            Appointment.position_id == appointment.position_id,
            Appointment.start_date > appointment.end_date,
            IN_FORCE,
            Appointment.ended_on.is_(None) | (Appointment.ended_on > Appointment.start_date),
        ).order_by(Appointment.start_date).limit(1)
    )


def step_down(appointment: Appointment, ended_on: date, reason: str | None, actor=None):
    """Record that the person leaves the position on `ended_on` (their last day).

    Raises GovernanceError when they already stepped down, no reason is given, the date
    lies outside the term, or a next term was already recorded (step down from that one).
    """
    lock_row(Appointment, appointment.id)
    db.session.refresh(appointment)
    person = db.session.get(Person, appointment.person_id)
    reason = (reason or "").strip()
    if appointment.voided_at is not None:
        raise GovernanceError(_l("This term was entered in error and does not count."))
    if appointment.ended_on is not None:
        raise GovernanceError(
            _l("%(name)s already stepped down on %(date)s.", name=person.display_name,
               date=_day(appointment.ended_on))
        )
    if not reason:
        raise GovernanceError(_l("Give a reason."), "reason")
    if ended_on < appointment.start_date:
        raise GovernanceError(
            _l("The last day cannot be before the term started (%(date)s).",
               date=_day(appointment.start_date)), "ended_on",
        )
    if ended_on > appointment.end_date:
        raise GovernanceError(
            _l("The term ends on %(date)s; the last day cannot be later.",
               date=_day(appointment.end_date)), "ended_on",
        )
    following = _following_term(appointment)
    if following is not None:
        raise GovernanceError(
            _l("%(name)s is already reappointed from %(date)s: record the stepping down on "
               "that term first.", name=person.display_name,
               date=_day(following.start_date))
        )
    appointment.ended_on = ended_on
    appointment.end_reason = reason
    db.session.flush()
    audit.record(
        "governance:appointment:step_down",
        {"person_id": person.id, "ended_on": ended_on.isoformat()},
        obj=appointment, actor=actor,
        personal={"name": person.display_name, "reason": reason}, person_id=person.id,
    )


VOID_WINDOW = timedelta(days=30)


def void_appointment(appointment: Appointment, reason: str | None, actor=None) -> None:
    """Mark a term as entered in error: from then on it counts nowhere (bodies,
    signatories, term counting, warnings), and the history shows it as withdrawn.

    Only a recent mistake can be corrected this way: the term has not started yet, or it
    was recorded less than 30 days ago. Later, the person has acted in the position (and
    may have signed for the coop): that is a stepping down, not a mistake.
    Raises GovernanceError when no reason is given, the term was already voided, it is
    too old to correct, or a next term follows it (correct that one first).
    """
    lock_row(Appointment, appointment.id)
    db.session.refresh(appointment)
    person = db.session.get(Person, appointment.person_id)
    reason = (reason or "").strip()
    if appointment.voided_at is not None:
        raise GovernanceError(
            _l("This term was already withdrawn as entered in error on %(date)s.",
               date=_day(appointment.voided_at.astimezone(AMSTERDAM).date())), "void_reason",
        )
    if not reason:
        raise GovernanceError(_l("Say what the mistake was."), "void_reason")
    recorded = appointment.created_at.astimezone(AMSTERDAM)
    if appointment.start_date <= local_today() and utcnow() - recorded > VOID_WINDOW:
        raise GovernanceError(
            _l("This term started on %(start)s and was recorded on %(recorded)s, more than "
               "30 days ago: it can no longer be withdrawn as a mistake. Record the "
               "stepping down instead.", start=_day(appointment.start_date),
               recorded=_day(recorded.date())), "void_reason",
        )
    following = db.session.scalar(
        select(Appointment).where(Appointment.previous_id == appointment.id, IN_FORCE)
    )
    if following is not None:
        raise GovernanceError(
            _l("The next term (from %(date)s) continues this one: withdraw that term first.",
               date=_day(following.start_date)), "void_reason",
        )
    appointment.voided_at = utcnow()
    appointment.void_reason = reason
    db.session.flush()
    audit.record(
        "governance:appointment:void",
        {"person_id": person.id, "start_date": appointment.start_date.isoformat(),
         "end_date": appointment.end_date.isoformat()},
        obj=appointment, actor=actor,
        personal={"name": person.display_name, "reason": reason}, person_id=person.id,
    )


def person_positions(person_id: int, today: date) -> dict[str, list[dict]]:
    """A person's appointments as plain values for their register page, in one query:
    `{"current": [...], "past": [...]}`. Current: in office today or still to start;
    past: ended, stepped down or withdrawn as entered in error (newest first). Each:
    {appointment_id, body, position, start_date, end_date, last_day, term_number,
    upcoming, authority, ended_early, end_reason, voided, void_reason}."""
    rows = db.session.execute(
        select(Appointment, Position, Body)
        .join(Position, Position.id == Appointment.position_id)
        .join(Body, Body.id == Position.body_id)
        .where(Appointment.person_id == person_id)
        .order_by(Appointment.start_date, Appointment.id)
    ).all()
    current, past = [], []
    for appointment, position, body in rows:
        values = {
            "appointment_id": appointment.id,
            "body": body.name,
            "position": position.name,
            "start_date": appointment.start_date,
            "end_date": appointment.end_date,
            "last_day": appointment.last_day,
            "term_number": appointment.term_number,
            "upcoming": appointment.start_date > today,
            "authority": authority_text(position.signature_authority,
                                        position.joint_signers),
            "ended_early": appointment.ended_on is not None,
            "end_reason": appointment.end_reason,
            "voided": appointment.voided_at is not None,
            "void_reason": appointment.void_reason,
        }
        if appointment.voided_at is None and appointment.last_day >= today:
            current.append(values)
        else:
            past.append(values)
    past.sort(key=lambda v: v["last_day"], reverse=True)
    return {"current": current, "past": past}


# Reading: the overview, signatories, warnings, the rotation schedule --------------------


@dataclass(frozen=True)
class Term:
    appointment: Appointment
    person: Person
    position: Position
    body: Body

    def in_office_on(self, day: date) -> bool:
        return (self.appointment.voided_at is None
                and self.appointment.start_date <= day <= self.appointment.last_day)


def all_terms(include_voided: bool = False) -> list[Term]:
    """Every appointment with its person, position and body, in one query. Terms entered
    in error count nowhere: only the history (`include_voided`) shows them."""
    query = (
        select(Appointment, Person, Position, Body)
        .join(Person, Person.id == Appointment.person_id)
        .join(Position, Position.id == Appointment.position_id)
        .join(Body, Body.id == Position.body_id)
    )
    if not include_voided:
        query = query.where(IN_FORCE)
    rows = db.session.execute(
        query.order_by(Body.sort_order, Body.id, Position.sort_order, Position.id,
                       Appointment.start_date, Appointment.id)
    ).all()
    return [Term(*row) for row in rows]


def bodies_with_positions() -> list[tuple[Body, list[Position]]]:
    bodies = db.session.scalars(select(Body).order_by(Body.sort_order, Body.id)).all()
    positions = db.session.scalars(
        select(Position).order_by(Position.sort_order, Position.id)
    ).all()
    by_body = defaultdict(list)
    for position in positions:
        by_body[position.body_id].append(position)
    return [(body, by_body[body.id]) for body in bodies]


def _unsucceeded(terms: list[Term], today: date) -> set[int]:
    """Ids of terms that ended (or end) with nobody following them in the position yet.

    Within a position, each later term (starting after a term's last day) takes over
    from one earlier term, the earliest ending first; what is left has no successor.
    """
    by_position = defaultdict(list)
    for term in terms:
        by_position[term.position.id].append(term)
    left = set()
    for position_terms in by_position.values():
        waiting = sorted(position_terms, key=lambda t: t.appointment.last_day)
        # A reappointment takes over from the term it renews; the others from the
        # earliest-ending term before them.
        taken = {t.appointment.previous_id for t in position_terms
                 if t.appointment.previous_id is not None}
        for later in sorted(position_terms, key=lambda t: t.appointment.start_date):
            if later.appointment.previous_id is not None:
                continue
            for earlier in waiting:
                if (earlier.appointment.id not in taken
                        and earlier.appointment.last_day < later.appointment.start_date):
                    taken.add(earlier.appointment.id)
                    break
        left |= {t.appointment.id for t in position_terms} - taken
    return left


def term_warnings(today: date, terms: list[Term] | None = None) -> dict:
    """What the dashboard warns about on `today`, as plain values:

    `ending`: terms in office whose end lies within 3 months (the end date is on or
    before today + 3 months) and that nobody follows yet; `expired`: terms of positions
    still in use that have ended with nobody following; `audit_committee_short`: the
    kascommissie has fewer than two members today (None when there is no kascommissie).
    """
    terms = all_terms() if terms is None else terms
    unsucceeded = _unsucceeded(terms, today)
    horizon = today + WARNING_BEFORE_END
    ending, expired = [], []
    for term in terms:
        appointment = term.appointment
        if appointment.id not in unsucceeded:
            continue
        if not (term.position.is_active and term.body.is_active):
            continue
        if term.in_office_on(today) and appointment.ended_on is None \
                and appointment.end_date <= horizon:
            ending.append(_term_values(term))
        elif appointment.last_day < today:
            expired.append(_term_values(term))
    ending.sort(key=lambda t: t["last_day"])
    expired.sort(key=lambda t: t["last_day"])
    return {"ending": ending, "expired": expired,
            "audit_committee_short": audit_committee_shortfall(today, terms)}


def audit_committee_shortfall(today: date, terms: list[Term]) -> dict | None:
    """{name, count, minimum} when the kascommissie has fewer than 2 members today."""
    body = next((t.body for t in terms if t.body.kind == BodyKind.AUDIT_COMMITTEE), None)
    if body is None:
        body = db.session.scalar(select(Body).where(Body.kind == BodyKind.AUDIT_COMMITTEE))
    if body is None or not body.is_active:
        return None
    count = len({t.person.id for t in terms if t.body.id == body.id and t.in_office_on(today)})
    if count >= MIN_AUDIT_COMMITTEE:
        return None
    return {"name": body.name, "count": count, "minimum": MIN_AUDIT_COMMITTEE}


def _term_values(term: Term) -> dict:
    appointment = term.appointment
    return {
        "appointment_id": appointment.id,
        "name": term.person.display_name,
        "body": term.body.name,
        "position": term.position.name,
        "start_date": appointment.start_date,
        "end_date": appointment.end_date,
        "last_day": appointment.last_day,
        "ended_early": appointment.ended_on is not None,
        "end_reason": appointment.end_reason,
        "term_number": appointment.term_number,
    }


def reeligibility(term: Term, rules: TermRules) -> tuple[bool, str]:
    """Whether the person can be reappointed when this term ends, and why not."""
    appointment = term.appointment
    if appointment.voided_at is not None:
        return False, str(_l("withdrawn: entered in error (%(reason)s)",
                             reason=appointment.void_reason))
    if appointment.ended_on is not None:
        return False, str(_l("stepped down: %(reason)s", reason=appointment.end_reason))
    if not rules.immediately_reeligible:
        return False, str(_l("not immediately re-eligible under the statutes"))
    if appointment.term_number >= rules.max_terms:
        return False, str(_l("maximum of %(count)s consecutive terms reached",
                             count=rules.max_terms))
    return True, str(_l("term %(number)s of at most %(max)s", number=appointment.term_number,
                        max=rules.max_terms))


def rotation_schedule(first_year: int, years: int, today: date) -> list[dict]:
    """The rooster van aftreden as plain values: for each year from `first_year`, the
    terms (in office or still to start on `today`) whose last day falls in it, with
    whether the person is re-eligible. Years without anyone stepping down are kept."""
    organisation = get_organisation()
    rules_by_body: dict[int, TermRules] = {}
    rows_by_year: dict[int, list[dict]] = {year: [] for year in range(first_year,
                                                                       first_year + years)}
    for term in all_terms():
        appointment = term.appointment
        year = appointment.last_day.year
        if year not in rows_by_year or appointment.last_day < today \
                or not term.body.is_active:
            continue
        if term.body.id not in rules_by_body:
            rules_by_body[term.body.id] = term_rules(term.body, organisation)
        rules = rules_by_body[term.body.id]
        reeligible, note = reeligibility(term, rules)
        rows_by_year[year].append({
            **_term_values(term), "reeligible": reeligible, "note": note,
            "max_terms": rules.max_terms,
        })
    return [
        {"year": year, "terms": sorted(rows, key=lambda r: (r["last_day"], r["body"],
                                                              r["name"]))}
        for year, rows in rows_by_year.items()
    ]


def current_bodies(day: date, kinds: tuple[BodyKind, ...] | None = None) -> list[dict]:
    """Who sits where on `day`, as plain values (governance page, portal, annual report):
    `[{name, kind, members: [{name, position, since, until, authority}]}]`, active
    bodies only."""
    result = []
    terms = [t for t in all_terms() if t.in_office_on(day)]
    for body, positions in bodies_with_positions():
        if not body.is_active or (kinds is not None and body.kind not in kinds):
            continue
        members = [
            {"name": t.person.display_name, "position": t.position.name,
             "since": t.appointment.start_date, "until": t.appointment.end_date,
             "authority": authority_text(t.position.signature_authority,
                                         t.position.joint_signers)}
            for position in positions for t in terms if t.position.id == position.id
        ]
        result.append({"name": body.name, "kind": body.kind, "members": members})
    return result


def signatories(day: date) -> list[dict]:
    """Who may sign for the coop on `day`, as plain values for the governance page and
    the annual report: `[{name, body, position, authority, joint_signers, text}]`."""
    return [
        {"name": t.person.display_name, "body": t.body.name, "position": t.position.name,
         "authority": t.position.signature_authority,
         "joint_signers": t.position.joint_signers,
         "text": authority_text(t.position.signature_authority, t.position.joint_signers)}
        for t in all_terms()
        if t.in_office_on(day) and t.body.is_active
        and t.position.signature_authority != SignatureAuthority.NONE
    ]
