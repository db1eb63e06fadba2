"""Time in China (UTC+8, no daylight saving): stored datetimes are naive Beijing time.

Every date the assistant reasons with comes from `now()`. Tests pin it with the environment variable
`YIBAO_CLOCK_PIN` (an ISO Beijing datetime such as `2026-12-01T00:30:00`), which the test session sets
once and hands to the Rasa and action servers it starts, so every process sees the same instant and
expected values can be computed from it. Production never sets it.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")
PIN_VARIABLE = "YIBAO_CLOCK_PIN"


def pinned() -> datetime | None:
    """The pinned Beijing time, or None when the real clock is in use."""
    value = os.environ.get(PIN_VARIABLE, "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def real_now() -> datetime:
    """Beijing time from the system clock, naive."""
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def now() -> datetime:
    """Current Beijing time, naive (the form every timestamp column uses); the pin when one is set."""
    return pinned() or real_now()


def today() -> date:
    return now().date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """First day of the month `months` after (or before, when negative) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
