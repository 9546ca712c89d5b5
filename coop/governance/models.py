"""Governance: the bodies of the coop (board, RvT, kascommissie, teams…), their positions
with signature authority, and the appointments of persons to those positions.

An appointment is one term. Reappointment is a new row (the next term), stepping down
early fills in `ended_on` and the reason; nothing is deleted, so the history stays.
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
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class BodyKind(StrEnum):
    BOARD = "board"  # bestuur
    SUPERVISORY_BOARD = "supervisory_board"  # raad van toezicht (RvT)
    AUDIT_COMMITTEE = "audit_committee"  # kascommissie (BW 2:48)
    TEAM = "team"  # a team or circle
    PROJECT_LEADS = "project_leads"
    AMBASSADORS = "ambassadors"  # buurtambassadeurs


# The coop has at most one of each of these: the rules (kascommissie not on the board)
# and the annual report speak of "the" board.
SINGLE_BODY_KINDS = (BodyKind.BOARD, BodyKind.SUPERVISORY_BOARD, BodyKind.AUDIT_COMMITTEE)
_SINGLE_KIND_SQL = f"kind IN ({', '.join(repr(k.value) for k in SINGLE_BODY_KINDS)})"


class SignatureAuthority(StrEnum):
    NONE = "none"
    ALONE = "alone"
    JOINTLY = "jointly"  # together with `joint_signers` other signatories


class Body(db.Model):
    __tablename__ = "governance_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # Overrides of the statute defaults on Organisation; NULL: the statutes' default.
    term_years: Mapped[int | None] = mapped_column(Integer)
    max_terms: Mapped[int | None] = mapped_column(Integer)
    # Only members of the coop may sit on it (the kascommissie always: "uit de leden").
    members_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    positions: Mapped[list["Position"]] = relationship(
        back_populates="body", order_by="(Position.sort_order, Position.id)", lazy="raise"
    )

    __table_args__ = (
        CheckConstraint(one_of("kind", BodyKind), name="kind_known"),
        CheckConstraint("term_years IS NULL OR term_years BETWEEN 1 AND 10",
                        name="term_years_range"),
        CheckConstraint("max_terms IS NULL OR max_terms BETWEEN 1 AND 10",
                        name="max_terms_range"),
        CheckConstraint(
            f"kind <> '{BodyKind.AUDIT_COMMITTEE.value}' OR members_only",
            name="audit_committee_members_only",
        ),
        Index(
            "uq_governance_body_single_kind", "kind", unique=True,
            sqlite_where=text(_SINGLE_KIND_SQL), postgresql_where=text(_SINGLE_KIND_SQL),
        ),
    )


class Position(db.Model):
    __tablename__ = "governance_position"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governance_body.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    signature_authority: Mapped[str] = mapped_column(
        String(10), nullable=False, default=SignatureAuthority.NONE
    )
    joint_signers: Mapped[int | None] = mapped_column(Integer)
    # How many persons hold the position at the same time (a board has 1 chair, 3 members).
    seats: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    body: Mapped[Body] = relationship(back_populates="positions", lazy="raise")

    __table_args__ = (
        CheckConstraint(one_of("signature_authority", SignatureAuthority),
                        name="signature_authority_known"),
        CheckConstraint(
            "(signature_authority = 'jointly') = (joint_signers IS NOT NULL)",
            name="joint_signers_iff_jointly",
        ),
        CheckConstraint("joint_signers IS NULL OR joint_signers BETWEEN 1 AND 10",
                        name="joint_signers_range"),
        CheckConstraint("seats BETWEEN 1 AND 50", name="seats_range"),
        db.UniqueConstraint("body_id", "name", name="uq_governance_position_body_name"),
    )


class Appointment(db.Model):
    """One term of a person in a position. `end_date` is the last day of the term as
    appointed; `ended_on` the last day served when the person stepped down early."""

    __tablename__ = "appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    position_id: Mapped[int] = mapped_column(
        ForeignKey("governance_position.id"), nullable=False
    )
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    term_years: Mapped[int] = mapped_column(Integer, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    # 1 for a first term, 2 for the first reappointment without a break, …
    term_number: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The ALV decision that made the appointment (decisions register, coop/meetings).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    # Entered in error: the term never counted (see services.void_appointment). Set once,
    # with the reason; the row stays so the history shows the correction.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)

    person = relationship("Person", lazy="raise")
    position: Mapped[Position] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("end_date > start_date", name="end_after_start"),
        CheckConstraint("term_years BETWEEN 1 AND 10", name="term_years_range"),
        CheckConstraint("term_number >= 1", name="term_number_positive"),
        CheckConstraint(
            "ended_on IS NULL OR (ended_on >= start_date AND ended_on <= end_date)",
            name="ended_within_term",
        ),
        CheckConstraint("(ended_on IS NULL) = (end_reason IS NULL)",
                        name="ended_iff_reason"),
        CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)",
                        name="voided_iff_reason"),
        Index("ix_appointment_position_start", "position_id", "start_date"),
        Index("ix_appointment_end_date", "end_date"),
    )

    @property
    def last_day(self) -> date:
        """The last day in office: the day stepped down, else the end of the term."""
        return self.ended_on or self.end_date


# History is kept: the database refuses to delete a term or to rewrite it. The changes
# allowed are filling in the stepping down (last day and reason), once, and marking the
# term as entered in error (when and why), once; after that its stepping down is frozen
# too. The ALV decision link is not covered, so it can be linked afterwards.
_REWRITTEN_BEFORE_VOIDING = (
    "NEW.person_id <> OLD.person_id OR NEW.position_id <> OLD.position_id "
    "OR NEW.start_date <> OLD.start_date OR NEW.term_years <> OLD.term_years "
    "OR NEW.end_date <> OLD.end_date OR NEW.term_number <> OLD.term_number "
    "OR NEW.previous_id IS DISTINCT FROM OLD.previous_id "
    "OR (OLD.ended_on IS NOT NULL AND (NEW.ended_on IS DISTINCT FROM OLD.ended_on "
    "OR NEW.end_reason IS DISTINCT FROM OLD.end_reason))"
)
_REWRITTEN = (
    _REWRITTEN_BEFORE_VOIDING
    + " OR (OLD.voided_at IS NOT NULL AND (NEW.voided_at IS DISTINCT FROM OLD.voided_at "
    "OR NEW.void_reason IS DISTINCT FROM OLD.void_reason "
    "OR NEW.ended_on IS DISTINCT FROM OLD.ended_on "
    "OR NEW.end_reason IS DISTINCT FROM OLD.end_reason))"
)
PG_KEEP_HISTORY = [
    f"""
    CREATE OR REPLACE FUNCTION appointment_keep_history() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'appointment history is kept: a term cannot be deleted';
        END IF;
        IF {_REWRITTEN} THEN
            RAISE EXCEPTION 'appointment history is kept: a term cannot be rewritten';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER appointment_keep_history BEFORE UPDATE OR DELETE ON appointment "
    "FOR EACH ROW EXECUTE FUNCTION appointment_keep_history()",
]
SQLITE_KEEP_HISTORY = [
    "CREATE TRIGGER appointment_no_delete BEFORE DELETE ON appointment "
    "BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be deleted'); END",
    # SQLite has no IS DISTINCT FROM; IS NOT compares NULLs the same way.
    "CREATE TRIGGER appointment_no_rewrite BEFORE UPDATE ON appointment WHEN "
    + _REWRITTEN.replace("IS DISTINCT FROM", "IS NOT")
    + " BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be rewritten');"
    " END",
]
for _sql in PG_KEEP_HISTORY:
    event.listen(Appointment.__table__, "after_create",
                 DDL(_sql).execute_if(dialect="postgresql"))
for _sql in SQLITE_KEEP_HISTORY:
    event.listen(Appointment.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
