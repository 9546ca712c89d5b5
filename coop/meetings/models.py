"""The general members' meeting (ALV): meetings, agenda, documents, convocations,
attendance, proxies, proposals and their votes, decisions, conflicts of interest.

Secret ballots. Who voted (`VoteParticipation`) and what was voted (`BallotTally`) live
in separate tables with nothing in common but the proposal. The "what" is not a row per
ballot but one counter per option of the proposal, and every vote adds to all counters
of its proposal in one UPDATE (0 to the options not chosen). So the stored state after
votes A then B is the same as after B then A: no ids, no timestamps, no insertion order
and (on PostgreSQL) no per-row transaction id (`xmin`) that could tie a choice to the
participation row written in the same transaction. A secret ballot therefore cannot be
changed later: nobody, not even the app, can find which counts were "yours".

Closed votes are immutable: triggers refuse changes to a closed proposal, its
candidates, counters, tally and participations, and to decisions (append-only).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db, one_of
from coop.settings.models import share_check, share_property
from coop.timeutil import UTCDateTime, utcnow


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    OPEN = "open"
    CLOSED = "closed"


class LocationKind(StrEnum):
    PHYSICAL = "physical"
    ONLINE = "online"
    HYBRID = "hybrid"


class ConvocationChannel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"


class AttendanceMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class ProxySource(StrEnum):
    PORTAL = "portal"
    PAPER = "paper"


class ProxyStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"  # the grantor attended in person (or online)


class ProposalKind(StrEnum):
    MATTER = "matter"
    STATUTE_AMENDMENT = "statute_amendment"
    ANNUAL_ACCOUNTS = "annual_accounts"  # adoption of the annual accounts
    DISCHARGE = "discharge"  # discharge of the board: a separate decision (BW 2:48/2:49)
    APPOINTMENT = "appointment"  # a vote on one person, for or against
    ELECTION = "election"  # several candidates, one or more seats


PERSON_KINDS = (ProposalKind.APPOINTMENT, ProposalKind.ELECTION)


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    RE_VOTE = "re_vote"  # an election tied and the statutes want a new vote


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    BLANK = "blank"
    INVALID = "invalid"  # paper ballots only


class VoteChannel(StrEnum):
    ONLINE = "online"


class GeneralMeeting(db.Model):
    __tablename__ = "general_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    location_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    location: Mapped[str | None] = mapped_column(String(300))  # address of the room
    online_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=MeetingStatus.DRAFT)
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("status", MeetingStatus), name="status_known"),
        CheckConstraint(one_of("location_kind", LocationKind), name="location_kind_known"),
        CheckConstraint(
            "location_kind = 'online' OR location IS NOT NULL", name="room_has_address"
        ),
        CheckConstraint(
            "location_kind = 'physical' OR online_url IS NOT NULL", name="online_has_link"
        ),
        Index("ix_general_meeting_starts_at", "starts_at"),
    )


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[GeneralMeeting] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("meeting_id", "position", name="uq_agenda_item_meeting_position"),
        CheckConstraint("position > 0", name="position_positive"),
    )


class AgendaDocument(db.Model):
    """A document for an agenda item. Kept in the database, so an upload and its row land
    in the same transaction and a backup of the database holds the meeting's papers."""

    __tablename__ = "agenda_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id"), nullable=False, index=True
    )
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)


class ConvocationLog(db.Model):
    """What was sent to whom, when, and how (BW 2:41: electronic only with consent)."""

    __tablename__ = "convocation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("general_meeting.id"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    member_number: Mapped[int] = mapped_column(Integer, nullable=False)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    # The address as it was: the person may move or be anonymised later.
    name: Mapped[str] = mapped_column(String(330), nullable=False)
    address: Mapped[str] = mapped_column(Text, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("channel", ConvocationChannel), name="channel_known"),
        UniqueConstraint("meeting_id", "person_id", name="uq_convocation_log_meeting_person"),
    )


class Attendance(db.Model):
    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    mode: Mapped[str] = mapped_column(String(10), nullable=False)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    person = relationship("Person", lazy="raise")

    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_attendance_meeting_person"),
        CheckConstraint(one_of("mode", AttendanceMode), name="mode_known"),
    )


