"""The ALV rules: meetings and their agenda, attendance, proxies, votes, results,
decisions and conflicts of interest.

Services flush but do not commit; the caller commits once. A refused action raises
`MeetingError` (a translated message, optionally for one form field) and changes
nothing.

Decisions the code encodes (the statutes' settings live on `Organisation`):

- A voting member is a person with an active membership of a type with a vote
  (aspirants, suspended and ended members have none).
- Quorum counts the members taking part in a vote: present (in the room or online),
  represented by a proxy whose holder is present, or having voted online before the
  meeting (BW 2:38 lid 7: such votes count as cast in the meeting). It is compared with
  the number of voting members when voting closes.
- Votes cast are for + against; abstentions, blank and invalid votes are not cast. A
  matter needs more than half (or 2/3, 3/4: "at least") of the votes cast; a tie is a
  rejection, and no votes cast at all is a rejection too.
- An election gives the seats to the candidates with the most votes; a tie for the last
  seat is settled by the statutes: a new vote, or lot (drawn by the app, recorded).
- A proxy holder votes online for the grantor as a separate vote; in the room the
  secretary counts votes (hands or paper) as totals, capped at the votes present in the
  room that were not already cast online.
- Voting starts when the first proposal of the meeting opens: from then on a proxy can
  no longer be withdrawn. A proxy lapses when the grantor attends or votes in person.
"""

import json
import math
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from coop import audit, timeutil
from coop.errors import ServiceError
from coop.extensions import db
from coop.fraction import format_fraction
from coop.locking import locked, locked_row
from coop.meetings.models import (
    PERSON_KINDS,
    AgendaDocument,
    AgendaItem,
    Attendance,
    AttendanceMode,
    BallotTally,
    Candidate,
    Choice,
    ConflictOfInterest,
    Decision,
    DecisionSequence,
    GeneralMeeting,
    LocationKind,
    MeetingStatus,
    Outcome,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Proxy,
    ProxySource,
    ProxyStatus,
    RoomTally,
    VoteChannel,
    VoteParticipation,
)
from coop.members.models import Membership, MembershipStatus, MembershipType, Person
from coop.members.services import search_condition
from coop.settings.models import TieOnPersons
from coop.settings.services import get_organisation
from coop.timeutil import utcnow

# BW 2:38 lid 7: electronic votes may be cast at most 30 days before the meeting.
ONLINE_VOTING_MAX_DAYS_BEFORE = 30
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MATTER_CHOICES = (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN)
# Documents are served with their own type only when it is one of these; anything else
# (HTML, SVG, scripts) is served as bytes to download, never to render in the browser.
DOCUMENT_TYPES = frozenset({
    "application/pdf", "text/plain", "text/csv", "image/png", "image/jpeg",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword", "application/vnd.ms-excel",
})


class MeetingError(ServiceError):
    """A refused ALV action. `field` names the form field the message belongs to."""



# Voting rights ------------------------------------------------------------------------


def _voting_membership_query():
    return (
        select(Membership)
        .join(MembershipType, MembershipType.id == Membership.type_id)
        .where(Membership.status == MembershipStatus.ACTIVE, MembershipType.has_vote.is_(True))
    )


def voting_membership(person: Person) -> Membership | None:
    return db.session.scalar(_voting_membership_query().where(Membership.person_id == person.id))


def has_vote(person: Person) -> bool:
    return voting_membership(person) is not None


def no_vote_reason(person: Person):
    """Why `person` may not vote, in words for the member or the secretary."""
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.person_id == person.id)
        .order_by(Membership.start_date.desc(), Membership.id.desc())
        .limit(1)
    )
    if membership is None:
        return _l("%(name)s is not a member and has no vote.", name=person.display_name)
    if membership.status == MembershipStatus.ENDED:
        return _l("The membership of %(name)s has ended: no vote.", name=person.display_name)
    if membership.status == MembershipStatus.SUSPENDED:
        return _l("The membership of %(name)s is suspended: no vote.", name=person.display_name)
    if membership.status == MembershipStatus.ASPIRANT:
        return _l("%(name)s is an aspirant member and has no vote yet.", name=person.display_name)
    return _l("The membership type of %(name)s carries no vote.", name=person.display_name)


def require_vote(person: Person, field: str | None = None) -> Membership:
    """The person's voting membership. Raises MeetingError when they have no vote."""
    membership = voting_membership(person)
    if membership is None:
        raise MeetingError(no_vote_reason(person), field)
    return membership


def voting_member_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(_voting_membership_query().subquery())
    )


def voting_members() -> list[tuple[Person, Membership]]:
    rows = db.session.execute(
        select(Person, Membership)
        .join(Membership, Membership.person_id == Person.id)
        .join(MembershipType, MembershipType.id == Membership.type_id)
        .where(Membership.status == MembershipStatus.ACTIVE, MembershipType.has_vote.is_(True))
        .order_by(Person.sort_name, Person.id)
    ).all()
    return [(person, membership) for person, membership in rows]


def find_voting_members(q: str, limit: int = 20) -> list[tuple[Person, Membership]]:
    """Voting members by name or member number, for the check-in desk."""
    condition = search_condition(q)
    if condition is None:
        return []
    rows = db.session.execute(
        select(Person, Membership)
        .join(Membership, Membership.person_id == Person.id)
        .join(MembershipType, MembershipType.id == Membership.type_id)
        .where(
            condition,
            Membership.status == MembershipStatus.ACTIVE,
            MembershipType.has_vote.is_(True),
        )
        .order_by(Person.sort_name, Person.id)
        .limit(limit)
    ).all()
    return [(person, membership) for person, membership in rows]


# Meetings and agenda -----------------------------------------------------------------

MEETING_FIELDS = ["title", "starts_at", "location_kind", "location", "online_url"]


def _check_meeting_values(values: dict) -> None:
    kind = LocationKind(values["location_kind"])
    if kind != LocationKind.ONLINE and not values.get("location"):
        raise MeetingError(_l("Enter the address of the meeting room."), "location")
    if kind != LocationKind.PHYSICAL and not values.get("online_url"):
        raise MeetingError(_l("Enter the link of the online meeting."), "online_url")
    if values["starts_at"].tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")


def create_meeting(values: dict, actor=None) -> GeneralMeeting:
    """A draft meeting. Raises MeetingError for a missing address or link."""
    _check_meeting_values(values)
    meeting = GeneralMeeting(**{k: values.get(k) for k in MEETING_FIELDS})
    db.session.add(meeting)
    db.session.flush()
    audit.record("meetings:meeting:create", {"title": meeting.title}, obj=meeting, actor=actor)
    return meeting


def update_meeting(meeting: GeneralMeeting, values: dict, actor=None) -> None:
    """Change a meeting. After convocation its time and place are fixed (members were
    told); raises MeetingError then, or for a missing address or link."""
    _check_meeting_values(values)
    if meeting.status != MeetingStatus.DRAFT:
        for name in ("starts_at", "location_kind", "location", "online_url"):
            if values.get(name) != getattr(meeting, name):
                raise MeetingError(
                    _l("The members were convened for this time and place: they cannot "
                       "change any more."), name,
                )
    diff = audit.changes(meeting, MEETING_FIELDS, {k: values.get(k) for k in MEETING_FIELDS})
    for name in MEETING_FIELDS:
        setattr(meeting, name, values.get(name))
    db.session.flush()
    if diff:
        audit.record("meetings:meeting:update", diff, obj=meeting, actor=actor)


