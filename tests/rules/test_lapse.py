"""Lapse: 38号 waiting periods (worked examples + monotonicity), 职工 gaps (43号), both entry points."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.common import RuleInputError, policy_view
from bot.rules.lapse import (
    GAP_SWITCH,
    GAP_TRANSFER,
    NO_BACKPAY_FOR_LAPSE,
    ResidentWaitingRule,
    find_gaps,
    lapse_from_length,
    lapse_from_months,
    resident_waiting_months,
)
from bot.rules.overview import lapse_overview
from bot.rules.parsing import parse_gap_change
from bot.rules.render import render_text


def months(first: str, last: str) -> list[date]:
    y, m = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (y, m) <= end:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture(scope="module")
def rule(book) -> ResidentWaitingRule:
    return ResidentWaitingRule.from_view(policy_view(None, book))


# 国办发〔2024〕38号: 3 months fixed; 「每多断保1年」+1 month, counted N−1 (the first lapsed year is the
# fixed period: 1 year → 3, 2 → 4, 3 → 5, 4 → 6, which is exactly the "≥ 4 years → at least 6 months
# after paying back" floor); −1 per year paid back (not below the fixed 3). See docs/policy-review.md.
@pytest.mark.parametrize(
    ("lapsed_years", "paid_back", "expected"),
    [
        (0, 0, 3),  # enrolled outside the window, no full year missed: fixed period only
        (1, 0, 3),  # one lapsed year: 未连续参保 → the fixed period
        (2, 0, 4),  # 「断了两年」
        (3, 0, 5),
        (4, 0, 6),  # = the floor for ≥ 4 years
        (2, 1, 3),
        (2, 2, 3),
        (3, 5, 3),  # paying back more years than lapsed cannot go below the fixed period
        (4, 4, 6),  # lapse ≥ 4 years: at least 6 months even after paying everything back
        (5, 1, 6),
        (6, 6, 6),
        (10, 0, 12),
    ],
)
def test_resident_waiting_period_worked_examples(rule, lapsed_years, paid_back, expected):
    assert resident_waiting_months(lapsed_years, paid_back, rule) == expected


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
def test_waiting_period_is_monotone_in_lapse_length(rule, years, more, paid_back):
    shorter = resident_waiting_months(years, paid_back, rule)
    assert resident_waiting_months(years + more, paid_back, rule) >= shorter >= rule.fixed_months


@given(st.integers(0, 120), st.integers(0, 120), st.sampled_from(["职工", "居民"]),
       st.sampled_from([None, "武汉", "示例东市", "示例南市", "示例甲省"]))
def test_waiting_from_message_is_monotone_in_months(regional_book, lapse, more, kind, region):
    short = lapse_from_length(lapse, kind, region, book=regional_book)
    long = lapse_from_length(lapse + more, kind, region, book=regional_book)
    assert long.waiting_months_min >= short.waiting_months_min
    assert long.waiting_months_max >= short.waiting_months_max
    assert long.waiting_months_min <= long.waiting_months_max


def test_negative_years_are_rejected(rule):
    with pytest.raises(RuleInputError):
        resident_waiting_months(-1, 0, rule)


# 职工医保 (43号): ≤ 3 months can be paid back; > 3 months: the region may set up to 6 months.
@pytest.mark.parametrize(
    ("lapse", "region", "status", "waiting"),
    [
        (0, None, "正常", (0, 0)),
        (1, None, "暂停待遇", (0, 0)),
        (3, None, "暂停待遇", (0, 0)),
        (4, None, "终止", (0, 6)),
        (4, "武汉", "终止", (0, 6)),  # no sourced 武汉 figure: the national range, never an invented one
        (4, "深圳市", "终止", (0, 6)),
        (4, "示例东市", "终止", (3, 3)),  # fictional test regions with illustrative local figures
        (4, "示例南市", "终止", (6, 6)),
        (4, "示例甲省", "终止", (0, 6)),
    ],
)
def test_employee_lapse_from_message(regional_book, lapse, region, status, waiting):
    result = lapse_from_length(lapse, "职工", region, book=regional_book)
    assert (result.status, (result.waiting_months_min, result.waiting_months_max)) == (status, waiting)
    assert result.benefits_suspended == (status != "正常")


def test_message_example_employee_lapsed_four_months(book):
    """「我职工医保断了4个月」"""
    result = lapse_from_length(4, "职工", book=book)
    assert result.backpay_covers_lapse is False
    assert NO_BACKPAY_FOR_LAPSE in result.reasons
    assert "43号" in result.source_line()
    assert result.caveat() == "各地政策可能不同，以当地医保部门为准"
    assert "终止" in result.decision and "0–6个月" in result.decision


def test_resident_months_from_message_give_a_year_range(book):
    result = lapse_from_length(14, "新农合", book=book)
    assert result.insurance_type == "居民"
    assert (result.lapsed_years_min, result.lapsed_years_max) == (1, 2)
    assert (result.waiting_months_min, result.waiting_months_max) == (3, 4)
    assert result.narrowing_facts
    assert "国办发〔2024〕38号" in result.source_line()


def test_newborns_have_no_waiting_period_but_an_enrolment_deadline(book):
    """Issue #13 point 3: no waiting period only when enrolled within the local deadline after birth."""
    result = lapse_from_length(24, "居民", exempt=True, book=book)
    assert result.waiting_months_max == 0
    assert any("出生后90天或3个月内" in r and "可能有等待期" in r for r in result.reasons)


