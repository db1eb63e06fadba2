"""Queries over the seeded demo persons (as of the fixed TODAY)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.records import queries as q
from bot.rules.lapse import find_gaps
from tests.records.conftest import TODAY


def test_balance_of_an_employee_has_an_as_of_time(session, ref_of) -> None:
    result = q.balance(session, ref_of("zhang_wei"))
    assert result.has_account and result.balance > 0
    assert result.as_of.date() == TODAY and result.last_credit_on < TODAY
    assert result.subject.name == "张伟" and result.subject.id_masked == "4201**********0310"


def test_resident_has_no_personal_account(session, ref_of) -> None:
    result = q.balance(session, ref_of("zhao_min"))
    assert not result.has_account and result.balance is None and result.insurance_type == "居民"


def test_job_change_lapse_is_two_ongoing_months(session, ref_of) -> None:
    history = q.contribution_history(session, ref_of("li_na"), TODAY)
    gaps = find_gaps(history.paid_months, TODAY)
    assert [(g.start, g.end, g.ongoing) for g in gaps][-1:] == [(date(2025, 9, 1), date(2025, 10, 1), True)]
    assert history.back_paid_months == [date(2022, 7, 1)] and history.status == "暂停缴费"


def test_flexible_worker_lapse_is_five_months(session, ref_of) -> None:
    history = q.contribution_history(session, ref_of("wang_qiang"), TODAY)
    months = sum(1 for m in range(5, 11) if date(2025, m, 1) not in history.paid_months)
    assert months == 5 and history.last_paid_month == date(2025, 5, 1)


def test_resident_gap_year_and_yearly_totals(session, ref_of) -> None:
    history = q.contribution_history(session, ref_of("zhao_min"), TODAY)
    years = {y.year: y for y in history.years}
    assert 2023 not in years and years[2024].months_paid == 12 and years[2024].total == 400
    assert history.years_and_months_paid == (5, 11)  # 2019-2022 and 2024 in full, 2025 up to November


def test_continuous_payer_totals(session, ref_of) -> None:
    history = q.contribution_history(session, ref_of("zhang_wei"), TODAY)
    assert history.total_months_paid == 121
    year = next(y for y in history.years if y.year == 2024)
    assert (year.months_paid, year.personal, year.employer) == (12, 2160, 8640)


def test_transfer_person_has_current_and_past_places(session, ref_of) -> None:
    result = q.insured_locations(session, ref_of("chen_lei"), TODAY)
    assert [e.region for e in result.current] == ["广东省深圳市"]
    assert [e.region for e in result.past] == ["湖北省武汉市"]
    transfer = q.transfers(session, ref_of("chen_lei"), TODAY).items[0]
    assert transfer.stage == "转出地审核中" and not transfer.finished and transfer.next_stage == "转出地已办结"
    assert transfer.stages[0].on == date(2025, 10, 29)


def test_consumption_defaults_to_last_30_days_and_respects_a_range(session, ref_of) -> None:
    ref = ref_of("zhang_wei")
    recent = q.consumption(session, ref, as_of=TODAY)
    assert (recent.start, recent.end) == (date(2025, 10, 20), TODAY)
    march = q.consumption(session, ref, date(2025, 3, 1), date(2025, 3, 31), as_of=TODAY)
    assert march.items and all(date(2025, 3, 1) <= t.occurred_at.date() <= date(2025, 3, 31) for t in march.items)
    assert march.total_spent == -sum(t.amount for t in march.items) and all(t.amount < 0 for t in march.items)


def test_filings_active_and_expired(session, ref_of) -> None:
    result = q.remote_care_filings(session, ref_of("zhou_guilan"), TODAY)
    assert sorted(f.status for f in result.items) == ["已过期", "有效"]
    assert [f.destination for f in result.active] == ["广东省深圳市"]


def test_chronic_qualifications_are_active(session, ref_of) -> None:
    result = q.chronic_qualifications(session, ref_of("wu_jianhua"), TODAY)
    assert [i.active for i in result.items] == [True, True]
    assert not q.chronic_qualifications(session, ref_of("wu_jianhua"), date(2030, 1, 1)).items[0].active


def test_claims_pending_paid_rejected(session, ref_of) -> None:
    items = q.claims(session, ref_of("sun_li"), TODAY).items
    assert [c.stage for c in items] == ["审核中", "已支付", "未通过"]
    assert items[1].paid_amount == Decimal("2412.40") and "发票" in items[2].reject_reason


def test_unknown_ref_raises(session) -> None:
    with pytest.raises(q.UnknownPerson):
        q.balance(session, "0" * 32)
