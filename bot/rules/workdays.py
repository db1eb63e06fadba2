"""Working days per the State Council holiday schedule (chinese_calendar: holidays and 调休 workdays).

chinese_calendar only knows years whose schedule the State Council has published (each November for
the next year). For a later year we skip the statutory holidays of 《全国年节及纪念日放假办法》 (as
amended in 2024) and weekends, and mark the answer as an estimate: the year's 调休 (swapped working
weekends, bridging days) is not known yet, so the real date may move by a few days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate


@dataclass(frozen=True)
class WorkdayAnswer:
    day: date
    estimated: bool  # True when some year in the span had no published holiday schedule


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


def _run(first: date, days: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(days)]


def _qingming(year: int) -> date:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    return next(day for day, name in terms if name == "清明")


@lru_cache(maxsize=16)
def statutory_holidays(year: int) -> frozenset[date]:
    """The days off that the 2024 放假办法 fixes by date: 元旦 1, 春节 4 (除夕 to 初三), 清明 1,
    劳动节 2, 端午 1, 中秋 1, 国庆 3 — without the 调休 that each year's schedule adds."""
    new_year_eve = _lunar(year, 1, 1) - timedelta(days=1)
    days = [date(year, 1, 1), *_run(new_year_eve, 4), _qingming(year), *_run(date(year, 5, 1), 2),
            _lunar(year, 5, 5), _lunar(year, 8, 15), *_run(date(year, 10, 1), 3)]
    return frozenset(days)


def schedule_published(year: int) -> bool:
    """Whether the holiday library has the State Council's schedule for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is a working day, is an estimate)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5 and day not in statutory_holidays(day.year), True


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