def test_unknown_insurance_type_asks_in_chinese(book):
    with pytest.raises(RuleInputError, match="职工医保还是居民医保"):
        lapse_from_length(4, "社保", book=book)


def test_gaps_are_found_between_paid_months():
    paid = months("2023-01", "2023-06") + months("2023-09", "2024-10")
    gaps = find_gaps(paid, until=date(2025, 1, 20))
    assert [(g.start, g.end, g.months, g.ongoing) for g in gaps] == [
        (date(2023, 7, 1), date(2023, 8, 1), 2, False),
        (date(2024, 11, 1), date(2024, 12, 1), 2, True),
    ]


def test_current_month_unpaid_is_not_yet_a_gap():
    assert find_gaps(months("2024-01", "2024-12"), until=date(2025, 1, 10)) == []


def test_seed_case_zhang_five_months_unpaid_is_suspended_and_not_paid_back(book):
    """Seed 000: 张姐 left her job, 5 months unpaid, then hospitalised: 暂停/终止, no retroactive claim."""
    paid = months("2016-01", "2024-07")
    result = lapse_from_months(paid, "职工", today=date(2025, 1, 10), book=book)
    assert result.lapse_months == 5
    assert result.benefits_suspended
    assert result.backpay_covers_lapse is False
    assert result.status == "终止"


def test_employee_short_gap_from_records_explains_rules_one_and_two_without_denying_cover(book):
    """A verified user's record cannot tell a transfer from a same-city restart: both 43号 rules are
    stated and the answer never says the gap is not paid."""
    result = lapse_from_months(months("2022-01", "2024-10"), "职工", today=date(2025, 1, 15), book=book)
    assert (result.status, result.lapse_months, result.backpay_covers_lapse) == ("暂停待遇", 2, None)
    text = render_text(result)
    assert "不要求此前连续参保年限" in text and "连续参保满2年" in text
    assert "补缴≠补报" not in text and "不予支付" not in text


def test_employee_short_gap_after_short_enrolment_is_still_open(book):
    result = lapse_from_months(months("2024-03", "2024-10"), "职工", today=date(2025, 1, 15), book=book)
    assert result.backpay_covers_lapse is None
    assert "补缴≠补报" not in render_text(result)


# 医保办发〔2021〕43号, worked examples: ① 职工→职工 transfer, gap ≤ 3 months, no condition on years;
# ② 职工↔居民 switch, gap ≤ 3 months, only after ≥ 2 continuous years; ③ gap > 3 months: wait ≤ 6 months.
@pytest.mark.parametrize(
    ("gap", "change", "insured_before", "covered"),
    [
        (2, GAP_TRANSFER, 12, True),  # ① 1 year insured is enough for a transfer
        (3, GAP_TRANSFER, 1, True),  # ① the limit is inclusive
        (2, GAP_SWITCH, 12, False),  # ② needs 2 continuous years
        (2, GAP_SWITCH, 24, True),  # ② exactly 2 years
        (2, GAP_SWITCH, None, None),  # ② years not known yet: the condition is asked
        (4, GAP_TRANSFER, 120, False),  # ③ over 3 months
        (5, GAP_SWITCH, 120, False),
        (5, None, None, False),
    ],
)
def test_employee_gap_43_rules_worked_examples(book, gap, change, insured_before, covered):
    result = lapse_from_length(gap, "职工", change=change, insured_months_before=insured_before, book=book)
    text = render_text(result)
    assert result.backpay_covers_lapse is covered
    if covered:
        assert "中断期间的医疗费用也可以追溯报销" in result.decision
        assert "补缴≠补报" not in text and "不予支付" not in text and "不能追溯" not in text
    if gap > 3:
        assert (result.waiting_months_min, result.waiting_months_max) == (0, 6)
        assert NO_BACKPAY_FOR_LAPSE in result.reasons
    else:
        assert result.waiting_months_max == 0 and NO_BACKPAY_FOR_LAPSE not in result.reasons