def _require_status(meeting: GeneralMeeting, *statuses, message=None, field=None) -> None:
    if meeting.status not in statuses:
        raise MeetingError(message or STATUS_REFUSALS[meeting.status], field)


STATUS_REFUSALS = {
    MeetingStatus.DRAFT: _l("This meeting has not been convened yet."),
    MeetingStatus.CONVENED: _l("This meeting has not been opened yet."),
    MeetingStatus.OPEN: _l("This meeting is in progress."),
    MeetingStatus.CLOSED: _l("This meeting has been closed."),
}


def agenda(meeting: GeneralMeeting) -> list[AgendaItem]:
    return db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
    ).all()


def add_agenda_item(meeting: GeneralMeeting, title: str, description: str | None,
                    actor=None) -> AgendaItem:
    """Append an item. Raises MeetingError once the meeting is convened (the agenda was
    sent) or closed."""
    _require_status(
        meeting, MeetingStatus.DRAFT,
        message=_l("The agenda was sent with the convocation and cannot get new items."),
    )
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    item = AgendaItem(
        meeting_id=meeting.id, position=(last or 0) + 1, title=title, description=description
    )
    db.session.add(item)
    db.session.flush()
    audit.record("meetings:agenda:add", {"title": title, "position": item.position}, obj=item,
                 actor=actor)
    return item


def update_agenda_item(item: AgendaItem, title: str, description: str | None,
                       actor=None) -> None:
    """Raises MeetingError once the meeting is convened."""
    meeting = db.session.get(GeneralMeeting, item.meeting_id)
    _require_status(
        meeting, MeetingStatus.DRAFT,
        message=_l("The agenda was sent with the convocation and cannot change any more."),
    )
    item.title, item.description = title, description
    db.session.flush()
    audit.record("meetings:agenda:update", {"title": title}, obj=item, actor=actor)


def move_agenda_item(item: AgendaItem, direction: int, actor=None) -> None:
    """Swap the item with its neighbour (direction -1: up, +1: down)."""
    meeting = db.session.get(GeneralMeeting, item.meeting_id)
    _require_status(
        meeting, MeetingStatus.DRAFT,
        message=_l("The agenda was sent with the convocation and cannot change any more."),
    )
    items = agenda(meeting)
    index = items.index(item)
    other_index = index + direction
    if not 0 <= other_index < len(items):
        return
    other = items[other_index]
    # Through a free position, so the unique (meeting, position) holds at every step.
    mine, theirs = item.position, other.position
    item.position = max(i.position for i in items) + 1
    db.session.flush()
    other.position = mine
    db.session.flush()
    item.position = theirs
    db.session.flush()
    audit.record("meetings:agenda:move", {"position": theirs}, obj=item, actor=actor)


def save_minutes(item: AgendaItem, minutes: str | None, actor=None) -> None:
    """Minutes are written during and after the meeting; raises MeetingError before it."""
    meeting = db.session.get(GeneralMeeting, item.meeting_id)
    _require_status(
        meeting, MeetingStatus.OPEN, MeetingStatus.CLOSED,
        message=_l("Minutes can be written once the meeting has opened."),
    )
    item.minutes = minutes or None
    db.session.flush()
    audit.record("meetings:minutes:update", {"agenda_item": item.position}, obj=item, actor=actor)


