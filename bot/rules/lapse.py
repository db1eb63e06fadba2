"""Lapse (断缴): gaps, status today, 补缴 window and the waiting period on re-enrolment.

Two entry points: `lapse_from_months` (a record of paid months) and `lapse_from_length` (what a user
said: 「我职工医保断了4个月」).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.rules.common import PolicyView, RuleInputError, policy_view, region_assumption
from bot.rules.parsing import normalise_insurance_type
from bot.rules.policies import PolicyBook
from bot.rules.results import Gap, LapseResult

NO_BACKPAY_FOR_LAPSE = "补缴≠补报：断缴期间和等待期内看病的费用，医保基金一般不予支付"
NEWBORN_NO_WAIT = ("新生儿等特殊群体不设待遇等待期（国办发〔2024〕38号），但新生儿要在参保地规定的期限内参保缴费"
                   "（多数地方是出生后90天或3个月内）才能自出生之日起享受待遇；超过期限再参保的按当地规定，可能有等待期")
GAP_TRANSFER = "转移接续"  # 职工医保 → 职工医保 in another region (43号 ①)
GAP_SWITCH = "职工居民互转"  # 职工医保 ↔ 居民医保 after a change of employment (43号 ②)
GAP_CHANGES = (GAP_TRANSFER, GAP_SWITCH)


@dataclass(frozen=True)
class ResidentWaitingRule:
    """38号 numbers, read from policy data."""

    fixed_months: int
    months_per_lapsed_year: int
    months_off_per_paid_back_year: int
    long_lapse_years: int
    long_lapse_min_months: int
    lapsed_years_in_fixed: int = 1  # 「每多断保1年」: the first lapsed year is in the fixed period (N−1)

    @classmethod
    def from_view(cls, view: PolicyView) -> ResidentWaitingRule:
        return cls(*(view.value(f"resident.waiting.{k}") for k in (
            "fixed_months", "months_per_lapsed_year", "months_off_per_paid_back_year",
            "long_lapse_years", "long_lapse_min_months", "lapsed_years_in_fixed")))


def resident_waiting_months(lapsed_years: int, paid_back_years: int, rule: ResidentWaitingRule) -> int:
    """Fixed period + 1 month per lapsed year beyond the first − 1 per year paid back (never below the
    fixed period); a lapse of ≥ long_lapse_years keeps at least long_lapse_min_months.
    1 year → 3, 2 → 4, 3 → 5, 4 → 6 months (see resident.waiting.lapsed_years_in_fixed)."""
    if lapsed_years < 0 or paid_back_years < 0:
        raise RuleInputError("断保年数和补缴年数不能为负数")
    paid_back = min(paid_back_years, lapsed_years)
    extra_years = max(0, lapsed_years - rule.lapsed_years_in_fixed)
    variable = extra_years * rule.months_per_lapsed_year - paid_back * rule.months_off_per_paid_back_year
    total = rule.fixed_months + max(0, variable)
    if lapsed_years >= rule.long_lapse_years:
        total = max(total, rule.long_lapse_min_months)
    return total


def resident_rule_sentence(rule: ResidentWaitingRule) -> str:
    examples = "、".join(f"断保{n}年{resident_waiting_months(n, 0, rule)}个月" for n in (1, 2, 3))
    return (f"每多断保1年加{rule.months_per_lapsed_year}个月变动等待期（{examples}），每补缴1年减"
            f"{rule.months_off_per_paid_back_year}个月（不低于固定等待期）；连续断保{rule.long_lapse_years}年及以上的，"
            f"补缴后等待期仍不少于{rule.long_lapse_min_months}个月（国办发〔2024〕38号；各地实施细则的计法可能不同，"
            "以参保地为准）")


# ---------------------------------------------------------------- months arithmetic

def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def find_gaps(paid_months: Iterable[date], until: date) -> list[Gap]:
    """Unpaid runs between the first paid month and the month before `until`'s month."""
    paid = {month_index(m) for m in paid_months}
    if not paid:
        return []
    last_complete = month_index(until) - 1
    gaps, unpaid_start = [], None
    for index in range(min(paid), last_complete + 1):
        if index in paid:
            if unpaid_start is not None:
                gaps.append(_gap(unpaid_start, index - 1, ongoing=False))
            unpaid_start = None
        elif unpaid_start is None:
            unpaid_start = index
    if unpaid_start is not None:
        gaps.append(_gap(unpaid_start, last_complete, ongoing=True))
    return gaps


