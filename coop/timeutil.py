"""Time: stored in UTC, shown in Europe/Amsterdam."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones, so values are stored as naive UTC and made aware on load;
    PostgreSQL stores `timestamptz`. Naive input is refused: it is always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use coop.timeutil.utcnow()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(AMSTERDAM)


def local_today() -> date:
    """Today in Europe/Amsterdam (tests freeze the day by patching this one function)."""
    return utcnow().astimezone(AMSTERDAM).date()


def local_date(moment: datetime | None = None) -> date:
    """The Amsterdam calendar day of `moment` (default: now)."""
    return (moment or utcnow()).astimezone(AMSTERDAM).date()