def add_document(item: AgendaItem, filename: str, content_type: str, content: bytes,
                 now: datetime | None = None, actor=None) -> AgendaDocument:
    """Attach a document. Raises MeetingError for an empty or too large file, after the
    meeting, and for a statute amendment within its inspection term (the proposal must
    be available for inspection that many days before the meeting, BW 2:42)."""
    now = now or utcnow()
    meeting = db.session.get(GeneralMeeting, item.meeting_id)
    if not content:
        raise MeetingError(_l("The file is empty."), "file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise MeetingError(_l("The file is larger than 10 MB."), "file")
    _require_status(
        meeting, MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.OPEN,
        message=_l("The meeting has been closed."), field="file",
    )
    has_amendment = db.session.scalar(
        select(func.count()).where(
            Proposal.agenda_item_id == item.id,
            Proposal.kind == ProposalKind.STATUTE_AMENDMENT,
        )
    )
    if has_amendment and meeting.status != MeetingStatus.DRAFT:
        days = get_organisation().amendment_inspection_days
        if timeutil.local_date(meeting.starts_at) - timeutil.local_date(now) < timedelta(days=days):
            raise MeetingError(
                _l("A statute amendment must be available for inspection at least "
                   "%(days)d days before the meeting.", days=days), "file",
            )
    document = AgendaDocument(
        agenda_item_id=item.id, filename=filename[:200] or "document",
        content_type=content_type if content_type in DOCUMENT_TYPES
        else "application/octet-stream", size=len(content),
        content=content,
    )
    db.session.add(document)
    db.session.flush()
    audit.record("meetings:document:add", {"filename": document.filename, "size": len(content)},
                 obj=document, actor=actor)
    return document


def documents_of(items: list[AgendaItem]) -> dict[int, list[AgendaDocument]]:
    result: dict[int, list] = {item.id: [] for item in items}
    if not items:
        return result
    rows = db.session.execute(
        select(AgendaDocument.id, AgendaDocument.agenda_item_id, AgendaDocument.filename,
               AgendaDocument.size)
        .where(AgendaDocument.agenda_item_id.in_(list(result)))
        .order_by(AgendaDocument.id)
    ).all()
    for row in rows:
        result[row.agenda_item_id].append(row)
    return result


# Proposals ---------------------------------------------------------------------------


def default_majority(kind: str) -> Fraction:
    organisation = get_organisation()
    if kind == ProposalKind.STATUTE_AMENDMENT:
        return organisation.amendment_majority
    return organisation.default_majority


def proposals_of(meeting: GeneralMeeting) -> list[Proposal]:
    return db.session.scalars(
        select(Proposal)
        .join(AgendaItem, AgendaItem.id == Proposal.agenda_item_id)
        .where(Proposal.meeting_id == meeting.id)
        .order_by(AgendaItem.position, Proposal.position, Proposal.id)
    ).all()


def add_proposal(item: AgendaItem, values: dict, actor=None) -> Proposal:
    """A proposal on an agenda item; majority and secrecy default from the statutes.

    `values`: kind, title, text, and optionally majority and quorum (Fractions; quorum
    None: no quorum), secret, seats.
    Raises MeetingError once the agenda was sent, or for seats in a non-election.
    """
    meeting = db.session.get(GeneralMeeting, item.meeting_id)
    _require_status(
        meeting, MeetingStatus.DRAFT,
        message=_l("The proposals were sent with the convocation and cannot change any more."),
    )
    kind = ProposalKind(values["kind"])
    organisation = get_organisation()
    seats = values.get("seats") or 1
    if kind != ProposalKind.ELECTION and seats != 1:
        raise MeetingError(_l("Only an election has more than one seat."), "seats")
    secret = values.get("secret")
    if secret is None:
        secret = organisation.persons_secret_ballot and kind in PERSON_KINDS
    last = db.session.scalar(
        select(func.max(Proposal.position)).where(Proposal.agenda_item_id == item.id)
    )
    proposal = Proposal(
        agenda_item_id=item.id, meeting_id=meeting.id, position=(last or 0) + 1,
        kind=kind.value, title=values["title"], text=values["text"],
        majority=values.get("majority") or default_majority(kind),
        # The statutes' quorum unless this proposal says otherwise (None: no quorum).
        quorum=values.get("quorum", organisation.quorum),
        secret=bool(secret), seats=seats,
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        "meetings:proposal:create",
        {"kind": proposal.kind, "title": proposal.title, "majority": str(proposal.majority),
         "secret": proposal.secret,
         "quorum": str(proposal.quorum) if proposal.quorum is not None else None},
        obj=proposal, actor=actor,
    )
    return proposal


PROPOSAL_FIELDS = ["title", "text", "majority", "quorum", "secret", "seats"]


def update_proposal(proposal: Proposal, values: dict, actor=None) -> None:
    """Correct a proposal before the convocation (afterwards the members have it).
    Raises MeetingError once the meeting is convened, or for seats in a non-election."""
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    _require_status(
        meeting, MeetingStatus.DRAFT,
        message=_l("The proposals were sent with the convocation and cannot change any more."),
    )
    if proposal.kind != ProposalKind.ELECTION and (values.get("seats") or 1) != 1:
        raise MeetingError(_l("Only an election has more than one seat."), "seats")
    organisation = get_organisation()
    new = {
        "title": values["title"], "text": values["text"],
        "majority": values.get("majority") or default_majority(proposal.kind),
        "quorum": values.get("quorum", organisation.quorum),
        "secret": bool(values["secret"]) if values.get("secret") is not None
        else organisation.persons_secret_ballot and proposal.kind in PERSON_KINDS,
        "seats": values.get("seats") or 1,
    }
    diff = audit.changes(proposal, PROPOSAL_FIELDS, new)
    for name, value in new.items():
        setattr(proposal, name, value)
    db.session.flush()
    if diff:
        audit.record("meetings:proposal:update", diff, obj=proposal, actor=actor)


def add_candidate(proposal: Proposal, name: str, person: Person | None = None,
                  actor=None) -> Candidate:
    """Raises MeetingError for a non-election, a duplicate name, or once voting opened."""
    if proposal.kind != ProposalKind.ELECTION:
        raise MeetingError(_l("Only an election has candidates."), "name")
    if proposal.status != ProposalStatus.DRAFT:
        raise MeetingError(_l("Voting has started: the candidates are fixed."), "name")
    name = name.strip()
    exists = db.session.scalar(
        select(func.count()).where(Candidate.proposal_id == proposal.id, Candidate.name == name)
    )
    if exists:
        raise MeetingError(_l("%(name)s is already a candidate.", name=name), "name")
    candidate = Candidate(proposal_id=proposal.id, name=name,
                          person_id=person.id if person is not None else None)
    db.session.add(candidate)
    db.session.flush()
    audit.record("meetings:candidate:add", {"name": name}, obj=proposal, actor=actor)
    return candidate


def candidates_of(proposal: Proposal) -> list[Candidate]:
    return db.session.scalars(
        select(Candidate).where(Candidate.proposal_id == proposal.id).order_by(Candidate.id)
    ).all()


# Convening, opening, closing ---------------------------------------------------------


def required_convocation_days(meeting: GeneralMeeting) -> int:
    """The statute's term; longer when a statute amendment is on the agenda (BW 2:42)."""
    organisation = get_organisation()
    days = organisation.convocation_days
    has_amendment = db.session.scalar(
        select(func.count()).where(
            Proposal.meeting_id == meeting.id, Proposal.kind == ProposalKind.STATUTE_AMENDMENT
        )
    )
    if has_amendment:
        days = max(days, organisation.amendment_convocation_days,
                   organisation.amendment_inspection_days)
    return days


def check_convocation_term(meeting: GeneralMeeting, now: datetime) -> None:
    """Raises MeetingError when the meeting is too close to convene it lawfully."""
    days = required_convocation_days(meeting)
    if timeutil.local_date(meeting.starts_at) - timeutil.local_date(now) < timedelta(days=days):
        latest = timeutil.local_date(meeting.starts_at) - timedelta(days=days)
        raise MeetingError(
            _l("Too late to convene: the statutes require %(days)d days' notice, so the "
               "convocation had to go out by %(date)s. Move the meeting to a later date.",
               days=days, date=latest.strftime("%d-%m-%Y"))
        )


def mark_convened(meeting: GeneralMeeting, now: datetime, actor=None) -> None:
    """Check the agenda and term, and set the meeting convened (the convocation module
    sends the mails and letters). Raises MeetingError."""
    _require_status(meeting, MeetingStatus.DRAFT,
                    message=_l("This meeting has already been convened."))
    if not agenda(meeting):
        raise MeetingError(_l("Add the agenda before convening the meeting."))
    for proposal in proposals_of(meeting):
        if proposal.kind == ProposalKind.ELECTION and len(candidates_of(proposal)) < 1:
            raise MeetingError(
                _l("The election \u201c%(title)s\u201d has no candidates yet.",
                   title=proposal.title)
            )
    check_convocation_term(meeting, now)
    meeting.status = MeetingStatus.CONVENED
    meeting.convened_at = now
    db.session.flush()


class OpensEarly(MeetingError):
    """Opening now would open the meeting on a day before its planned date: the chair
    confirms first (a mistaken click would start a meeting nobody attends)."""


def opens_early(meeting: GeneralMeeting, now: datetime | None = None) -> bool:
    """Whether opening now falls on a day before the meeting's planned day."""
    return timeutil.local_date(now or utcnow()) < timeutil.local_date(meeting.starts_at)


def open_meeting(meeting: GeneralMeeting, now: datetime | None = None, actor=None,
                 confirmed_early: bool = False) -> None:
    """The chair opens the meeting. Raises MeetingError unless it was convened, and
    OpensEarly on a day before the planned date unless `confirmed_early`. Decisions are
    dated by the day they are taken (see `_register_decision`), so an early opening
    dates them correctly."""
    _require_status(meeting, MeetingStatus.CONVENED)
    now = now or utcnow()
    early = opens_early(meeting, now)
    if early and not confirmed_early:
        raise OpensEarly(
            _l("This meeting is planned for %(date)s, %(days)d days from today. Open it "
               "today anyway? Its decisions will be dated by the day they are taken.",
               date=format_date(timeutil.local_date(meeting.starts_at), format="long"),
               days=(timeutil.local_date(meeting.starts_at) - timeutil.local_date(now)).days),
            "confirm_early")
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = now
    db.session.flush()
    audit.record("meetings:meeting:open",
                 {"planned": meeting.starts_at.isoformat()} if early else {},
                 obj=meeting, actor=actor)


def close_meeting(meeting: GeneralMeeting, now: datetime | None = None, actor=None) -> None:
    """The chair closes the meeting. Raises MeetingError while a vote is still open."""
    _require_status(meeting, MeetingStatus.OPEN)
    still_open = db.session.scalar(
        select(func.count()).where(
            Proposal.meeting_id == meeting.id, Proposal.status == ProposalStatus.OPEN
        )
    )
    if still_open:
        raise MeetingError(_l("Close the votes that are still open first."))
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now or utcnow()
    db.session.flush()
    audit.record("meetings:meeting:close", {}, obj=meeting, actor=actor)


# Attendance --------------------------------------------------------------------------


def attendance_of(meeting: GeneralMeeting, person: Person) -> Attendance | None:
    return db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person.id
        )
    )