def _gap(start: int, end: int, ongoing: bool) -> Gap:
    return Gap(month_from_index(start), month_from_index(end), end - start + 1, ongoing)


def continuous_months_before(paid_months: Iterable[date], gap: Gap) -> int:
    """How many months were paid without a break right before the gap started."""
    paid, count = {month_index(m) for m in paid_months}, 0
    index = month_index(gap.start) - 1
    while index in paid:
        count, index = count + 1, index - 1
    return count


# ---------------------------------------------------------------- 职工医保

def _employee_status(view: PolicyView, lapse_months: int) -> tuple[str, list[str]]:
    suspend_after = view.value("employee.suspend_after_unpaid_months")
    window = view.value("employee.gap.retro_window_months")
    if lapse_months < suspend_after:
        return "正常", ["目前没有已到期未缴的月份，待遇正常"]
    if lapse_months <= window:
        return "暂停待遇", [f"已中断{lapse_months}个月（未超过{window}个月）。停缴后从何时起暂停待遇由参保地规定"
                            "（有的地方从停缴次月起暂停），及时补缴或续缴可以恢复"]
    return "终止", [f"已中断{lapse_months}个月，超过{window}个月：需重新参保缴费，统筹地区可设置等待期"]


def _employee_waiting(view: PolicyView, lapse_months: int) -> tuple[int, int, list[str]]:
    window = view.value("employee.gap.retro_window_months")
    if lapse_months <= window:
        return 0, 0, []
    maximum = view.value("employee.gap.max_waiting_months")
    local = view.value("employee.gap.waiting_months")
    if local is not None:
        param = view.book.param("employee.gap.waiting_months", view.region.chain)
        label = "（示例参数，非当地实际标准）" if param.illustrative else ""
        return local, local, [f"{param.region}{label}：中断超过{window}个月后续缴，等待期{local}个月"]
    hotline = view.contact("contact.medical_hotline")
    return 0, maximum, [f"中断超过{window}个月，统筹地区可设不超过{maximum}个月的等待期"
                        f"（具体月数请问参保地医保部门或拨打{hotline}）"]


@dataclass(frozen=True)
class EmployeeGapRules:
    """医保办发〔2021〕43号 ① ② ③, with the numbers read from policy data."""

    window: int
    switch_years: int
    hotline: str

    @classmethod
    def from_view(cls, view: PolicyView) -> EmployeeGapRules:
        return cls(view.value("employee.gap.retro_window_months"),
                   view.value("employee.gap.switch_min_continuous_years"), str(view.contact("contact.medical_hotline")))

    def transfer_rule(self) -> str:
        return (f"换工作跨地区转移（职工医保→职工医保）、转移前中断不超过{self.window}个月的：按转入地规定补缴，"
                "缴费当月起享受待遇，中断期间的医疗费用可以追溯报销，不要求此前连续参保年限（医保办发〔2021〕43号）")

    def switch_rule(self) -> str:
        return (f"因就业变化在职工医保和居民医保之间切换、此前已连续参保满{self.switch_years}年的：中断不超过"
                f"{self.window}个月同样可以补缴，缴费当月起享受待遇，中断期间待遇可追溯（43号）")

    def same_place_rule(self) -> str:
        return ("在同一地方停缴后续缴（没有转移、也没有换险种）的，中断期间的待遇按参保地规定，"
                f"有的地方短期中断及时续缴可以追溯，请向参保地医保部门或{self.hotline}确认")

    def short_gap_rule(self) -> str:
        """The three cases of a gap within the window in one sentence (43号 ① ②, else local)."""
        return (f"中断不超过{self.window}个月的，换城市转移（不要求此前连续参保年限），或职工/居民医保互转且此前已"
                f"连续参保满{self.switch_years}年的，可以补缴，缴费当月起享受待遇、中断期间可追溯（43号）；"
                "原地续缴的按参保地规定")


