"""转移接续: eligibility, the age-limit myth, and ETAs in working days (chinese_calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.render import render_text
from bot.rules.transfer import AGE_LIMIT_EXPLANATION, TransferCase, check_transfer, transfer_eta
from bot.rules.workdays import add_working_days, is_working_day, next_working_day, statutory_holidays

READY = dict(old_stopped=True, new_active=True, new_has_contribution=True)


def test_worked_example_out_by_october_16_2026(book):
    """Accepted Mon 2026-09-28; National Day 10/1–10/7 off, Sat 10/10 a 调休 workday."""
    result = check_transfer(TransferCase(**READY), date(2026, 9, 28), book)
    assert result.eligible is True
    assert result.transfer_out_by == date(2026, 10, 16)
    assert result.transfer_in_by == date(2026, 10, 23)
    assert "预计2026年10月16日前完成转出" in result.reasons
    assert "43号" in result.source_line()


def test_application_on_a_holiday_is_accepted_on_the_next_working_day():
    eta = transfer_eta(date(2026, 10, 3), 10, 5)
    assert eta.accepted_on == date(2026, 10, 8)
    assert not eta.estimated


def test_saturday_makeup_workday_counts():
    assert is_working_day(date(2026, 10, 10)) == (True, False)
    assert add_working_days(date(2026, 10, 9), 1).day == date(2026, 10, 10)


@given(st.dates(date(2004, 1, 1), date(2026, 11, 30)), st.integers(0, 15), st.integers(0, 10))
def test_eta_never_falls_on_a_non_working_day(applied, out_days, in_days):
    eta = transfer_eta(applied, out_days, in_days)
    for day in (eta.accepted_on, eta.out_by, eta.in_by):
        assert chinese_calendar.is_workday(day)
    assert applied <= eta.accepted_on <= eta.out_by <= eta.in_by
    assert not eta.estimated


@given(st.dates(date(2004, 1, 1), date(2026, 11, 30)), st.integers(1, 15))
def test_eta_counts_exactly_n_working_days(start, n):
    end = add_working_days(start, n).day
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(chinese_calendar.is_workday(d) for d in between) == n


def test_years_without_a_published_schedule_are_flagged_as_estimates():
    answer = next_working_day(date(2030, 6, 1))  # a Saturday
    assert answer.day == date(2030, 6, 3) and answer.estimated


def test_statutory_holidays_of_2027_follow_the_2024_rules_and_the_lunar_calendar():
    assert statutory_holidays(2027) == {
        date(2027, 1, 1),  # 元旦
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),  # 除夕 to 初三
        date(2027, 4, 5),  # 清明 (solar term)
        date(2027, 5, 1), date(2027, 5, 2),
        date(2027, 6, 9),  # 端午, 五月初五
        date(2027, 9, 15),  # 中秋, 八月十五
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
    }


@pytest.mark.parametrize("year", [2025, 2026])
def test_computed_statutory_holidays_are_days_off_in_the_published_schedules(year):
    """The fallback's lunar and solar-term dates agree with the State Council schedules we have."""
    for day in statutory_holidays(year):
        assert chinese_calendar.is_holiday(day), day


def test_transfer_accepted_before_new_year_2027_skips_yuandan(book):
    """Accepted Mon 2026-12-28: 2027-01-01 is a holiday although the library has no 2027 schedule."""
    result = check_transfer(TransferCase(**READY), date(2026, 12, 28), book)
    assert (result.transfer_out_by, result.transfer_in_by) == (date(2027, 1, 12), date(2027, 1, 19))
    assert result.calendar_estimated
    text = render_text(result)
    assert "自转出地受理之日起" in text
    assert "2027年的放假调休安排尚未公布" in text and "可能相差几天" in text


def test_transfer_across_spring_festival_2027_skips_chuxi_to_chusan(book):
    """Accepted Thu 2027-01-28; 除夕 Fri 2/5 to 初三 Mon 2/8 are off."""
    result = check_transfer(TransferCase(**READY), date(2027, 1, 28), book)
    assert (result.transfer_out_by, result.transfer_in_by) == (date(2027, 2, 15), date(2027, 2, 22))
    assert result.calendar_estimated


def test_transfer_inside_2026_is_exact_and_says_when_the_clock_starts(book):
    result = check_transfer(TransferCase(**READY), date(2026, 11, 2), book)
    assert (result.transfer_out_by, result.transfer_in_by) == (date(2026, 11, 16), date(2026, 11, 23))
    assert not result.calendar_estimated
    assert "时限自转出地受理之日起计算" in result.decision
    assert "尚未公布" not in render_text(result)


@pytest.mark.parametrize(
    ("case", "blocker_word"),
    [
        (TransferCase(old_stopped=False, new_active=True, new_has_contribution=True), "中止参保"),
        (TransferCase(old_stopped=True, new_active=False, new_has_contribution=False), "先在新参保地参保"),
        (TransferCase(**READY, retired=True), "异地安置备案"),
        (TransferCase(**READY, from_type="居民", to_type="新农合", same_year_resident=True), "下一年度"),
    ],
)
def test_blocked_transfers_say_what_to_do_first(book, case, blocker_word):
    result = check_transfer(case, date(2026, 3, 2), book)
    assert result.eligible is False
    assert any(blocker_word in b for b in result.blockers)
    assert result.transfer_out_by is None


def test_unknown_conditions_are_listed_to_confirm(book):
    result = check_transfer(TransferCase(), date(2026, 3, 2), book)
    assert result.eligible is None
    assert len(result.to_confirm) == 3
    assert result.transfer_in_by is not None


def test_age_limit_quoted_from_the_seed_is_explained_not_applied(book):
    result = check_transfer(TransferCase(**READY, quoted_age_limit=True), date(2026, 3, 2), book)
    assert result.eligible is True
    assert AGE_LIMIT_EXPLANATION in result.reasons


def test_transfer_steps_fill_policy_numbers_and_add_local_channels(regional_book):
    result = check_transfer(TransferCase(**READY, region="示例东市"), date(2026, 3, 2), regional_book)
    assert any("10个工作日" in s for s in result.steps)
    assert any("甲省政务服务平台" in s for s in result.steps)
    assert "{" not in "".join(result.steps)
    assert result.materials and result.regional_variation
