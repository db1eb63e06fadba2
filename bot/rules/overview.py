"""General answers for when the user has told us nothing to compute with yet.

They are built from the same policy data as the computed answers, so a number changed in
data/policies changes every answer that mentions it, and each still ends with its sources.
"""

from __future__ import annotations

from bot.rules.arrears import LOST_BENEFITS_HEADLINE, lost_benefit_lines, per_ten_thousand
from bot.rules.common import policy_view, rate, region_assumption
from bot.rules.lapse import (
    NO_BACKPAY_FOR_LAPSE,
    EmployeeGapRules,
    ResidentWaitingRule,
    resident_rule_sentence,
)
from bot.rules.policies import PolicyBook
from bot.rules.results import RuleResult


def lapse_overview(region: str | None = None, book: PolicyBook | None = None) -> RuleResult:
    """What a lapse means for 职工 and 居民医保, the 补缴 window and the waiting periods."""
    view = policy_view(region, book)
    gap = EmployeeGapRules.from_view(view)
    max_wait = view.value("employee.gap.max_waiting_months")
    rule = ResidentWaitingRule.from_view(view)
    reasons = [
        "职工医保：停缴后从何时起暂停待遇由参保地规定，及时补缴或续缴可以恢复",
        f"职工医保：{gap.transfer_rule()}",
        f"职工医保：{gap.switch_rule()}",
        f"职工医保：{gap.same_place_rule()}",
        f"职工医保：中断超过{gap.window}个月再续缴，统筹地区可设置不超过{max_wait}个月的等待期，"
        "中断期间和等待期内的费用一般不能追溯",
        f"居民医保（含原新农合）：按年度缴费，未在集中参保期参保或断保后再参保，有{rule.fixed_months}个月固定等待期；"
        f"{resident_rule_sentence(rule)}",
        f"居民医保：{NO_BACKPAY_FOR_LAPSE}",
    ]
    return RuleResult(
        decision="断缴后能否补缴、要等多久，取决于是职工医保还是居民医保，以及断了多久",
        reasons=reasons, sources=view.sources(), regional_variation=True,
        assumptions=region_assumption(view),
        narrowing_facts=["职工医保还是居民医保", "断了几个月（例如「我职工医保断了4个月」）",
                         "职工医保：是换城市转移、职工/居民医保互转，还是原地续缴"],
    )


def arrears_overview(region: str | None = None, book: PolicyBook | None = None) -> RuleResult:
    """The employer's duties and the employee's remedies, before any amount is known."""
    view = policy_view(region, book)
    daily = per_ten_thousand(rate(view.value("law.late_fee_daily_rate")))
    low, high = view.value("law.fine_min_multiple"), view.value("law.fine_max_multiple")
    reasons = [
        *lost_benefit_lines(view),
        "职工应当参加职工医保，由用人单位和职工共同缴费（社会保险法第二十三条）",
        f"用人单位应当自用工之日起{view.value('law.registration_days')}日内为职工办理社会保险登记（第五十八条）",
        f"单位未按时足额缴纳的，征收机构责令限期缴纳，并自欠缴之日起按日加收{daily}的滞纳金；"
        f"逾期仍不缴纳的，处欠缴数额{low}倍以上{high}倍以下的罚款（第八十六条）",
        "单位补齐欠费和滞纳金后待遇恢复；欠缴期间的待遇如何处理按参保地规定",
        *[f"维权途径：{step}" for step in view.items("procedure.arrears_complaint_route")],
    ]
    return RuleResult(
        decision=f"单位不缴、少缴医保是违法的：{LOST_BENEFITS_HEADLINE}；您可以要求单位补缴、投诉，也可以申请劳动仲裁",
        reasons=reasons, sources=view.sources(), regional_variation=False,
        assumptions=region_assumption(view),
        narrowing_facts=["欠缴金额和从哪个月开始欠缴（例如「单位欠了3000元 从今年3月开始」），我可以算出滞纳金"],
    )
