"""Employer arrears (单位欠缴): 滞纳金 per 社会保险法第八十六条, the fine range and the complaint route."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.rules.common import PolicyView, RuleInputError, money, policy_view, rate
from bot.rules.policies import PolicyBook
from bot.rules.results import ArrearsResult


def late_fee(arrears: Decimal, days: int, daily_rate: Decimal) -> Decimal:
    """arrears × daily rate × days, to the cent."""
    return money(Decimal(arrears) * daily_rate * days)


def per_ten_thousand(daily_rate: Decimal) -> str:
    """0.0005 → 万分之五 (the way the law writes it)."""
    digits = "零一二三四五六七八九"
    parts = daily_rate * 10000
    if parts == parts.to_integral_value() and 0 < parts < 10:
        return f"万分之{digits[int(parts)]}"
    return f"{(daily_rate * 100).normalize():f}%"


def arrears_days(since: date, until: date) -> int:
    """Days from the day the arrears began (自欠缴之日起) to `until` (the payment day or today)."""
    if until < since:
        raise RuleInputError("结束日期不能早于欠缴开始日期")
    return (until - since).days


def _reasons(days: int, fee: Decimal, rate_text: str, fine: tuple[int, int], registration_days: int) -> list[str]:
    return [
        "职工应当参加职工医保，由用人单位和职工共同缴费（社会保险法第二十三条）",
        f"用人单位未按时足额缴纳的，由征收机构责令限期缴纳，并自欠缴之日起按日加收{rate_text}的滞纳金"
        f"（第八十六条）：欠缴{days}天，滞纳金约{fee}元",
        f"逾期仍不缴纳的，由有关行政部门处欠缴数额{fine[0]}倍以上{fine[1]}倍以下的罚款（第八十六条）",
        f"用人单位应当自用工之日起{registration_days}日内为职工办理社会保险登记（第五十八条）",
        "单位补齐欠费和滞纳金后待遇恢复；欠缴期间的待遇如何处理按参保地规定",
    ]


def lost_benefit_lines(view: PolicyView) -> list[str]:
    """What the employee most needs to hear: the employer pays the medical costs its arrears cost them."""
    return view.items("procedure.arrears_lost_benefits") + view.items("procedure.arrears_resign")


LOST_BENEFITS_HEADLINE = "因单位欠缴而不能报销的医疗费，应由单位承担，可以要求单位赔偿"


def employer_arrears(arrears: Decimal | float | int, since: date, until: date,
                     region: str | None = None, book: PolicyBook | None = None) -> ArrearsResult:
    """Late fee from `since` (the day the arrears began) to `until`; fine range; complaint route."""
    amount = money(arrears)
    if amount <= 0:
        raise RuleInputError("请告诉我单位欠缴的金额（大于0）")
    view = policy_view(region, book)
    daily = rate(view.value("law.late_fee_daily_rate"))
    days = arrears_days(since, until)
    fee = late_fee(amount, days, daily)
    low, high = view.value("law.fine_min_multiple"), view.value("law.fine_max_multiple")
    route = view.items("procedure.arrears_complaint_route")
    return ArrearsResult(
        decision=(f"单位欠缴{amount}元、已{days}天，按日{per_ten_thousand(daily)}计滞纳金约{fee}元，应由单位承担；"
                  f"{LOST_BENEFITS_HEADLINE}"),
        arrears=amount, days=days, late_fee=fee, fine_min=money(amount * low), fine_max=money(amount * high),
        complaint_route=route,
        reasons=lost_benefit_lines(view)
        + _reasons(days, fee, per_ten_thousand(daily), (low, high), view.value("law.registration_days")),
        numbers={"欠缴金额": amount, "欠缴天数": days, "日滞纳金率": daily, "滞纳金": fee,
                 "罚款下限": money(amount * low), "罚款上限": money(amount * high)},
        sources=view.sources(), regional_variation=False,
    )
