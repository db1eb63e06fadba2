"""How long a lapse is, only when the text says the time is the gap (issue 12, graded round 6: 「社保交了10年
断交有什么影响」 was answered as a 120-month gap)."""

import pytest

from bot.rules.parsing import lapse_duration_months


@pytest.mark.parametrize(("text", "months"), [
    ("我职工医保断了4个月", 4), ("医保断缴3个月", 3), ("半年没交医保", 6), ("两年没交新农合了", 24),
    ("停了一年半", 18), ("断交了两年", 24), ("三个月没缴费了", 3),
    ("社保交了10年断交有什么影响", None), ("交了5年了", None), ("医保交满15年后停交", None),
    ("医保中断了 该如何处理", None), ("住院花了3万", None),
])
def test_only_a_gap_counts_as_the_lapse(text: str, months: int | None) -> None:
    assert lapse_duration_months(text) == months