def check_in(meeting: GeneralMeeting, person: Person,
             mode: AttendanceMode = AttendanceMode.IN_PERSON, now: datetime | None = None,
             actor=None) -> Attendance:
    """Register a voting member as present (in the room or online); a proxy they gave
    lapses. Raises MeetingError for someone without a vote, twice, or outside the
    meeting."""
    # A proxy change (the lapse below) like any other: one per meeting at a time.
    meeting = locked(GeneralMeeting, meeting.id)
    _require_status(meeting, MeetingStatus.CONVENED, MeetingStatus.OPEN)
    require_vote(person, "person_id")
    if attendance_of(meeting, person) is not None:
        raise MeetingError(
            _l("%(name)s is already registered as present.", name=person.display_name),
            "person_id",
        )
    now = now or utcnow()
    attendance = Attendance(
        meeting_id=meeting.id, person_id=person.id, mode=AttendanceMode(mode).value,
        checked_in_at=now, checked_in_by_id=audit.acting_user_id(actor),
    )
    db.session.add(attendance)
    _lapse_proxies_of(meeting, person, now, actor)
    db.session.flush()
    audit.record("meetings:attendance:check_in", {"person_id": person.id, "mode": mode},
                 obj=meeting, actor=actor)
    return attendance


def _lapse_proxies_of(meeting, grantor: Person, now: datetime, actor=None) -> None:
    proxies = db.session.scalars(
        select(Proxy).where(
            Proxy.meeting_id == meeting.id, Proxy.grantor_id == grantor.id,
            Proxy.status == ProxyStatus.ACTIVE,
        )
    ).all()
    for proxy in proxies:
        proxy.status = ProxyStatus.LAPSED
        proxy.ended_at = now
        audit.record("meetings:proxy:lapse", {"grantor_id": grantor.id}, obj=proxy, actor=actor,
                     flush=False)


@dataclass(frozen=True)
class Presence:
    members_present: int  # voting members in the room or online
    in_room: int
    online: int
    proxies: int  # active proxies held by members present
    eligible: int  # voting members in the register
    quorum: Fraction | None

    @property
    def votes_present(self) -> int:
        return self.members_present + self.proxies

    @property
    def quorum_needed(self) -> int | None:
        if self.quorum is None:
            return None
        return quorum_needed(self.eligible, self.quorum)

    @property
    def quorum_reached(self) -> bool:
        needed = self.quorum_needed
        return needed is None or self.votes_present >= needed


_STATUTES = object()


def presence(meeting: GeneralMeeting, quorum=_STATUTES) -> Presence:
    """The live count: members present and votes present (own + proxies), against
    `quorum` (a proposal's; the statutes' when not given; None: no quorum)."""
    counts = dict(
        db.session.execute(
            select(Attendance.mode, func.count())
            .where(Attendance.meeting_id == meeting.id)
            .group_by(Attendance.mode)
        ).all()
    )
    proxies = db.session.scalar(
        select(func.count(Proxy.id))
        .join(Attendance, (Attendance.person_id == Proxy.holder_id)
              & (Attendance.meeting_id == Proxy.meeting_id))
        .where(Proxy.meeting_id == meeting.id, Proxy.status == ProxyStatus.ACTIVE)
    )
    in_room = counts.get(AttendanceMode.IN_PERSON.value, 0)
    online = counts.get(AttendanceMode.ONLINE.value, 0)
    if quorum is _STATUTES:
        quorum = get_organisation().quorum
    return Presence(
        members_present=in_room + online, in_room=in_room, online=online, proxies=proxies,
        eligible=voting_member_count(), quorum=quorum,
    )


def quorum_needed(eligible: int, quorum: Fraction) -> int:
    """The smallest number of members that is at least `quorum` of `eligible`: one
    third of 100 needs 34."""
    return math.ceil(eligible * Fraction(quorum))


def quorum_reached(represented: int, eligible: int, quorum: Fraction | None) -> bool:
    if quorum is None:
        return True
    return represented >= quorum_needed(eligible, quorum)


# Proxies -----------------------------------------------------------------------------


def voting_started(meeting: GeneralMeeting) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).where(
                Proposal.meeting_id == meeting.id, Proposal.opened_at.is_not(None)
            )
        )
    )


def active_proxy_of(meeting: GeneralMeeting, grantor: Person) -> Proxy | None:
    return db.session.scalar(
        select(Proxy).where(
            Proxy.meeting_id == meeting.id, Proxy.grantor_id == grantor.id,
            Proxy.status == ProxyStatus.ACTIVE,
        )
    )


def proxies_held(meeting: GeneralMeeting, holder: Person) -> list[Proxy]:
    return db.session.scalars(
        select(Proxy).where(
            Proxy.meeting_id == meeting.id, Proxy.holder_id == holder.id,
            Proxy.status == ProxyStatus.ACTIVE,
        ).order_by(Proxy.id)
    ).all()


def grant_proxy(meeting: GeneralMeeting, grantor: Person, holder: Person,
                source: ProxySource = ProxySource.PORTAL, now: datetime | None = None,
                actor=None) -> Proxy:
    """Authorise `holder` to vote for `grantor` at `meeting` (BW 2:38).

    Raises MeetingError (nothing saved) when the meeting is not convened or open, either
    person has no vote, the grantor attends or already gave a proxy, the holder would
    pass it on (the grantor holds proxies, or the holder gave their own away), or the
    holder already holds the statutes' maximum.
    """
    # One proxy change per meeting at a time: the cap is counted, then written.
    meeting = locked(GeneralMeeting, meeting.id)
    _require_status(meeting, MeetingStatus.CONVENED, MeetingStatus.OPEN,
                    message=_l("Proxies can be given once the meeting is convened and until "
                               "it closes."))
    if grantor.id == holder.id:
        raise MeetingError(_l("Choose another member than yourself."), "holder_id")
    require_vote(grantor, "grantor_id")
    try:
        require_vote(holder, "holder_id")
    except MeetingError as error:
        raise MeetingError(
            _l("A proxy can only go to a member with a vote. %(reason)s", reason=error.message),
            "holder_id",
        ) from error
    if attendance_of(meeting, grantor) is not None:
        raise MeetingError(
            _l("%(name)s attends the meeting and votes in person.", name=grantor.display_name),
            "grantor_id",
        )
    existing = active_proxy_of(meeting, grantor)
    if existing is not None:
        raise MeetingError(
            _l("%(name)s has already given a proxy for this meeting; withdraw it first.",
               name=grantor.display_name), "grantor_id",
        )
    if proxies_held(meeting, grantor):
        raise MeetingError(
            _l("%(name)s holds proxies of other members and must attend to use them: a "
               "proxy cannot be passed on.", name=grantor.display_name), "grantor_id",
        )
    if active_proxy_of(meeting, holder) is not None:
        raise MeetingError(
            _l("%(name)s has given their own vote to someone else and cannot hold a proxy: "
               "a proxy cannot be passed on.", name=holder.display_name), "holder_id",
        )
    cap = get_organisation().proxy_cap_per_holder
    held = len(proxies_held(meeting, holder))
    if held >= cap:
        if cap == 0:
            message = _l("The statutes do not allow voting by proxy.")
        else:
            message = _l("%(name)s already holds %(held)d proxies; the statutes allow at most "
                         "%(cap)d per member.", name=holder.display_name, held=held, cap=cap)
        raise MeetingError(message, "holder_id")
    proxy = Proxy(
        meeting_id=meeting.id, grantor_id=grantor.id, holder_id=holder.id,
        source=ProxySource(source).value, created_at=now or utcnow(),
        registered_by_id=audit.acting_user_id(actor) if source == ProxySource.PAPER else None,
    )
    db.session.add(proxy)
    db.session.flush()
    audit.record("meetings:proxy:grant",
                 {"grantor_id": grantor.id, "holder_id": holder.id, "source": proxy.source},
                 obj=proxy, actor=actor)
    return proxy