KEEP_RECEIPTS = "中断期间看病的票据请保留，补缴后再申请报销，不要轻易放弃"


def _employee_backpay(rules: EmployeeGapRules, lapse_months: int, continuous_months: int | None,
                      change: str | None) -> tuple[bool | None, list[str]]:
    """Whether paying back covers the gap (43号 ① ②), and the sentences that say why."""
    if lapse_months == 0:
        return True, []
    if lapse_months > rules.window:
        return False, [f"中断已超过{rules.window}个月：补缴（续缴）后一般不能追溯中断期间的费用（43号第③条）",
                       NO_BACKPAY_FOR_LAPSE]
    if change == GAP_TRANSFER:
        return True, [rules.transfer_rule(), KEEP_RECEIPTS]
    if change == GAP_SWITCH:
        if continuous_months is None:
            return None, [rules.switch_rule(), f"请确认中断前是否已连续参保满{rules.switch_years}年", KEEP_RECEIPTS]
        if continuous_months >= rules.switch_years * 12:
            return True, [rules.switch_rule(), KEEP_RECEIPTS]
        return False, [f"中断前连续参保不足{rules.switch_years}年，不适用职工、居民医保互转的追溯规定（43号第②条）："
                       "中断期间的费用能否报销按参保地规定，一般不能追溯"]
    return None, [rules.transfer_rule(), rules.switch_rule(), rules.same_place_rule(), KEEP_RECEIPTS]


def _employee_decision(status: str, lapse_months: int, covers: bool | None, wait: tuple[int, int]) -> str:
    if status == "正常":
        return "职工医保目前状态正常"
    head = f"职工医保已中断约{lapse_months}个月，目前状态：{status}"
    if status == "终止":
        return head + f"；续缴/重新参保后等待期约{_months(*wait)}，中断期间的费用一般不能追溯"
    tail = {True: "；按规定补缴后，缴费当月起享受待遇，中断期间的医疗费用也可以追溯报销",
            None: "；补缴后中断期间能否追溯报销，要看是转移接续、职工/居民互转还是原地续缴（见下）",
            False: "；补缴后可以恢复待遇，中断期间的费用一般不能追溯（以参保地规定为准）"}[covers]
    return head + tail


def _months(low: int, high: int) -> str:
    return f"{low}个月" if low == high else f"{low}–{high}个月"


def _employee_result(view: PolicyView, lapse_months: int, gaps: list[Gap], continuous_months: int | None,
                     change: str | None = None) -> LapseResult:
    status, reasons = _employee_status(view, lapse_months)
    wait_min, wait_max, wait_reasons = _employee_waiting(view, lapse_months)
    rules = EmployeeGapRules.from_view(view)
    covers, backpay_reasons = _employee_backpay(rules, lapse_months, continuous_months, change)
    return LapseResult(
        decision=_employee_decision(status, lapse_months, covers, (wait_min, wait_max)),
        insurance_type="职工", status=status, benefits_suspended=status != "正常",
        lapse_months=lapse_months, gaps=gaps, waiting_months_min=wait_min, waiting_months_max=wait_max,
        backpay_window_months=rules.window, backpay_covers_lapse=covers, gap_change=change,
        reasons=reasons + wait_reasons + backpay_reasons,
        summary=_employee_summary(rules, lapse_months, covers, backpay_reasons),
        numbers={"断缴月数": lapse_months, "补缴追溯期限（月）": rules.window,
                 "等待期下限（月）": wait_min, "等待期上限（月）": wait_max},
        sources=view.sources(), regional_variation=True, assumptions=region_assumption(view),
        narrowing_facts=_employee_narrowing(lapse_months, rules.window, change, (wait_min, wait_max)),
        estimated_with_examples=_illustrative_wait(view, lapse_months, rules.window),
    )


