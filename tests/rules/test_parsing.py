"""Facts read from entity text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.rules.parsing import (
    normalise_hospital_level,
    normalise_insurance_type,
    parse_amount,
    parse_duration_months,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2万", 20000), ("1.5万", 15000), ("3000元", 3000), ("五千块", 5000), ("两万", 20000),
     ("一万五", 15000), ("3万5", 35000), ("三千五", 3500), ("12,345.6元", Decimal("12345.6")), ("没花钱", None)],
)
def test_amounts(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "months"),
    [("4个月", 4), ("半年", 6), ("两年", 24), ("一年半", 18), ("十四个月", 14), ("3个月", 3), ("好久", None)],
)
def test_durations(text, months):
    assert parse_duration_months(text) == months


@pytest.mark.parametrize(
    ("text", "kind"),
    [("职工", "职工"), ("灵活就业", "职工"), ("新农合", "居民"), ("合疗", "居民"), ("城乡居民", "居民"), ("商业", None)],
)
def test_insurance_types(text, kind):
    assert normalise_insurance_type(text) == kind


@pytest.mark.parametrize(("text", "level"), [("三甲", "三级"), ("二级", "二级"), ("社区", "一级"), ("私立", None)])
def test_hospital_levels(text, level):
    assert normalise_hospital_level(text) == level
