"""Reply text: month grids, as-of dates, whose data, and masked identifiers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.records import queries as q
from bot.records import report as r
from tests.records.conftest import TODAY

ID_OR_PHONE = re.compile(r"(?<![\d*])\d{17}[\dXx]|(?<!\d)1[3-9]\d{9}(?!\d)")


def test_month_grid_marks_paid_gaps_and_future() -> None:
    paid = [date(2026, m, 1) for m in (1, 2, 3, 4, 5, 6, 10)]
    assert r.month_grid(paid, 2026, date(2026, 11, 5)) == "■■■■■■□□□■··"


def test_month_grid_of_a_past_year_has_no_future_marks() -> None:
    assert r.month_grid([date(2025, 12, 1)], 2025, date(2026, 3, 1)) == "□□□□□□□□□□□■"


def test_unpaid_runs_over_the_last_complete_months() -> None:
    paid = [date(2025, m, 1) for m in range(1, 13) if m not in (3, 4, 9)]
    runs = r.unpaid_runs(paid, date(2026, 1, 10), months=12)
    assert runs == [(date(2025, 3, 1), date(2025, 4, 1)), (date(2025, 9, 1), date(2025, 9, 1))]


def test_payment_records_show_a_grid_per_year_totals_and_years_paid(session, ref_of) -> None:
    text = r.format_payment_records(q.contribution_history(session, ref_of("li_na"), TODAY))
    assert "2025年：■■■■■■■■□□■·" not in text  # the lapse is not hidden
    assert "2025年：■■■■■■■■□□··" in text and re.search(r"2024年：■{12}", text)
    assert "2025年9月至2025年10月（2个月）" in text
    assert "2025年合计：已缴8个月" in text and "累计缴费" in text and "截至2025年11月18日" in text


def test_retired_person_gets_no_gap_grid(session, ref_of) -> None:
    text = r.format_payment_records(q.contribution_history(session, ref_of("zhou_guilan"), TODAY))
    assert "退休" in text and "□" not in text


def test_family_member_reply_says_whose_data(session, ref_of) -> None:
    text = r.format_balance(q.balance(session, ref_of("liu_xiaoyu")), relation="女儿")
    assert text.startswith("以下是您女儿刘**的医保信息") and "刘小雨" not in text


def _all_replies(session, ref: str) -> list[str]:
    return [
        r.format_balance(q.balance(session, ref)),
        r.format_payment_records(q.contribution_history(session, ref, TODAY)),
        r.format_insured_location(q.insured_locations(session, ref, TODAY)),
        r.format_consumption(q.consumption(session, ref, as_of=TODAY)),
        r.format_filings(q.remote_care_filings(session, ref, TODAY)),
        r.format_chronic(q.chronic_qualifications(session, ref, TODAY)),
        r.format_transfers(q.transfers(session, ref, TODAY)),
        r.format_claims(q.claims(session, ref, TODAY)),
    ]


@pytest.mark.parametrize("key", ["zhang_wei", "li_na", "wang_qiang", "zhao_min", "chen_lei", "zhou_guilan",
                                 "wu_jianhua", "sun_li", "liu_jianguo", "liu_xiaoyu"])
def test_every_reply_is_dated_and_shows_no_raw_identifier(session, ref_of, personas, key) -> None:
    for text in _all_replies(session, ref_of(key)):
        assert "截至" in text, text
        assert not ID_OR_PHONE.search(text), text
        assert personas[key]["id_number"] not in text and str(personas[key]["phone"]) not in text


def test_insured_location_shows_masked_id(session, ref_of) -> None:
    text = r.format_insured_location(q.insured_locations(session, ref_of("zhang_wei"), TODAY))
    assert "4201**********0310" in text and "参保地：湖北省武汉市" in text


def test_story_replies(session, ref_of) -> None:
    assert "已过期" in r.format_filings(q.remote_care_filings(session, ref_of("zhou_guilan"), TODAY))
    assert "2型糖尿病" in r.format_chronic(q.chronic_qualifications(session, ref_of("wu_jianhua"), TODAY))
    assert "下一步：转出地已办结" in r.format_transfers(q.transfers(session, ref_of("chen_lei"), TODAY))
    claims = r.format_claims(q.claims(session, ref_of("sun_li"), TODAY))
    assert "已支付 2412.40元" in claims and "原因：提交的发票为复印件" in claims
    consumption = r.format_consumption(q.consumption(session, ref_of("zhang_wei"), as_of=TODAY))
    assert "合计" in consumption and "2025年10月20日至2025年11月18日" in consumption


def test_empty_results_say_so(session, ref_of) -> None:
    assert "没有查到您的报销申请" in r.format_claims(q.claims(session, ref_of("zhang_wei"), TODAY))
    assert "没有查到您的异地就医备案" in r.format_filings(q.remote_care_filings(session, ref_of("zhang_wei"), TODAY))