def _employee_summary(rules: EmployeeGapRules, lapse_months: int, covers: bool | None,
                      backpay_reasons: list[str]) -> list[str]:
    if lapse_months == 0:
        return []
    if covers is None and lapse_months <= rules.window:
        return [rules.short_gap_rule()]
    return backpay_reasons[:2]


def _employee_narrowing(lapse_months: int, window: int, change: str | None, wait: tuple[int, int]) -> list[str]:
    facts = []
    if 0 < lapse_months <= window and change is None:
        facts.append("是换城市转移医保、职工/居民医保互转，还是在原地续缴")
    if wait[0] != wait[1]:
        facts.append("参保地（各地等待期不同）")
    return facts


def _illustrative_wait(view: PolicyView, lapse_months: int, window: int) -> bool:
    if lapse_months <= window:
        return False
    return view.book.param("employee.gap.waiting_months", view.region.chain).illustrative


# ---------------------------------------------------------------- 居民医保

def _resident_status(view: PolicyView, today: date | None, current_year_paid: bool) -> tuple[str, list[str]]:
    if current_year_paid:
        return "正常", ["本年度已参保缴费"]
    late_end = view.value("resident.late_payment_end_month")
    if today is not None and late_end is not None and today.month <= late_end:
        return "暂停待遇", [f"本年度尚未缴费，{late_end}月底前补缴的，自缴费之日起享受待遇"]
    return "终止", ["本年度未参保缴费，目前不能享受居民医保待遇；重新参保后有待遇等待期"]


def _resident_waiting(view: PolicyView, years_min: int, years_max: int, paid_back: int,
                      exempt: bool) -> tuple[int, int, list[str]]:
    if exempt:
        return 0, 0, [NEWBORN_NO_WAIT]
    rule = ResidentWaitingRule.from_view(view)
    low = resident_waiting_months(years_min, paid_back, rule)
    high = resident_waiting_months(years_max, paid_back, rule)
    return low, high, [resident_rule_sentence(rule)]


def _incentive_reason(view: PolicyView) -> str:
    years = view.value("resident.incentive.continuous_years")
    step = view.value("resident.incentive.step_min_yuan")
    return (f"断保会让连续参保年限重新计算：连续参保满{years}年后每多1年，大病保险最高支付限额提高"
            f"（每次不低于{step}元），断保后这项激励要重新累计")


def _resident_result(view: PolicyView, status: str, reasons: list[str], years: tuple[int, int],
                     lapse_months: int, gaps: list[Gap], paid_back: int, exempt: bool) -> LapseResult:
    covered = status != "终止"  # enrolled, or still inside the late-payment window
    wait_min, wait_max, wait_reasons = (0, 0, []) if covered else _resident_waiting(
        view, years[0], years[1], paid_back, exempt)
    reasons = reasons + wait_reasons + [_incentive_reason(view), NO_BACKPAY_FOR_LAPSE]
    narrowing = [] if years[0] == years[1] else ["具体哪几个参保年度没有缴费（断保年数）"]
    return LapseResult(
        decision=_decision("居民", status, lapse_months, wait_min, wait_max),
        insurance_type="居民", status=status, benefits_suspended=status != "正常",
        lapse_months=lapse_months, gaps=gaps, lapsed_years_min=years[0], lapsed_years_max=years[1],
        waiting_months_min=wait_min, waiting_months_max=wait_max, reasons=reasons,
        summary=[NO_BACKPAY_FOR_LAPSE, *wait_reasons],
        numbers={"断缴月数": lapse_months, "断保年数下限": years[0], "断保年数上限": years[1],
                 "补缴年数": paid_back, "等待期下限（月）": wait_min, "等待期上限（月）": wait_max},
        sources=view.sources(), regional_variation=True, assumptions=region_assumption(view),
        narrowing_facts=narrowing,
    )


