"""Employer arrears: 滞纳金 0.05%/day (社会保险法第八十六条), fines, complaint route, citations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.arrears import employer_arrears, late_fee
from bot.rules.common import RuleInputError

D = Decimal


@pytest.mark.parametrize(
    ("amount", "since", "until", "days", "fee"),
    [
        (10000, date(2025, 1, 1), date(2025, 1, 31), 30, D("150.00")),  # 10000 × 0.0005 × 30
        (1234.56, date(2024, 3, 1), date(2024, 3, 11), 10, D("6.17")),  # 6.1728 → 6.17
        (800, date(2024, 12, 31), date(2025, 12, 31), 365, D("146.00")),
        (5000, date(2025, 6, 1), date(2025, 6, 1), 0, D("0.00")),
    ],
)
def test_late_fee_worked_examples(book, amount, since, until, days, fee):
    result = employer_arrears(amount, since, until, book=book)
    assert (result.days, result.late_fee) == (days, fee)


def test_fine_is_one_to_three_times_the_arrears(book):
    result = employer_arrears(10000, date(2025, 1, 1), date(2025, 3, 1), book=book)
    assert (result.fine_min, result.fine_max) == (D("10000.00"), D("30000.00"))


def test_answer_cites_articles_23_and_86_and_gives_the_complaint_route(book):
    result = employer_arrears(10000, date(2025, 1, 1), date(2025, 3, 1), book=book)
    line = result.source_line()
    assert line.startswith("依据：《中华人民共和国社会保险法》")
    assert "第二十三条" in line and "第八十六条" in line
    assert any("12393" in step for step in result.complaint_route)
    assert "万分之五" in result.decision
    assert result.caveat() is None  # national law: no regional caveat


@given(st.decimals(D("0.01"), D("1000000"), places=2), st.integers(0, 3650), st.integers(0, 3650))
def test_late_fee_grows_with_days_and_is_proportional(amount, days, more):
    rate = D("0.0005")
    assert late_fee(amount, days + more, rate) >= late_fee(amount, days, rate)
    assert abs(late_fee(amount, days, rate) - amount * rate * days) <= D("0.005")


def test_end_before_start_is_rejected(book):
    with pytest.raises(RuleInputError):
        employer_arrears(100, date(2025, 1, 2), date(2025, 1, 1), book=book)
    with pytest.raises(RuleInputError):
        employer_arrears(0, date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=1), book=book)


def test_employee_hears_first_that_the_employer_pays_the_lost_medical_costs(book):
    """Issue #13 point 4: the costs lost through the arrears are the employer's, with the routes."""
    from bot.rules.overview import arrears_overview
    from bot.rules.render import render_text

    for result in (employer_arrears(6000, date(2025, 3, 1), date(2025, 6, 1), book=book), arrears_overview(book=book)):
        text = render_text(result)
        assert "不能报销的医疗费，应由单位承担，可以要求单位赔偿" in text.splitlines()[0]
        assert "劳动争议调解、仲裁" in text and "经济补偿" in text
        assert "法释〔2020〕26号" in result.source_line() and "第一条第（五）项" in result.source_line()
        assert "《中华人民共和国劳动合同法》第三十八条、第四十六条" in result.source_line()
