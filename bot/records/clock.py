"""Time in China (UTC+8, no daylight saving): stored datetimes are naive Beijing time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    """Current Beijing time, naive (the form every timestamp column uses)."""
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """First day of the month `months` after (or before, when negative) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