def test_transfer_rule_has_no_two_year_condition_and_switch_rule_has_it(book):
    covered = render_text(lapse_from_length(2, "职工", change=GAP_TRANSFER, insured_months_before=6, book=book))
    assert "不要求此前连续参保年限" in covered
    refused = lapse_from_length(2, "职工", change=GAP_SWITCH, insured_months_before=12, book=book)
    assert any("不足2年" in reason and "第②条" in reason for reason in refused.reasons)


def test_lapse_overview_keeps_no_backpay_for_residents_and_long_gaps_only(book):
    reasons = lapse_overview(book=book).reasons
    assert [r for r in reasons if "补缴≠补报" in r] == [f"居民医保：{NO_BACKPAY_FOR_LAPSE}"]
    assert any("不要求此前连续参保年限" in r for r in reasons)


@pytest.mark.parametrize(
    ("text", "change"),
    [("我换城市工作了，医保断了2个月要转移", GAP_TRANSFER), ("辞职后想转居民医保，断了2个月", GAP_SWITCH),
     ("我职工医保断了2个月", None)],
)
def test_gap_change_is_read_from_the_message(text, change):
    assert parse_gap_change(text) == change


def test_resident_record_counts_full_unpaid_years(book):
    paid = months("2020-01", "2022-12")
    result = lapse_from_months(paid, "居民", today=date(2026, 5, 1), book=book)
    assert result.status == "终止"
    assert result.lapsed_years_min == 3  # 2023, 2024, 2025
    assert result.waiting_months_min == 5


def test_resident_paid_back_years_shorten_the_wait(book):
    paid = months("2020-01", "2022-12")
    result = lapse_from_months(paid, "居民", today=date(2026, 5, 1), paid_back_years=2, book=book)
    assert result.waiting_months_min == 3


def test_resident_in_late_payment_window_is_suspended_not_terminated(regional_book):
    paid = months("2020-01", "2025-12")
    in_window = lapse_from_months(paid, "居民", today=date(2026, 2, 10), region="示例东市", book=regional_book)
    no_window = lapse_from_months(paid, "居民", today=date(2026, 2, 10), region="武汉", book=regional_book)
    assert (in_window.status, no_window.status) == ("暂停待遇", "终止")


def test_resident_paid_this_year_is_normal(book):
    result = lapse_from_months(months("2024-01", "2026-12"), "居民", today=date(2026, 5, 1), book=book)
    assert (result.status, result.benefits_suspended, result.waiting_months_max) == ("正常", False, 0)


def test_empty_record_is_a_user_facing_error(book):
    with pytest.raises(RuleInputError):
        lapse_from_months([], "职工", today=date(2025, 1, 1), book=book)


def test_illustrative_local_wait_is_announced_in_the_first_line(regional_book):
    text = render_text(lapse_from_length(5, "职工", "示例东市", book=regional_book))
    assert text.splitlines()[0].startswith("【按常见标准估算，非您所在地的实际标准】")


def test_real_city_without_sourced_figure_gets_the_national_rule_and_where_to_ask(book):
    result = lapse_from_length(5, "职工", "武汉", book=book)
    text = render_text(result)
    assert "0–6个月" in result.decision and "12393" in text
    assert not result.estimated_with_examples


@pytest.mark.parametrize(("said", "last_paid", "today", "expected"), [
    ("断了两年", "2023-12", date(2026, 3, 10), 4),
    ("断了一年", "2024-12", date(2026, 3, 10), 3),
    ("断了4年", "2021-12", date(2026, 3, 10), 6),
])
def test_saying_the_lapse_and_the_verified_record_give_the_same_wait(book, said, last_paid, today, expected):
    """Issue #13 point 6: 「断了两年」 and a verified user's record with two unpaid years agree."""
    from bot.rules.parsing import parse_duration_months

    by_message = lapse_from_length(parse_duration_months(said), "居民", book=book)
    by_record = lapse_from_months(months("2018-01", last_paid), "居民", today=today, book=book)
    assert by_message.waiting_months_min == by_message.waiting_months_max == expected
    assert (by_record.waiting_months_min, by_record.waiting_months_max) == (expected, expected)
    assert "断保2年4个月" in render_text(by_message)


def test_suspension_after_stopping_is_described_as_a_local_rule(book):
    """Issue #13 point 9: 「停缴后一般从次月起暂停」 was one city's rule worded as national."""
    text = render_text(lapse_from_length(2, "职工", book=book))
    assert "停缴后一般从次月起暂停" not in text
    assert "停缴后从何时起暂停待遇由参保地规定" in text
