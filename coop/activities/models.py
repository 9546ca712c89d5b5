"""What the coop does: the initiatives' theories of change, partners and key figures,
meeting places, activities, events in the neighbourhood and periodic counts.

Every table here hangs off `coop.volunteers.models.Initiative` by `initiative_id` (that
model belongs to the volunteers package and is not changed). Money is integer cents.
Numbers that KPIs add up (participants, new participants, volunteers, costs, visitors,
turnover, counts) are plain integer columns so a KPI is one SQL aggregate.
"""

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow
from coop.volunteers.models import Initiative


class TheoryOfChange(db.Model):
    """An initiative's veranderverhaal, as on the fact sheets: target group → approach →
    direct effects → indirect contributions. One per initiative; each text holds one
    point per line."""

    __tablename__ = "theory_of_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id"), nullable=False, unique=True)
    target_group: Mapped[str] = mapped_column(Text, nullable=False, default="")
    approach: Mapped[str] = mapped_column(Text, nullable=False, default="")
    direct_effects: Mapped[str] = mapped_column(Text, nullable=False, default="")
    indirect_contributions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    initiative = relationship(Initiative, lazy="raise")

    @staticmethod
    def points(text: str | None) -> list[str]:
        """The non-empty lines of one of the texts."""
        return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PartnerRole(StrEnum):
    """The roles in a wijknetwerk (seed 000)."""

    CARE = "care"
    WELFARE = "welfare"
    HOUSING = "housing"  # housing corporation or housing facility
    MUNICIPALITY = "municipality"
    POLICE = "police"
    ENTREPRENEURS = "entrepreneurs"
    OTHER = "other"


class InitiativePartner(db.Model):
    """An organisation an initiative works with, in one wijknetwerk role."""

    __tablename__ = "initiative_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("role", PartnerRole), name="role_known"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        UniqueConstraint("initiative_id", "name"),
    )


class InitiativeKeyFigure(db.Model):
    """A key figure shown large on a fact sheet: "94" + "vrijwilligers uit de wijk"."""

    __tablename__ = "initiative_key_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id"), nullable=False, index=True)
    value: Mapped[str] = mapped_column(String(40), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("value <> '' AND label <> ''", name="not_empty"),
    )


class PlaceKind(StrEnum):
    COMMUNITY_CENTRE = "community_centre"  # buurthuis, ontmoetingscentrum
    OUTDOOR = "outdoor"  # buurttuin, park, square
    OTHER_PHYSICAL = "other_physical"
    WHATSAPP_GROUP = "whatsapp_group"
    ONLINE_PLATFORM = "online_platform"  # buurtplatform, Facebook group, website
    OTHER_DIGITAL = "other_digital"


DIGITAL_PLACE_KINDS = frozenset({PlaceKind.WHATSAPP_GROUP, PlaceKind.ONLINE_PLATFORM,
                                 PlaceKind.OTHER_DIGITAL})


class MeetingPlace(db.Model):
    """A place where residents meet, physical or digital."""

    __tablename__ = "meeting_place"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # Physical places: days open per week (0–7); digital ones: NULL (always open).
    opening_days_per_week: Mapped[int | None] = mapped_column(Integer)
    financially_supported: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Whether the place keeps these figures per month (PlaceMonthFigure).
    records_visitors: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    records_bar_turnover: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("kind", PlaceKind), name="kind_known"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint(
            "opening_days_per_week IS NULL OR opening_days_per_week BETWEEN 0 AND 7",
            name="opening_days_in_week"),
    )

    @property
    def is_digital(self) -> bool:
        return self.kind in DIGITAL_PLACE_KINDS


class PlaceMonthFigure(db.Model):
    """What a place recorded in one month: regular visitors per day (an average) and
    bar turnover. `month` is the first day of the month."""

    __tablename__ = "place_month_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("meeting_place.id"), nullable=False)
    month: Mapped[date] = mapped_column(Date, nullable=False)
    visitors_per_day: Mapped[int | None] = mapped_column(Integer)
    bar_turnover_cents: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    place = relationship(MeetingPlace, lazy="raise")

    __table_args__ = (
        UniqueConstraint("place_id", "month"),
        CheckConstraint("visitors_per_day IS NULL OR visitors_per_day >= 0",
                        name="visitors_not_negative"),
        CheckConstraint("bar_turnover_cents IS NULL OR bar_turnover_cents >= 0",
                        name="turnover_not_negative"),
        Index("ix_place_month_figure_month", "month"),
    )


class Activity(db.Model):
    """One activity of an initiative on one day: held (counted) or planned.

    `participants` counts everyone who took part, `new_participants` those among them
    who came for the first time; `volunteers` the volunteers involved. `public` opts the
    activity in to the public calendar and the iCalendar feed.
    """

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), nullable=False)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_place.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    activity_date: Mapped[date] = mapped_column(Date, nullable=False)
    start_time: Mapped[time | None] = mapped_column(Time)
    participants: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    new_participants: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    volunteers: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    organised_by_residents: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False)
    costs_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    planned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    initiative = relationship(Initiative, lazy="raise")
    place = relationship(MeetingPlace, lazy="raise")

    __table_args__ = (
        CheckConstraint("title <> ''", name="title_not_empty"),
        CheckConstraint("participants >= 0 AND volunteers >= 0 AND costs_cents >= 0",
                        name="counts_not_negative"),
        CheckConstraint("new_participants BETWEEN 0 AND participants",
                        name="new_within_participants"),
        Index("ix_activity_initiative_date", "initiative_id", "activity_date"),
        Index("ix_activity_date", "activity_date"),
    )


class NeighbourhoodEvent(db.Model):
    """An event in the neighbourhood where the coop is present or which it sponsors
    (the booklet's sixth KPI)."""

    __tablename__ = "neighbourhood_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_date: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    present: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sponsored: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sponsored_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("present OR sponsored", name="present_or_sponsored"),
        CheckConstraint("sponsored_cents >= 0", name="amount_not_negative"),
        CheckConstraint("sponsored OR sponsored_cents = 0", name="amount_only_if_sponsored"),
        Index("ix_neighbourhood_event_date", "event_date"),
    )


class CountKind(StrEnum):
    PEER_GROUPS = "peer_groups"  # lotgenotengroepen held
    EXPERTS_BY_EXPERIENCE = "experts_by_experience"  # ervaringsdeskundigen deployed
    FAMILY_NETWORK_MEETINGS = "family_network_meetings"  # familienetwerkberaden held


class InitiativeCount(db.Model):
    """A simple dated count for one initiative over one period (both days included)."""

    __tablename__ = "initiative_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    initiative = relationship(Initiative, lazy="raise")

    __table_args__ = (
        CheckConstraint(one_of("kind", CountKind), name="kind_known"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        UniqueConstraint("initiative_id", "kind", "period_start"),
        Index("ix_initiative_count_kind_period", "kind", "period_start"),
    )