class Proxy(db.Model):
    """A written (or electronic) authorisation to vote for another member (BW 2:38)."""

    __tablename__ = "proxy"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id"), nullable=False)
    grantor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=ProxyStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    grantor = relationship("Person", foreign_keys=[grantor_id], lazy="raise")
    holder = relationship("Person", foreign_keys=[holder_id], lazy="raise")

    __table_args__ = (
        CheckConstraint(one_of("source", ProxySource), name="source_known"),
        CheckConstraint(one_of("status", ProxyStatus), name="status_known"),
        CheckConstraint("grantor_id <> holder_id", name="not_to_self"),
        CheckConstraint("(status = 'active') = (ended_at IS NULL)", name="ended_iff_not_active"),
        # One live proxy per member and meeting.
        Index(
            "uq_proxy_one_active", "meeting_id", "grantor_id", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
        Index("ix_proxy_meeting_holder", "meeting_id", "holder_id"),
    )


class Proposal(db.Model):
    """A proposal on an agenda item, and once voting has closed, its result."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Several proposals may share an item: adopting the accounts and discharging the
    # board are separate decisions under one "annual accounts" item.
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("general_meeting.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # The majority of the votes cast and the quorum as fractions (coop.fraction);
    # no quorum: both NULL.
    majority_numerator: Mapped[int] = mapped_column(Integer, nullable=False)
    majority_denominator: Mapped[int] = mapped_column(Integer, nullable=False)
    quorum_numerator: Mapped[int | None] = mapped_column(Integer)
    quorum_denominator: Mapped[int | None] = mapped_column(Integer)
    secret: Mapped[bool] = mapped_column(Boolean, nullable=False)
    seats: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=ProposalStatus.DRAFT)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The result, written once when voting closes.
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    votes_abstain: Mapped[int | None] = mapped_column(Integer)
    votes_blank: Mapped[int | None] = mapped_column(Integer)
    votes_invalid: Mapped[int | None] = mapped_column(Integer)
    represented_count: Mapped[int | None] = mapped_column(Integer)  # members taking part
    eligible_count: Mapped[int | None] = mapped_column(Integer)  # members with a vote
    outcome: Mapped[str | None] = mapped_column(String(10))
    tie_resolution: Mapped[str | None] = mapped_column(Text)

    agenda_item: Mapped[AgendaItem] = relationship(lazy="raise")
    meeting: Mapped[GeneralMeeting] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint(one_of("kind", ProposalKind), name="kind_known"),
        CheckConstraint(share_check("majority"), name="majority_share"),
        CheckConstraint(one_of("status", ProposalStatus), name="status_known"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', Outcome)}", name="outcome_known"),
        CheckConstraint(
            "(quorum_numerator IS NULL AND quorum_denominator IS NULL) OR "
            + share_check("quorum"), name="quorum_share"
        ),
        CheckConstraint("seats BETWEEN 1 AND 50", name="seats_range"),
        CheckConstraint("(status = 'closed') = (outcome IS NOT NULL)", name="closed_iff_outcome"),
    )

    majority = share_property("majority")
    quorum = share_property("quorum")

    @property
    def is_person_vote(self) -> bool:
        return self.kind in PERSON_KINDS


class Candidate(db.Model):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    votes: Mapped[int | None] = mapped_column(Integer)  # written when voting closes
    elected: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        UniqueConstraint("proposal_id", "name", name="uq_candidate_proposal_name"),
    )


class VoteParticipation(db.Model):
    """Who has voted on a proposal, for whom, and how. One row per voter and proposal:
    the database refuses a second one. `choice` is kept for open votes only."""

    __tablename__ = "vote_participation"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), nullable=False)
    voter_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    proxy_id: Mapped[int | None] = mapped_column(ForeignKey("proxy.id"))
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    choice: Mapped[str | None] = mapped_column(String(10))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("proposal_id", "voter_id", name="uq_vote_participation_proposal_voter"),
        CheckConstraint(one_of("channel", VoteChannel), name="channel_known"),
        CheckConstraint(f"choice IS NULL OR {one_of('choice', Choice)}", name="choice_known"),
        CheckConstraint(
            "(proxy_id IS NULL) = (cast_by_id = voter_id)", name="proxy_iff_cast_for_another"
        ),
        Index("ix_vote_participation_cast_by", "proposal_id", "cast_by_id"),
    )


class BallotTally(db.Model):
    """The online ballots of a proposal as one counter per option (see the module
    docstring). `option` is a Choice, or `candidate:<id>` in an election."""

    __tablename__ = "ballot_tally"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    option: Mapped[str] = mapped_column(String(30), primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id"))
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        CheckConstraint("count >= 0", name="count_nonnegative"),
        CheckConstraint(
            "(candidate_id IS NULL) = (option NOT LIKE 'candidate:%')",
            name="candidate_option_has_candidate",
        ),
    )


class RoomTally(db.Model):
    """The votes cast in the room, counted by the secretary (hands or paper ballots)."""

    __tablename__ = "room_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id"), nullable=False, unique=True
    )
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    votes_for: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    votes_blank: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    votes_invalid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Elections: {candidate id (str): votes}.
    candidate_votes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        CheckConstraint("method IN ('hands', 'paper')", name="method_known"),
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0"
            " AND votes_blank >= 0 AND votes_invalid >= 0",
            name="counts_nonnegative",
        ),
    )


class DecisionSequence(db.Model):
    """The last decision number per year; locked while a number is taken."""

    __tablename__ = "decision_sequence"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Decision(db.Model):
    """The decisions register (besluitenlijst) across meetings. Append-only."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # 2026-003
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    sequence_number: Mapped[int] = mapped_column(Integer, nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("general_meeting.id"), nullable=False, index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(10), nullable=False)
    votes_for: Mapped[int] = mapped_column(Integer, nullable=False)
    votes_against: Mapped[int] = mapped_column(Integer, nullable=False)
    votes_abstain: Mapped[int] = mapped_column(Integer, nullable=False)
    votes_blank: Mapped[int] = mapped_column(Integer, nullable=False)
    votes_invalid: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("year", "sequence_number", name="uq_decision_year_sequence"),
        CheckConstraint(one_of("kind", ProposalKind), name="kind_known"),
        CheckConstraint(one_of("outcome", Outcome), name="outcome_known"),
        Index("ix_decision_date_id", "date", "id"),
    )