def withdraw_proxy(proxy: Proxy, now: datetime | None = None, actor=None) -> None:
    """Raises MeetingError once voting has started or when it is no longer active."""
    meeting = db.session.get(GeneralMeeting, proxy.meeting_id)
    if proxy.status != ProxyStatus.ACTIVE:
        raise MeetingError(_l("This proxy is no longer active."))
    if voting_started(meeting):
        raise MeetingError(_l("Voting has started: the proxy can no longer be withdrawn."))
    proxy.status = ProxyStatus.WITHDRAWN
    proxy.ended_at = now or utcnow()
    db.session.flush()
    audit.record("meetings:proxy:withdraw", {"grantor_id": proxy.grantor_id}, obj=proxy,
                 actor=actor)


def meeting_proxies(meeting: GeneralMeeting):
    """All proxies of the meeting with grantor and holder, newest first."""

    grantor, holder = aliased(Person), aliased(Person)
    return db.session.execute(
        select(Proxy, grantor, holder)
        .join(grantor, grantor.id == Proxy.grantor_id)
        .join(holder, holder.id == Proxy.holder_id)
        .where(Proxy.meeting_id == meeting.id)
        .order_by(Proxy.id.desc())
    ).all()


# Conflicts of interest ---------------------------------------------------------------


def register_conflict(person: Person, description: str, since: date,
                      proposal: Proposal | None = None, actor=None) -> ConflictOfInterest:
    """Record a conflict of interest; with a proposal, the person is excluded from its
    vote. Raises MeetingError when that vote has already closed or for a future date."""
    if proposal is not None and proposal.status == ProposalStatus.CLOSED:
        raise MeetingError(_l("Voting on this proposal has closed."), "proposal_id")
    if since > timeutil.local_date(utcnow()):
        raise MeetingError(_l("The date cannot lie in the future."), "since")
    conflict = ConflictOfInterest(
        person_id=person.id, description=description, since=since,
        proposal_id=proposal.id if proposal is not None else None,
        recorded_by_id=audit.acting_user_id(actor),
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record("meetings:conflict:create",
                 {"person_id": person.id, "proposal_id": conflict.proposal_id},
                 obj=conflict, actor=actor)
    return conflict


def conflicted(proposal: Proposal):
    """The people with a registered conflict of interest on `proposal`, as a query of
    person ids. The one rule for both ways of voting (WBTR, BW 2:44 lid 6): such a
    person takes no part in the vote, neither for themselves nor for whoever gave them a
    proxy, and nobody votes for them with their proxy. Online, `cast_vote` refuses them;
    in the room, `room_votes_available` does not count them."""
    return select(ConflictOfInterest.person_id).where(
        ConflictOfInterest.proposal_id == proposal.id)


def has_conflict(proposal: Proposal, person: Person) -> bool:
    return db.session.scalar(
        conflicted(proposal).where(ConflictOfInterest.person_id == person.id).limit(1)
    ) is not None


# Voting ------------------------------------------------------------------------------


def tally_options(proposal: Proposal) -> list[tuple[str, int | None]]:
    if proposal.kind == ProposalKind.ELECTION:
        return [(f"candidate:{c.id}", c.id) for c in candidates_of(proposal)] + [
            (Choice.BLANK.value, None)
        ]
    return [(choice.value, None) for choice in MATTER_CHOICES]


def online_voting_possible(meeting: GeneralMeeting, now: datetime) -> bool:
    """Whether members can vote online now. Only where the statutes allow electronic
    voting (BW 2:38 lid 6), before the meeting as during it: without that setting the
    votes are cast in the room (or with a proxy). Before the meeting at most 30 days
    ahead (lid 7)."""
    if meeting.status not in (MeetingStatus.OPEN, MeetingStatus.CONVENED):
        return False
    if not get_organisation().electronic_voting_allowed:
        return False
    if meeting.status == MeetingStatus.OPEN:
        return True
    return meeting.starts_at - now <= timedelta(days=ONLINE_VOTING_MAX_DAYS_BEFORE)


def open_voting(proposal: Proposal, now: datetime | None = None, actor=None) -> Presence:
    """Open the vote. Before the meeting only when the statutes allow electronic voting,
    and at most 30 days before it (BW 2:38 lid 7). Returns the presence, so the caller
    can show whether the quorum is met. Raises MeetingError."""
    now = now or utcnow()
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    if proposal.status != ProposalStatus.DRAFT:
        raise MeetingError(_l("Voting on this proposal has already opened."))
    if meeting.status == MeetingStatus.CONVENED:
        if not get_organisation().electronic_voting_allowed:
            raise MeetingError(
                _l("The statutes do not allow voting before the meeting: open the vote "
                   "during the meeting.")
            )
        if meeting.starts_at - now > timedelta(days=ONLINE_VOTING_MAX_DAYS_BEFORE):
            raise MeetingError(
                _l("Online voting can open at most %(days)d days before the meeting.",
                   days=ONLINE_VOTING_MAX_DAYS_BEFORE)
            )
    elif meeting.status != MeetingStatus.OPEN:
        raise MeetingError(STATUS_REFUSALS[meeting.status])
    if proposal.kind == ProposalKind.ELECTION and not candidates_of(proposal):
        raise MeetingError(_l("This election has no candidates."))
    proposal.status = ProposalStatus.OPEN
    proposal.opened_at = now
    for option, candidate_id in tally_options(proposal):
        db.session.add(BallotTally(proposal_id=proposal.id, option=option,
                                   candidate_id=candidate_id, count=0))
    db.session.flush()
    current = presence(meeting, proposal.quorum)
    audit.record("meetings:vote:open",
                 {"members_present": current.members_present,
                  "votes_present": current.votes_present,
                  "quorum_reached": current.quorum_reached},
                 obj=proposal, actor=actor)
    return current


def _refuse_if_not_open(proposal: Proposal) -> None:
    if proposal.status == ProposalStatus.DRAFT:
        raise MeetingError(_l("Voting on this proposal has not opened yet."), "choice")
    if proposal.status == ProposalStatus.CLOSED:
        raise MeetingError(_l("Voting on this proposal has closed."), "choice")


def _options_for(proposal: Proposal, choice: str | None, candidate_ids) -> list[str]:
    """The tally options a ballot adds one to. Raises MeetingError for a bad ballot."""
    if proposal.kind == ProposalKind.ELECTION:
        valid = {c.id for c in candidates_of(proposal)}
        chosen = {int(c) for c in candidate_ids or ()}
        if not chosen <= valid:
            raise MeetingError(_l("Choose from the candidates on the ballot."), "choice")
        if len(chosen) > proposal.seats:
            raise MeetingError(
                _l("Choose at most %(seats)d candidates.", seats=proposal.seats), "choice"
            )
        if not chosen:
            return [Choice.BLANK.value]
        return [f"candidate:{c}" for c in sorted(chosen)]
    if choice not in {c.value for c in MATTER_CHOICES}:
        raise MeetingError(_l("Choose for, against or abstain."), "choice")
    return [choice]


def _add_to_tally(proposal: Proposal, options: list[str], sign: int = 1) -> None:
    # Every counter of the proposal is written (most with + 0), so no counter row
    # remembers which voter last changed it (see the models' docstring).
    db.session.execute(
        update(BallotTally)
        .where(BallotTally.proposal_id == proposal.id)
        .values(count=BallotTally.count + case(
            (BallotTally.option.in_(options), sign), else_=0
        ))
        .execution_options(synchronize_session=False)
    )


NO_PROXY = _l("You hold no valid proxy for this vote.")


def cast_vote(proposal: Proposal, voter: Person, choice: str | None = None,
              candidate_ids=None, cast_by: Person | None = None,
              now: datetime | None = None) -> VoteParticipation:
    """Cast `voter`'s online vote, by the voter or by `cast_by` holding their proxy.

    Raises MeetingError (nothing recorded) when voting is not open, online voting is not
    possible now, the voter or the holder has no vote, the holder has no active proxy of
    the voter, either is excluded by a conflict of interest, the ballot is invalid, or
    the voter has voted already (a change replaces the vote only in an open vote and
    when the statutes allow it).
    """
    now = now or utcnow()
    cast_by = cast_by or voter
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    _refuse_if_not_open(proposal)
    if not online_voting_possible(meeting, now):
        raise MeetingError(_l("Online voting is not possible at this moment."), "choice")
    proxy = None
    if cast_by.id != voter.id:
        # Before anything about the voter is looked at: a refusal must not tell the
        # holder anything of a member whose proxy they do not hold.
        proxy = active_proxy_of(meeting, voter)
        if proxy is None or proxy.holder_id != cast_by.id:
            raise MeetingError(NO_PROXY, "choice")
        require_vote(cast_by, "choice")
    require_vote(voter, "choice")
    for person in {voter.id: voter, cast_by.id: cast_by}.values():
        if has_conflict(proposal, person):
            raise MeetingError(
                _l("%(name)s has a registered conflict of interest and takes no part in "
                   "this vote.", name=person.display_name), "choice",
            )
    options = _options_for(proposal, choice, candidate_ids)
    existing = db.session.scalar(
        select(VoteParticipation).where(
            VoteParticipation.proposal_id == proposal.id,
            VoteParticipation.voter_id == voter.id,
        )
    )
    if existing is not None and existing.cast_by_id != cast_by.id and cast_by.id == voter.id:
        holder = db.session.get(Person, existing.cast_by_id)
        raise MeetingError(
            _l("%(name)s has already voted for you with your proxy.", name=holder.display_name),
            "choice",
        )
    if existing is not None:
        return _change_vote(proposal, existing, voter, cast_by, options, now)
    participation = VoteParticipation(
        proposal_id=proposal.id, voter_id=voter.id, cast_by_id=cast_by.id,
        proxy_id=proxy.id if proxy is not None else None, channel=VoteChannel.ONLINE.value,
        choice=None if proposal.secret else options[0] if len(options) == 1 else None,
        cast_at=now,
    )
    db.session.add(participation)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request for the same voter won the race and the database refused this
        # one (unique proposal and voter); the caller rolls the transaction back.
        raise MeetingError(_already_voted(voter, cast_by), "choice") from error
    _add_to_tally(proposal, options)
    if meeting.status == MeetingStatus.OPEN and attendance_of(meeting, cast_by) is None:
        # Decision: an online vote during the meeting counts as presence. Where the
        # statutes allow electronic voting, a member who votes through it while the
        # meeting is in session exercises the right to vote in that meeting (BW 2:38
        # lid 6; lid 7 even counts earlier electronic votes as cast in it), and
        # `represented_count` already counts them for the result. So whoever casts the
        # vote (the member, or the holder of their proxy) is registered as present
        # online: the live presence and the quorum shown agree with the result, and a
        # proxy the member gave lapses, as when they check in.
        try:
            with db.session.begin_nested():
                check_in(meeting, cast_by, AttendanceMode.ONLINE, now=now)
        except IntegrityError:
            pass  # a concurrent vote of theirs registered them a moment ago
    elif proxy is None:
        _lapse_proxies_of(meeting, voter, now)
    audit.record(
        "meetings:vote:cast",
        {"proposal_id": proposal.id, "voter_id": voter.id, "cast_by_id": cast_by.id,
         **({} if proposal.secret else {"choice": participation.choice})},
        obj=proposal,
    )
    return participation


def _already_voted(voter: Person, cast_by: Person):
    if voter.id == cast_by.id:
        return _l("You have already voted on this proposal.")
    return _l("A vote for %(name)s has already been cast on this proposal.",
              name=voter.display_name)


def _change_vote(proposal, existing, voter, cast_by, options, now):
    if not get_organisation().vote_change_allowed:
        raise MeetingError(_already_voted(voter, cast_by), "choice")
    if proposal.secret:
        raise MeetingError(
            _l("A secret ballot cannot be changed: nobody can tell which ballot was yours."),
            "choice",
        )
    if existing.cast_by_id != cast_by.id:
        raise MeetingError(_already_voted(voter, cast_by), "choice")
    old = existing.choice
    _add_to_tally(proposal, [old], sign=-1)
    _add_to_tally(proposal, options)
    existing.choice = options[0]
    existing.cast_at = now
    db.session.flush()
    audit.record("meetings:vote:change",
                 {"proposal_id": proposal.id, "voter_id": voter.id, "from": old,
                  "to": existing.choice}, obj=proposal)
    return existing


def room_votes_available(proposal: Proposal) -> int:
    """Votes that can still be cast in the room: members present in person and the
    active proxies they hold, minus those already cast online for any of them, and
    without anyone excluded by a conflict of interest (`conflicted`): not a conflicted
    member, not the proxies a conflicted member holds, not a conflicted grantor's."""
    meeting_id = proposal.meeting_id
    in_room = select(Attendance.person_id).where(
        Attendance.meeting_id == meeting_id, Attendance.mode == AttendanceMode.IN_PERSON,
        Attendance.person_id.not_in(conflicted(proposal)),
    )
    grantors = select(Proxy.grantor_id).where(
        Proxy.meeting_id == meeting_id, Proxy.status == ProxyStatus.ACTIVE,
        Proxy.holder_id.in_(in_room), Proxy.grantor_id.not_in(conflicted(proposal)),
    )
    room_voters = in_room.union(grantors).subquery()
    total = db.session.scalar(select(func.count()).select_from(room_voters))
    voted = db.session.scalar(
        select(func.count()).where(
            VoteParticipation.proposal_id == proposal.id,
            VoteParticipation.voter_id.in_(select(room_voters.c[0])),
        )
    )
    return total - voted


def record_room_tally(proposal: Proposal, method: str, counts: dict[str, int],
                      candidate_votes: dict[int, int] | None = None,
                      now: datetime | None = None, actor=None) -> RoomTally:
    """Record (or correct, until closing) the votes counted in the room.

    `counts`: for/against/abstain/blank/invalid. Raises MeetingError when voting is not
    open, a count is negative, or more votes are counted than there are in the room.
    """
    _refuse_if_not_open(proposal)
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    _require_status(meeting, MeetingStatus.OPEN,
                    message=_l("Votes in the room are recorded during the meeting."))
    if method not in ("hands", "paper"):
        raise MeetingError(_l("Choose how the votes were counted."), "method")
    if proposal.secret and method != "paper":
        raise MeetingError(_l("A secret vote is held on paper ballots."), "method")
    values = {name: int(counts.get(name) or 0) for name in
              ("for", "against", "abstain", "blank", "invalid")}
    for name, value in values.items():
        if value < 0:
            raise MeetingError(_l("A count cannot be negative."), f"votes_{name}")
    available = room_votes_available(proposal)
    if proposal.kind == ProposalKind.ELECTION:
        valid = {c.id for c in candidates_of(proposal)}
        candidate_votes = {int(k): int(v) for k, v in (candidate_votes or {}).items()}
        if not set(candidate_votes) <= valid or any(v < 0 for v in candidate_votes.values()):
            raise MeetingError(_l("Enter a count of zero or more for each candidate."))
        ballots = values["blank"] + values["invalid"]
        marked = sum(candidate_votes.values())
        # A ballot marks up to `seats` names: at least marked / seats ballots.
        ballots += -(-marked // proposal.seats)
        too_many = ballots > available or any(v > available for v in candidate_votes.values())
    else:
        candidate_votes = None
        ballots = sum(values.values())
        too_many = ballots > available
    if too_many:
        raise MeetingError(
            _l("%(counted)d votes counted, but only %(available)d votes present in the room "
               "have not voted online.", counted=ballots, available=available),
            "votes_for",
        )
    tally = db.session.scalar(select(RoomTally).where(RoomTally.proposal_id == proposal.id))
    if tally is None:
        tally = RoomTally(proposal_id=proposal.id)
        db.session.add(tally)
    tally.method = method
    tally.votes_for, tally.votes_against = values["for"], values["against"]
    tally.votes_abstain, tally.votes_blank = values["abstain"], values["blank"]
    tally.votes_invalid = values["invalid"]
    tally.candidate_votes = (
        json.dumps({str(k): v for k, v in sorted(candidate_votes.items())})
        if candidate_votes is not None else None
    )
    tally.recorded_at = now or utcnow()
    tally.recorded_by_id = audit.acting_user_id(actor)
    db.session.flush()
    audit.record("meetings:vote:room_tally",
                 {"method": method, **values, "candidates": candidate_votes or {}},
                 obj=proposal, actor=actor)
    return tally


# Results -----------------------------------------------------------------------------


def majority_reached(votes_for: int, votes_against: int, majority: Fraction) -> bool:
    """Whether `votes_for` meets `majority` of the votes cast (for + against).

    A majority of half or less means more than that share (a tie on one half is
    rejected: "more than half"; "at least half" would let a proposal and its opposite
    both pass). Above half it means at least that share ("at least two thirds"). No
    votes cast: never.
    """
    cast = votes_for + votes_against
    if cast == 0:
        return False
    share = Fraction(majority)
    if share * 2 <= 1:
        return votes_for > cast * share
    return votes_for >= cast * share


def majority_words(majority: Fraction) -> str:
    """The rule in words, for pages and the minutes: "more than 1/2 (50%) of the votes
    cast", "at least 2/3 of the votes cast"."""
    share = Fraction(majority)
    if share * 2 <= 1:
        return _("more than %(share)s of the votes cast", share=format_fraction(share))
    return _("at least %(share)s of the votes cast", share=format_fraction(share))


def matter_outcome(votes_for: int, votes_against: int, majority: Fraction, represented: int,
                   eligible: int, quorum: Fraction | None) -> Outcome:
    if not quorum_reached(represented, eligible, quorum):
        return Outcome.NO_QUORUM
    if majority_reached(votes_for, votes_against, majority):
        return Outcome.ADOPTED
    return Outcome.REJECTED


@dataclass
class ElectionResult:
    outcome: Outcome
    elected: list[int]
    tie_resolution: str | None = None
    tied: list[int] = field(default_factory=list)


def election_result(votes: dict[int, int], seats: int, tie_rule: str, names: dict[int, str],
                    rng=None) -> ElectionResult:
    """The candidates with the most votes get the seats; a tie for the last seat goes
    by the statutes (`re_vote` or `lot`). Candidates without votes are not elected."""
    ranked = sorted((v, c) for c, v in votes.items() if v > 0)
    ranked.reverse()
    if len(ranked) <= seats:
        return ElectionResult(Outcome.ADOPTED if ranked else Outcome.REJECTED,
                              [c for _, c in ranked])
    boundary = ranked[seats - 1][0]
    sure = [c for v, c in ranked if v > boundary]
    tied = sorted(c for v, c in ranked if v == boundary)
    free = seats - len(sure)
    if len(tied) <= free:
        return ElectionResult(Outcome.ADOPTED, sure + tied)
    tied_names = ", ".join(names[c] for c in tied)
    if TieOnPersons(tie_rule) == TieOnPersons.RE_VOTE:
        return ElectionResult(
            Outcome.RE_VOTE, sure,
            f"Staken der stemmen ({boundary}) tussen {tied_names}: herstemming nodig "
            f"voor {free} zetel(s).",
            tied,
        )
    rng = rng or secrets.SystemRandom()
    drawn = sorted(rng.sample(tied, free))
    drawn_names = ", ".join(names[c] for c in drawn)
    return ElectionResult(
        Outcome.ADOPTED, sure + drawn,
        f"Staken der stemmen ({boundary}) tussen {tied_names}; door loting gekozen: "
        f"{drawn_names}.",
        tied,
    )


def represented_count(proposal: Proposal) -> int:
    """Members taking part: present, represented by a present holder, or voted online."""
    meeting_id = proposal.meeting_id
    present = select(Attendance.person_id.label("person_id")).where(
        Attendance.meeting_id == meeting_id
    )
    represented = select(Proxy.grantor_id.label("person_id")).where(
        Proxy.meeting_id == meeting_id, Proxy.status == ProxyStatus.ACTIVE,
        Proxy.holder_id.in_(select(Attendance.person_id).where(
            Attendance.meeting_id == meeting_id)),
    )
    voted = select(VoteParticipation.voter_id.label("person_id")).where(
        VoteParticipation.proposal_id == proposal.id
    )
    everyone = present.union(represented, voted).subquery()
    return db.session.scalar(select(func.count()).select_from(everyone))


@dataclass(frozen=True)
class Totals:
    votes_for: int
    votes_against: int
    votes_abstain: int
    votes_blank: int
    votes_invalid: int
    candidates: dict[int, int]


def current_totals(proposal: Proposal) -> Totals:
    """Online counters plus the room tally."""
    counts = dict(
        db.session.execute(
            select(BallotTally.option, BallotTally.count).where(
                BallotTally.proposal_id == proposal.id
            )
        ).all()
    )
    tally = db.session.scalar(select(RoomTally).where(RoomTally.proposal_id == proposal.id))
    room = json.loads(tally.candidate_votes) if tally and tally.candidate_votes else {}
    candidates = {}
    for option, count in counts.items():
        if option.startswith("candidate:"):
            candidate_id = int(option.split(":", 1)[1])
            candidates[candidate_id] = count + int(room.get(str(candidate_id), 0))

    def total(name: str) -> int:
        return counts.get(name, 0) + (getattr(tally, f"votes_{name}") if tally else 0)

    return Totals(total("for"), total("against"), total("abstain"), total("blank"),
                  total("invalid"), candidates)


def close_voting(proposal: Proposal, now: datetime | None = None, actor=None,
                 rng=None) -> Decision:
    """Close the vote, compute and store the result and enter it in the decisions
    register. From then on the database refuses any change. Raises MeetingError when
    voting is not open or the meeting is not in session."""
    now = now or utcnow()
    if proposal.status != ProposalStatus.OPEN:
        raise MeetingError(
            _l("Voting on this proposal has closed.") if proposal.status == ProposalStatus.CLOSED
            else _l("Voting on this proposal has not opened yet.")
        )
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    _require_status(meeting, MeetingStatus.OPEN,
                    message=_l("A vote is closed during the meeting."))
    totals = current_totals(proposal)
    represented = represented_count(proposal)
    eligible = voting_member_count()
    tie_resolution = None
    if proposal.kind == ProposalKind.ELECTION:
        candidates = candidates_of(proposal)
        names = {c.id: c.name for c in candidates}
        if not quorum_reached(represented, eligible, proposal.quorum):
            result = ElectionResult(Outcome.NO_QUORUM, [])
        else:
            result = election_result(totals.candidates, proposal.seats,
                                     get_organisation().tie_on_persons, names, rng)
        for candidate in candidates:
            candidate.votes = totals.candidates.get(candidate.id, 0)
            candidate.elected = candidate.id in result.elected
        outcome, tie_resolution = result.outcome, result.tie_resolution
        db.session.flush()  # candidates first: once the proposal is closed they are fixed
    else:
        outcome = matter_outcome(totals.votes_for, totals.votes_against, proposal.majority,
                                 represented, eligible, proposal.quorum)
    proposal.votes_for, proposal.votes_against = totals.votes_for, totals.votes_against
    proposal.votes_abstain, proposal.votes_blank = totals.votes_abstain, totals.votes_blank
    proposal.votes_invalid = totals.votes_invalid
    proposal.represented_count, proposal.eligible_count = represented, eligible
    proposal.outcome = outcome.value
    proposal.tie_resolution = tie_resolution
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = now
    db.session.flush()
    decision = _register_decision(proposal, meeting, outcome, tie_resolution)
    audit.record(
        "meetings:vote:close",
        {"outcome": outcome.value, "for": totals.votes_for, "against": totals.votes_against,
         "abstain": totals.votes_abstain, "blank": totals.votes_blank,
         "invalid": totals.votes_invalid, "represented": represented, "eligible": eligible,
         "candidates": {str(k): v for k, v in totals.candidates.items()},
         "tie_resolution": tie_resolution, "decision": decision.number},
        obj=proposal, actor=actor,
    )
    return decision


OUTCOME_WORDS_NL = {
    Outcome.ADOPTED: "aangenomen",
    Outcome.REJECTED: "verworpen",
    Outcome.NO_QUORUM: "geen quorum",
    Outcome.RE_VOTE: "herstemming nodig",
}


def _register_decision(proposal, meeting, outcome, tie_resolution) -> Decision:
    # Dated by the day the vote closed, not the planned date: a meeting may be held
    # (opened) on another day than planned.
    day = timeutil.local_date(proposal.closed_at or utcnow())
    sequence = locked_row(DecisionSequence, {"year": day.year}, last_number=0)
    sequence.last_number += 1
    # The register is a Dutch document, whatever the secretary's language.
    if proposal.kind == ProposalKind.ELECTION:
        elected = [c.name for c in candidates_of(proposal) if c.elected]
        text = f"{proposal.title}: gekozen {', '.join(elected) or 'niemand'}."
        if tie_resolution:
            text += f" {tie_resolution}"
    else:
        text = f"{proposal.title}: {OUTCOME_WORDS_NL[outcome]}. {proposal.text}"
    decision = Decision(
        number=f"{day.year}-{sequence.last_number:03d}", year=day.year,
        sequence_number=sequence.last_number, date=day, meeting_id=meeting.id,
        proposal_id=proposal.id, kind=proposal.kind, text=text, outcome=outcome.value,
        votes_for=proposal.votes_for, votes_against=proposal.votes_against,
        votes_abstain=proposal.votes_abstain, votes_blank=proposal.votes_blank,
        votes_invalid=proposal.votes_invalid,
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def re_vote(proposal: Proposal, actor=None) -> Proposal:
    """A new election between the tied candidates for the seats still free. Raises
    MeetingError unless the election ended in a tie that needs a new vote."""
    if proposal.outcome != Outcome.RE_VOTE:
        raise MeetingError(_l("Only a tied election is voted on again."))
    candidates = candidates_of(proposal)
    elected = [c for c in candidates if c.elected]
    not_elected = [c for c in candidates if not c.elected]
    best = max((c.votes or 0) for c in not_elected)
    tied = [c for c in not_elected if (c.votes or 0) == best]
    item = db.session.get(AgendaItem, proposal.agenda_item_id)
    last = db.session.scalar(
        select(func.max(Proposal.position)).where(Proposal.agenda_item_id == item.id)
    )
    new = Proposal(
        agenda_item_id=item.id, meeting_id=proposal.meeting_id, position=last + 1,
        kind=proposal.kind, title=f"{proposal.title} (herstemming)", text=proposal.text,
        majority=proposal.majority, quorum=proposal.quorum,
        secret=proposal.secret, seats=proposal.seats - len(elected),
    )
    db.session.add(new)
    db.session.flush()
    for candidate in tied:
        db.session.add(Candidate(proposal_id=new.id, name=candidate.name,
                                 person_id=candidate.person_id))
    db.session.flush()
    audit.record("meetings:vote:re_vote", {"of_proposal": proposal.id}, obj=new, actor=actor)
    return new


def proxy_votes(proposal: Proposal):
    """Who voted by proxy for whom, on this proposal."""

    voter, holder = aliased(Person), aliased(Person)
    return db.session.execute(
        select(voter, holder, VoteParticipation.cast_at)
        .join(voter, voter.id == VoteParticipation.voter_id)
        .join(holder, holder.id == VoteParticipation.cast_by_id)
        .where(VoteParticipation.proposal_id == proposal.id,
               VoteParticipation.proxy_id.is_not(None))
        .order_by(voter.sort_name)
    ).all()


def decisions_register(limit: int | None = None):
    query = select(Decision).order_by(Decision.date.desc(), Decision.id.desc())
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


# The members' side (the portal) ------------------------------------------------------


def proxy_holder(member_number: str, family_name: str) -> Person:
    """The member a portal user names as their proxy: number and family name must both
    match (members cannot browse the register). Raises MeetingError at `member_number`."""
    holder = db.session.scalar(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.member_number == member_number)
    )
    if holder is None or holder.family_name.strip().lower() != family_name.strip().lower():
        raise MeetingError(
            _l("No member with this number and family name. Ask the member for both."),
            "member_number")
    return holder


def join_online(meeting: GeneralMeeting, person: Person) -> None:
    """Register a member present online. Raises MeetingError before the meeting opens
    (and whatever `check_in` refuses)."""
    if meeting.status != MeetingStatus.OPEN:
        raise MeetingError(_l("You can join online once the meeting is open."))
    check_in(meeting, person, AttendanceMode.ONLINE)


def voter_for(meeting: GeneralMeeting, person: Person, voter_id: str) -> Person:
    """The member the vote is for: oneself, or a member whose active proxy `person`
    holds. Any other id (another member, nobody, not a number) gets the same refusal,
    which tells nothing about whom the id belongs to. Raises MeetingError."""
    if voter_id in ("", str(person.id)):
        return person
    for proxy in proxies_held(meeting, person):
        if str(proxy.grantor_id) == voter_id:
            return db.session.get(Person, proxy.grantor_id)
    raise MeetingError(NO_PROXY, "choice")


def cast_online_vote(proposal: Proposal, voter: Person, choice: str | None,
                     candidate_ids: list, cast_by: Person) -> None:
    """A vote from the portal: a proposal needs a choice (an election its candidates);
    then as `cast_vote`. Raises MeetingError."""
    if proposal.kind != "election" and not choice:
        raise MeetingError(_l("Choose for, against or abstain."))
    cast_vote(proposal, voter, choice, candidate_ids, cast_by=cast_by)
