"""Turns what people say about time (上个月, 最近三个月, 2025年3月, 去年) into a date range."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.rules.parsing import cn_to_int


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def _month_range(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else cn_to_int(text)


def parse_period(text: str | None, today: date) -> Period | None:
    """The period a phrase names, ending no later than today; None when it names none."""
    if not text:
        return None
    text = text.replace(" ", "")
    if re.search(r"上个?月", text):
        first = _shift_month(today, -1)
        return _month_range(first.year, first.month)
    if re.search(r"(这个|本)月", text):
        return Period(today.replace(day=1), today)
    if "今年" in text:
        return Period(date(today.year, 1, 1), today)
    if "去年" in text:
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    recent = re.search(r"(?:最近|近|过去)([0-9一二两三四五六七八九十半]+)个?(天|周|星期|月|年)", text)
    if recent:
        return _recent(recent.group(1), recent.group(2), today)
    month = re.search(r"(?:(\d{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月份?", text)
    if month:
        number = _number(month.group(2))
        if number and 1 <= number <= 12:
            year = int(month.group(1)) if month.group(1) else today.year - (number > today.month)
            period = _month_range(year, number)
            return Period(period.start, min(period.end, today)) if period.start <= today else None
    return None


def _recent(amount: str, unit: str, today: date) -> Period | None:
    if amount == "半":
        days = 183 if unit == "年" else 15 if unit == "月" else None
    else:
        count = _number(amount)
        if not count:
            return None
        days = {"天": count, "周": 7 * count, "星期": 7 * count, "月": 30 * count, "年": 365 * count}[unit]
    return Period(today - timedelta(days=days - 1), today) if days else None
