"""Expected values computed from the session's pinned date, so assertions hold on every day of the year."""

from __future__ import annotations

from datetime import date

import yaml

from tests.support.assistant import ROOT


def collection_day() -> int:
    """The day of the month 职工 contributions of the demo data are collected (data/demo/personas.yml)."""
    return int(yaml.safe_load((ROOT / "data/demo/personas.yml").read_text(encoding="utf-8"))["collection_day"])


def last_collected_month(today: date) -> date:
    """This month once the collection day has come, else the month before."""
    if today.day >= collection_day():
        return today.replace(day=1)
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def paid_cells_of_continuous_payer(today: date) -> int:
    """■ cells in the payment grid of someone who never missed a month: the grid shows whole calendar
    years from the one 11 months back to this one, paid from January of the first up to the last
    collected month."""
    first_year = today.year - (today.month < 12)
    last = last_collected_month(today)
    return (last.year - first_year) * 12 + last.month
