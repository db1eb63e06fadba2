"""转移接续 (医保办发〔2021〕43号): eligibility, steps, materials and ETAs in working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.rules.common import PolicyView, policy_view, region_assumption
from bot.rules.materials import transfer_materials
from bot.rules.parsing import normalise_insurance_type
from bot.rules.policies import PolicyBook
from bot.rules.results import TransferResult, merge_sources
from bot.rules.workdays import (
    WorkdayAnswer,
    add_working_days,
    format_cn_date,
    next_working_day,
    schedule_published,
)

AGE_LIMIT_EXPLANATION = (
    "「跨省转移男性须不满50周岁、女性须不满40周岁」是2009年养老保险关系转移的规定，不是医保规定；"
    "医保关系转移接续没有年龄限制，也不得以户籍设置障碍"
)


@dataclass
class TransferCase:
    """What we know about a transfer; None = not known yet (becomes a 'to confirm' item)."""

    from_type: str | None = None  # 职工 / 居民
    to_type: str | None = None
    old_stopped: bool | None = None  # 原参保地已中止参保（停止缴费）
    new_active: bool | None = None  # 新参保地已参保
    new_has_contribution: bool | None = None  # 新参保地已有缴费记录
    retired: bool = False
    same_year_resident: bool | None = None  # 居民→居民，且想在本年度内转
    cross_province: bool | None = None
    quoted_age_limit: bool = False  # 用户提到了「男50女40」的说法
    region: str | None = None  # 转入地（地方材料、办理渠道）


@dataclass(frozen=True)
class TransferEta:
    accepted_on: date
    out_by: date
    in_by: date
    estimated: bool


def transfer_eta(applied_on: date, out_days: int, in_days: int) -> TransferEta:
    """Accepted on the first working day from `applied_on`; 转出 within out_days working days after
    acceptance; 转入 within in_days working days after the 转出 is done."""
    accepted: WorkdayAnswer = next_working_day(applied_on)
    out_by = add_working_days(accepted.day, out_days)
    in_by = add_working_days(out_by.day, in_days)
    return TransferEta(accepted.day, out_by.day, in_by.day, accepted.estimated or out_by.estimated or in_by.estimated)


def _blockers(case: TransferCase, kinds: tuple[str | None, str | None]) -> list[str]:
    checks = [
        (case.retired, "退休人员不适用转移接续办法；长期在外地居住可办理异地安置备案"),
        (case.old_stopped is False, "原参保地还没有中止参保：要先停止原参保地缴费（中止参保）"),
        (case.new_active is False, "新参保地还没有参保：要先在新参保地参保"),
        (case.new_has_contribution is False, "新参保地还没有缴费记录：要先在新参保地缴费"),
        (kinds == ("居民", "居民") and case.same_year_resident is True,
         "居民医保之间一般不在当年度内转移：在新参保地参加下一年度居民医保后再办理"),
    ]
    return [text for failed, text in checks if failed]


def _to_confirm(case: TransferCase) -> list[str]:
    unknown = [
        (case.old_stopped, "原参保地是否已中止参保（停止缴费）"),
        (case.new_active, "新参保地是否已参保"),
        (case.new_has_contribution, "新参保地是否已有缴费记录"),
    ]
    return [text for value, text in unknown if value is None]


def _eta_reasons(eta: TransferEta) -> list[str]:
    lines = [f"预计{format_cn_date(eta.out_by)}前完成转出", f"预计{format_cn_date(eta.in_by)}前完成转入"]
    if eta.estimated:
        years = "、".join(f"{year}年" for year in range(eta.accepted_on.year, eta.in_by.year + 1)
                         if not schedule_published(year))
        lines.append(f"{years}的放假调休安排尚未公布，已按法定节假日和周末估算，实际日期可能相差几天")
    return lines


def _decision(eligible: bool | None, eta: TransferEta | None) -> str:
    if eligible is False:
        return "目前还不能办理医保关系转移接续，需先满足下面的条件"
    head = "可以办理医保关系转移接续" if eligible else "满足条件后可以办理医保关系转移接续"
    if not eta:
        return head
    return (f"{head}；时限自转出地受理之日起计算，若{format_cn_date(eta.accepted_on)}受理，"
            f"预计{format_cn_date(eta.out_by)}前完成转出、{format_cn_date(eta.in_by)}前完成转入")


def _reasons(case: TransferCase, view: PolicyView, blockers: list[str], eta: TransferEta | None) -> list[str]:
    reasons = list(blockers)
    if case.quoted_age_limit or case.cross_province:
        reasons.append(AGE_LIMIT_EXPLANATION)
    if eta:
        out_days, in_days = view.value("transfer.out_working_days"), view.value("transfer.in_working_days")
        reasons.append(f"自转出地受理之日起{out_days}个工作日内办结转出，转入地收到转移信息后{in_days}个工作日内办结转入")
        reasons += _eta_reasons(eta)
    return reasons


def check_transfer(case: TransferCase, today: date, book: PolicyBook | None = None) -> TransferResult:
    view = policy_view(case.region, book)
    kinds = (normalise_insurance_type(case.from_type), normalise_insurance_type(case.to_type))
    blockers, to_confirm = _blockers(case, kinds), _to_confirm(case)
    eligible = False if blockers else (None if to_confirm else True)
    eta = None if blockers else transfer_eta(
        today, view.value("transfer.out_working_days"), view.value("transfer.in_working_days"))
    materials = transfer_materials(case.region, view.book)
    return TransferResult(
        decision=_decision(eligible, eta), eligible=eligible, blockers=blockers, to_confirm=to_confirm,
        steps=view.items("procedure.transfer_steps"), materials=materials.items,
        accepted_on=eta.accepted_on if eta else None, transfer_out_by=eta.out_by if eta else None,
        transfer_in_by=eta.in_by if eta else None, calendar_estimated=bool(eta and eta.estimated),
        reasons=_reasons(case, view, blockers, eta),
        numbers=_numbers(view, eta), sources=merge_sources(view.sources(), materials.sources),
        regional_variation=view.varies_by_region() or materials.regional_variation,
        assumptions=region_assumption(view), narrowing_facts=to_confirm,
    )


def _numbers(view: PolicyView, eta: TransferEta | None) -> dict[str, object]:
    numbers: dict[str, object] = {"转出时限（工作日）": view.value("transfer.out_working_days"),
                                  "转入时限（工作日）": view.value("transfer.in_working_days")}
    if eta:
        numbers.update({"预计转出完成": format_cn_date(eta.out_by), "预计转入完成": format_cn_date(eta.in_by)})
    return numbers
