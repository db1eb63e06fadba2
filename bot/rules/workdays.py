"""Working days per the State Council holiday schedule (chinese_calendar: holidays and 调休 workdays).

chinese_calendar only knows years whose schedule has been published; for later years we fall back to
Monday–Friday and say the date is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class WorkdayAnswer:
    day: date
    estimated: bool  # True when some year in the span had no published holiday schedule


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is a working day, is an estimate)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def next_working_day(day: date) -> WorkdayAnswer:
    """`day` itself if it is a working day, else the first working day after it."""
    estimated = False
    working, est = is_working_day(day)
    while not working:
        estimated |= est
        day += timedelta(days=1)
        working, est = is_working_day(day)
    return WorkdayAnswer(day, estimated or est)


def add_working_days(start: date, count: int) -> WorkdayAnswer:
    """The `count`-th working day after `start` (start itself not counted)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    day, seen, estimated = start, 0, False
    while seen < count:
        day += timedelta(days=1)
        working, est = is_working_day(day)
        estimated |= est
        seen += working
    return WorkdayAnswer(day, estimated)


def format_cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