class ConflictOfInterest(db.Model):
    """A registered conflict of interest (WBTR, BW 2:44 lid 6). With a proposal, the
    person takes no part in that vote, neither for themselves nor as a proxy holder."""

    __tablename__ = "conflict_of_interest"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    since: Mapped[date] = mapped_column(Date, nullable=False)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    person = relationship("Person", lazy="raise")


# Immutability, enforced by the database ------------------------------------------------

# (table, SQL giving the proposal status for OLD/NEW row alias, operations)
_CLOSED_GUARDS = {
    "proposal": ("{row}.status", ("UPDATE", "DELETE")),
    "candidate": (
        "(SELECT status FROM proposal WHERE id = {row}.proposal_id)", ("UPDATE", "DELETE")
    ),
    "ballot_tally": (
        "(SELECT status FROM proposal WHERE id = {row}.proposal_id)", ("UPDATE", "DELETE")
    ),
    "room_tally": (
        "(SELECT status FROM proposal WHERE id = {row}.proposal_id)",
        ("INSERT", "UPDATE", "DELETE"),
    ),
    "vote_participation": (
        "(SELECT status FROM proposal WHERE id = {row}.proposal_id)",
        ("INSERT", "UPDATE", "DELETE"),
    ),
}


def sqlite_trigger_statements(table: str) -> list[str]:
    if table == "decision":
        return [
            f"CREATE TRIGGER decision_no_{op.lower()} BEFORE {op} ON decision "
            "BEGIN SELECT RAISE(ABORT, 'decision is append-only'); END"
            for op in ("UPDATE", "DELETE")
        ]
    status_sql, operations = _CLOSED_GUARDS[table]
    statements = []
    for op in operations:
        row = "NEW" if op == "INSERT" else "OLD"
        statements.append(
            f"CREATE TRIGGER {table}_closed_no_{op.lower()} BEFORE {op} ON {table} "
            f"WHEN {status_sql.format(row=row)} = 'closed' "
            f"BEGIN SELECT RAISE(ABORT, '{table}: voting has closed'); END"
        )
    return statements


def postgres_trigger_statements(table: str) -> list[str]:
    if table == "decision":
        return [
            """
            CREATE OR REPLACE FUNCTION decision_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'decision is append-only';
            END;
            $$ LANGUAGE plpgsql
            """,
            "CREATE TRIGGER decision_append_only BEFORE UPDATE OR DELETE ON decision "
            "FOR EACH ROW EXECUTE FUNCTION decision_refuse_change()",
        ]
    status_sql, operations = _CLOSED_GUARDS[table]
    # TG_OP picks the row that exists: NEW on INSERT, OLD otherwise.
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_refuse_when_closed() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF {status_sql.format(row='NEW')} = 'closed' THEN
                    RAISE EXCEPTION '{table}: voting has closed';
                END IF;
                RETURN NEW;
            END IF;
            IF {status_sql.format(row='OLD')} = 'closed' THEN
                RAISE EXCEPTION '{table}: voting has closed';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {table}_closed_guard BEFORE {' OR '.join(operations)} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_when_closed()",
    ]


GUARDED_TABLES = (*_CLOSED_GUARDS, "decision")


def postgres_drop_statements() -> list[str]:
    return [
        *(f"DROP FUNCTION IF EXISTS {table}_refuse_when_closed() CASCADE"
          for table in _CLOSED_GUARDS),
        "DROP FUNCTION IF EXISTS decision_refuse_change() CASCADE",
    ]


def _triggers_for(table_name: str):
    def install(target, connection, **kw):
        dialect = connection.dialect.name
        if dialect == "sqlite":
            statements = sqlite_trigger_statements(table_name)
        elif dialect == "postgresql":
            statements = postgres_trigger_statements(table_name)
        else:
            return
        for statement in statements:
            connection.execute(DDL(statement))

    return install


for _model in (Proposal, Candidate, BallotTally, RoomTally, VoteParticipation, Decision):
    event.listen(_model.__table__, "after_create", _triggers_for(_model.__tablename__))
