"""The member register: persons, membership types, memberships and their history.

One `Person` per human or organisation, whatever roles they have (member, volunteer,
buurtbaan worker, board member). A membership is never deleted or reused: leaving ends
it, rejoining starts a new one with a new member number for the same person.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class PersonKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"  # an initiative or an entrepreneur's business


class MembershipStatus(StrEnum):
    ASPIRANT = "aspirant"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class ConsentKind(StrEnum):
    ELECTRONIC_CONVOCATION = "electronic_convocation"  # BW 2:41 lid 5
    NEWSLETTER = "newsletter"


class Person(db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=PersonKind.PERSON)
    given_name: Mapped[str | None] = mapped_column(String(100))
    name_prefix: Mapped[str | None] = mapped_column(String(20))  # tussenvoegsel: "van der"
    family_name: Mapped[str] = mapped_column(String(200), nullable=False)  # or organisation
    # Lower-case "family given" for sorting and prefix search ("van der Aa" under A).
    sort_name: Mapped[str] = mapped_column(String(320), nullable=False)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    consent_electronic_convocation: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False
    )
    consent_newsletter: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="person", order_by="Membership.start_date", lazy="raise"
    )
    consent_events: Mapped[list["ConsentEvent"]] = relationship(
        back_populates="person", order_by="ConsentEvent.at", lazy="raise"
    )
    user = relationship("User", lazy="raise")

    __table_args__ = (
        CheckConstraint(one_of("kind", PersonKind), name="kind_known"),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lowercase"),
        Index("ix_person_sort_name_id", "sort_name", "id"),
        Index("ix_person_postcode", "postcode"),
    )

    @property
    def display_name(self) -> str:
        if self.kind == PersonKind.ORGANISATION:
            return self.family_name
        return " ".join(p for p in (self.given_name, self.name_prefix, self.family_name) if p)


class ConsentEvent(db.Model):
    """Each time a consent is given or withdrawn: the history the flags on Person summarise."""

    __tablename__ = "consent_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    given: Mapped[bool] = mapped_column(Boolean, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="consent_events")

    __table_args__ = (CheckConstraint(one_of("kind", ConsentKind), name="kind_known"),)


class MembershipType(db.Model):
    __tablename__ = "membership_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    yearly_dues_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    has_vote: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (CheckConstraint("yearly_dues_cents >= 0", name="dues_nonnegative"),)


class MemberNumberCounter(db.Model):
    """The last member number handed out: numbers only go up, so none is ever reused."""

    __tablename__ = "member_number_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Membership(db.Model):
    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("membership_type.id"), nullable=False)
    member_number: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    # The day the membership first became active: an aspirant is not a member yet (no
    # dues, not in the register of members), and one turned down never becomes one.
    admitted_on: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="memberships", lazy="raise")
    type: Mapped[MembershipType] = relationship(lazy="raise")
    status_changes: Mapped[list["MembershipStatusChange"]] = relationship(
        back_populates="membership", order_by="MembershipStatusChange.id", lazy="raise"
    )

    __table_args__ = (
        CheckConstraint(one_of("status", MembershipStatus), name="status_known"),
        CheckConstraint("member_number > 0", name="member_number_positive"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint(
            "(status = 'ended') = (end_date IS NOT NULL)", name="ended_iff_end_date"
        ),
        Index("ix_membership_status_type_id", "status", "type_id"),
        # At most one membership per person that has not ended (rejoining ends first).
        Index(
            "uq_membership_one_current", "person_id", unique=True,
            sqlite_where=text("status <> 'ended'"), postgresql_where=text("status <> 'ended'"),
        ),
        Index("ix_membership_dates", "start_date", "end_date"),
    )


class MembershipStatusChange(db.Model):
    """Append-only history of a membership's status, with the reason."""

    __tablename__ = "membership_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id"), nullable=False, index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12), nullable=False)
    effective_date: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    membership: Mapped[Membership] = relationship(back_populates="status_changes")

    __table_args__ = (
        CheckConstraint(one_of("to_status", MembershipStatus), name="to_status_known"),
    )