def _resident_lapsed_years(paid_months: list[date], today: date) -> int:
    """Full 参保年度 without any payment, counted back from last year until a paid year."""
    paid_years = {m.year for m in paid_months}
    year, count = today.year - 1, 0
    while year >= min(paid_years) and year not in paid_years:
        count, year = count + 1, year - 1
    return count


# ---------------------------------------------------------------- shared text

def _decision(kind: str, status: str, months: int, wait_min: int, wait_max: int) -> str:
    wait = f"{wait_min}个月" if wait_min == wait_max else f"{wait_min}–{wait_max}个月"
    if status == "正常":
        return f"{kind}医保目前状态正常" + (f"；按最近一次断保，重新参保的等待期为{wait}" if wait_max else "")
    head = f"{kind}医保已中断约{months}个月，目前状态：{status}" if months else f"{kind}医保目前状态：{status}"
    return head + (f"；续缴/重新参保后等待期约{wait}" if wait_max else "；及时续缴一般没有等待期")


def _check_change(change: str | None) -> str | None:
    if change is not None and change not in GAP_CHANGES:
        raise ValueError(f"change must be one of {GAP_CHANGES} or None, got {change!r}")
    return change


def _require_type(insurance_type: str | None) -> str:
    kind = normalise_insurance_type(insurance_type)
    if kind is None:
        raise RuleInputError("请说明是职工医保还是居民医保（新农合、城乡居民医保都算居民医保）")
    return kind


# ---------------------------------------------------------------- entry points

def lapse_from_months(paid_months: Iterable[date], insurance_type: str, today: date,
                      region: str | None = None, paid_back_years: int = 0, exempt: bool = False,
                      book: PolicyBook | None = None, change: str | None = None) -> LapseResult:
    """From a contribution record (first day of each paid month)."""
    kind, months = _require_type(insurance_type), sorted({m.replace(day=1) for m in paid_months})
    if not months:
        raise RuleInputError("没有查到缴费记录，无法判断断缴情况")
    view = policy_view(region, book)
    gaps = find_gaps(months, today)
    ongoing = next((g for g in gaps if g.ongoing), None)
    if kind == "职工":
        lapse = ongoing.months if ongoing else 0
        continuous = continuous_months_before(months, ongoing) if ongoing else None
        return _employee_result(view, lapse, gaps, continuous, _check_change(change))
    current_paid = any(m.year == today.year for m in months)
    status, reasons = _resident_status(view, today, current_paid)
    years = 0 if current_paid else _resident_lapsed_years(months, today)
    return _resident_result(view, status, reasons, (years, years), ongoing.months if ongoing else 0,
                            gaps, paid_back_years, exempt)


def lapse_from_length(lapse_months: int, insurance_type: str, region: str | None = None,
                      paid_back_years: int = 0, exempt: bool = False,
                      book: PolicyBook | None = None, change: str | None = None,
                      insured_months_before: int | None = None) -> LapseResult:
    """From what the user said: an ongoing lapse of `lapse_months` months. For 职工医保, `change` says
    whether the gap came with a transfer (GAP_TRANSFER) or a switch of scheme (GAP_SWITCH), and
    `insured_months_before` how long the person was insured without a break before it."""
    kind = _require_type(insurance_type)
    if lapse_months < 0:
        raise RuleInputError("断缴月数不能为负数")
    view = policy_view(region, book)
    if kind == "职工":
        return _employee_result(view, lapse_months, [], insured_months_before, _check_change(change))
    years = (lapse_months // 12, -(-lapse_months // 12))
    status, reasons = ("终止", ["本年度未参保缴费，目前不能享受居民医保待遇"]) if lapse_months else ("正常", [])
    if years[0] != years[1]:
        reasons.append(f"居民医保按参保年度缴费，断缴{lapse_months}个月折合断保{years[0]}到{years[1]}年")
    return _resident_result(view, status, reasons, years, lapse_months, [], paid_back_years, exempt)
