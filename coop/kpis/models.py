"""Community KPIs (seed 003 "Gemeenschapsvriendelijke KPI's", seed 004 fact sheets):
definitions, figures entered per month where the app holds no data, targets per funder
agreement and period, KPI reports and their published versions, and the funder contacts
who may read them.

A derived KPI names a computation the app knows (`DerivedKey`, computed by SQL aggregates
in `coop.kpis.services`): its figure is never typed in. A published report version is
stored unchanged (its figures as JSON and its PDF bytes); a correction is a new version.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db, one_of
from coop.timeutil import UTCDateTime, utcnow


class KpiSource(StrEnum):
    DERIVED = "derived"  # computed from the app's data
    ENTERED = "entered"  # entered per month by the board


class KpiUnit(StrEnum):
    COUNT = "count"
    HOURS = "hours"
    FTE = "fte"
    MONEY = "money"  # value in integer cents


class DerivedKey(StrEnum):
    MEMBERS = "members"
    VOLUNTEERS_ACTIVE = "volunteers_active"
    VOLUNTEER_HOURS = "volunteer_hours"
    ALLOWANCES_USED = "allowances_used"
    JOBS_COOP = "jobs_coop"
    JOBS_PARTNERS = "jobs_partners"
    FTE = "fte"
    DONATIONS = "donations"
    DONORS = "donors"
    ACTIVITIES = "activities"
    PARTICIPANTS = "participants"
    NEW_PARTICIPANTS = "new_participants"
    ACTIVITIES_BY_RESIDENTS = "activities_by_residents"
    MEETING_PLACES = "meeting_places"
    OPENING_DAYS = "opening_days"
    EVENTS = "events"
    EVENTS_SPONSORED_AMOUNT = "events_sponsored_amount"
    EXPERTS_PEER_GROUPS = "experts_peer_groups"
    FAMILY_NETWORK_MEETINGS = "family_network_meetings"
    VISITORS_PER_DAY = "visitors_per_day"
    BAR_TURNOVER = "bar_turnover"


class KpiDefinition(db.Model):
    __tablename__ = "kpi_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    derived_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Sums across months and across coops (a city-wide merge adds it up); otherwise
    # the period's figure is the mean of its months and a merge refuses to add it.
    additive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    predefined: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(one_of("unit", KpiUnit), name="unit_known"),
        CheckConstraint(one_of("source", KpiSource), name="source_known"),
        CheckConstraint("(source = 'derived') = (derived_key IS NOT NULL)",
                        name="derived_iff_key"),
        CheckConstraint("code <> '' AND name <> ''", name="code_name_not_empty"),
    )


class KpiEnteredValue(db.Model):
    """The figure of an entered KPI for one calendar month."""

    __tablename__ = "kpi_entered_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi_definition.id"), nullable=False)
    month: Mapped[date] = mapped_column(Date, nullable=False)  # the first of the month
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("kpi_id", "month"),
        CheckConstraint("value >= 0", name="value_nonnegative"),
    )


class KpiTarget(db.Model):
    """What an agreement asks of one KPI over a period inside the agreement's period."""

    __tablename__ = "kpi_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi_definition.id"), nullable=False)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("funder_agreement.id"), nullable=False, index=True)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    target: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("kpi_id", "agreement_id", "period_start", "period_end"),
        CheckConstraint("period_end >= period_start", name="end_after_start"),
        CheckConstraint("target >= 0", name="target_nonnegative"),
    )


class KpiReport(db.Model):
    """The KPI report of one agreement over one period, with the board's narrative."""

    __tablename__ = "kpi_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("funder_agreement.id"), nullable=False, index=True)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    # The initiative whose theory of change the report opens with (optional).
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"))
    narrative: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("agreement_id", "period_start", "period_end"),
        CheckConstraint("period_end >= period_start", name="end_after_start"),
    )


class KpiReportVersion(db.Model):
    """A published version: never changed after it is written."""

    __tablename__ = "kpi_report_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("kpi_report.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    figures_json: Mapped[str] = mapped_column(Text, nullable=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )


class FunderContact(db.Model):
    """A user account that reads the published KPI reports of one funder."""

    __tablename__ = "funder_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), nullable=False, unique=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("funder.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
