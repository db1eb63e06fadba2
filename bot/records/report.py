"""Chinese reply text for personal queries, built only from query results (pure functions).

Every reply names whose data it is when it is a family member's (pass `relation`, e.g. 女儿), states
the as-of date, and shows identifiers masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from bot.privacy import mask_name
from bot.records.clock import add_months
from bot.records.queries import (
    Balance,
    ChronicQualifications,
    Claims,
    Consumption,
    ContributionHistory,
    EnrolmentView,
    Filings,
    InsuredLocations,
    Subject,
    Transfers,
)

PAID, GAP, FUTURE = "■", "□", "·"
GRID_LEGEND = f"{PAID}已缴 {GAP}未缴 {FUTURE}未到期"
CONSUMPTION_LIMIT = 10


# ---------------------------------------------------------------- small formatters

def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def cn_datetime(moment: datetime) -> str:
    return f"{cn_date(moment.date())} {moment:%H:%M}"


def yuan(amount: Decimal | float | int) -> str:
    return f"{Decimal(amount):.2f}元"


def as_of_line(moment: date | datetime) -> str:
    text = cn_datetime(moment) if isinstance(moment, datetime) else cn_date(moment)
    return f"（数据截至{text}）"


def owner_words(relation: str | None) -> str:
    """「您」 for the person themself, 「您女儿」 for a family member."""
    return f"您{relation}" if relation else "您"


def whose_header(subject: Subject, relation: str | None) -> str:
    """A first line for a family member's data (亲情账户), empty for one's own."""
    if not relation:
        return ""
    return f"以下是您{relation}{mask_name(subject.name)}的医保信息（亲情账户授权查询）。\n"


def _reply(subject: Subject, relation: str | None, lines: Iterable[str]) -> str:
    return whose_header(subject, relation) + "\n".join(line for line in lines if line)


# ---------------------------------------------------------------- balance

def format_balance(result: Balance, relation: str | None = None) -> str:
    who = owner_words(relation)
    if not result.has_account:
        kind = f"参加的是{result.insurance_type}医保，" if result.insurance_type else ""
        return _reply(result.subject, relation, [
            f"{who}{kind}没有医保个人账户，没有余额可查（居民医保不设个人账户）。{as_of_line(result.as_of)}"])
    lines = [f"{who}的医保个人账户余额为 {yuan(result.balance)}。{as_of_line(result.as_of)}"]
    if result.last_credit_amount is not None:
        lines.append(f"最近一次划入：{cn_date(result.last_credit_on)} {yuan(result.last_credit_amount)}。")
    return _reply(result.subject, relation, lines)


# ---------------------------------------------------------------- payment records

def month_grid(paid_months: Iterable[date], year: int, as_of: date) -> str:
    """12 marks for a year: ■ paid, □ gap, · not yet due (this month unpaid, or later)."""
    paid = {(m.year, m.month) for m in paid_months}
    marks = []
    for month in range(1, 13):
        if (year, month) in paid:
            marks.append(PAID)
        elif (year, month) >= (as_of.year, as_of.month):
            marks.append(FUTURE)
        else:
            marks.append(GAP)
    return "".join(marks)


def grid_years(as_of: date, months: int = 12) -> list[int]:
    """The calendar years the last `months` months (ending with as_of's month) fall in."""
    first = add_months(as_of.replace(day=1), -(months - 1))
    return list(range(first.year, as_of.year + 1))


def unpaid_runs(paid_months: Iterable[date], as_of: date, months: int = 12) -> list[tuple[date, date]]:
    """(first, last) of each run of unpaid months among the last `months` complete months."""
    paid = {(m.year, m.month) for m in paid_months}
    runs: list[tuple[date, date]] = []
    for offset in range(months, 0, -1):
        month = add_months(as_of.replace(day=1), -offset)
        if (month.year, month.month) in paid:
            continue
        if runs and add_months(runs[-1][1], 1) == month:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def _run_text(first: date, last: date) -> str:
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    span = cn_month(first) if first == last else f"{cn_month(first)}至{cn_month(last)}"
    return f"{span}（{count}个月）"


def format_payment_records(history: ContributionHistory, relation: str | None = None, months: int = 12) -> str:
    who = owner_words(relation)
    if not history.paid_months:
        return _reply(history.subject, relation, [f"没有查到{who}的医保缴费记录。{as_of_line(history.as_of)}"])
    if history.retired:  # no grid: months after retirement are not gaps
        return _reply(history.subject, relation, [
            f"{who}已办理退休（参保地：{history.region}），退休后不再缴纳医保费。{as_of_line(history.as_of)}",
            f"最后缴费月份：{cn_month(history.last_paid_month)}。", *_total_lines(history, [])])
    years = grid_years(history.as_of, months)
    lines = [f"{who}的{history.insurance_type or ''}医保缴费记录（{GRID_LEGEND}）{as_of_line(history.as_of)}："]
    lines += [f"{year}年：{month_grid(history.paid_months, year, history.as_of)}" for year in years]
    lines += _gap_lines(history, months) + _total_lines(history, years)
    return _reply(history.subject, relation, lines)


def _gap_lines(history: ContributionHistory, months: int) -> list[str]:
    runs = unpaid_runs(history.paid_months, history.as_of, months)
    if not runs:
        return [f"最近{months}个月没有断缴。"]
    return [f"最近{months}个月中未缴费：" + "、".join(_run_text(*run) for run in runs) + "。"]


def _total_lines(history: ContributionHistory, years: list[int]) -> list[str]:
    lines = []
    for total in history.years:
        if total.year in years:
            employer = f"，单位缴纳 {yuan(total.employer)}" if total.employer else ""
            back = f"（其中补缴{total.back_paid_months}个月）" if total.back_paid_months else ""
            lines.append(f"{total.year}年合计：已缴{total.months_paid}个月{back}，个人缴纳 {yuan(total.personal)}{employer}。")
    full_years, extra = history.years_and_months_paid
    lines.append(f"累计缴费{full_years}年{extra}个月（共{history.total_months_paid}个月）。")
    if history.back_paid_months:
        lines.append("补缴月份：" + "、".join(cn_month(m) for m in history.back_paid_months) + "。")
    return lines


# ---------------------------------------------------------------- 参保地

def _enrolment_text(item: EnrolmentView) -> str:
    employer = f"，单位：{item.employer}" if item.employer else ""
    end = f"至{cn_month(item.end_month)}" if item.end_month else "至今"
    return f"{item.region}，{item.insurance_type}医保{employer}，{cn_month(item.start_month)}{end}，状态：{item.status}"


def format_insured_location(result: InsuredLocations, relation: str | None = None) -> str:
    who = owner_words(relation)
    head = f"参保人：{mask_name(result.subject.name)}（身份证 {result.subject.id_masked}）{as_of_line(result.as_of)}"
    if not result.current:
        return _reply(result.subject, relation, [head, f"没有查到{who}目前有效的参保登记。"])
    lines = [head] + [f"{who}的参保地：{_enrolment_text(item)}。" for item in result.current]
    lines += [f"曾经参保：{_enrolment_text(item)}。" for item in result.past]
    return _reply(result.subject, relation, lines)


# ---------------------------------------------------------------- consumption

def format_consumption(result: Consumption, relation: str | None = None, limit: int = CONSUMPTION_LIMIT) -> str:
    who = owner_words(relation)
    span = f"{cn_date(result.start)}至{cn_date(result.end)}"
    if not result.items:
        return _reply(result.subject, relation, [f"{span}，{who}的医保个人账户没有消费记录。{as_of_line(result.as_of)}"])
    lines = [f"{span}，{who}的医保个人账户共消费{len(result.items)}笔，合计 {yuan(result.total_spent)}"
             f"{as_of_line(result.as_of)}："]
    lines += [f"{t.occurred_at:%m-%d %H:%M} {t.institution} {t.kind} {yuan(-t.amount)}" for t in result.items[:limit]]
    if len(result.items) > limit:
        lines.append(f"……另有{len(result.items) - limit}笔未列出。")
    return _reply(result.subject, relation, lines)


# ---------------------------------------------------------------- filings, chronic, transfers, claims

def _validity(valid_from: date, valid_to: date | None) -> str:
    return f"{cn_date(valid_from)}至{cn_date(valid_to) if valid_to else '长期'}"


def format_filings(result: Filings, relation: str | None = None) -> str:
    who = owner_words(relation)
    if not result.items:
        return _reply(result.subject, relation, [f"没有查到{who}的异地就医备案。{as_of_line(result.as_of)}"])
    lines = [f"{who}的异地就医备案{as_of_line(result.as_of)}："]
    lines += [f"{f.filing_type} → {f.destination}，有效期{_validity(f.valid_from, f.valid_to)}，状态：{f.status}"
              for f in result.items]
    if not result.active:
        lines.append("目前没有有效的备案，去外地就医前请先办理备案。")
    return _reply(result.subject, relation, lines)


def format_chronic(result: ChronicQualifications, relation: str | None = None) -> str:
    who = owner_words(relation)
    if not result.items:
        return _reply(result.subject, relation, [f"没有查到{who}的门诊慢特病资格认定。{as_of_line(result.as_of)}"])
    lines = [f"{who}的门诊慢特病资格{as_of_line(result.as_of)}："]
    for item in result.items:
        place = f"，定点机构：{item.institution}" if item.institution else ""
        state = "有效" if item.active else "已失效"
        lines.append(f"{item.disease}，有效期{_validity(item.valid_from, item.valid_to)}{place}，{state}")
    return _reply(result.subject, relation, lines)


def format_transfers(result: Transfers, relation: str | None = None) -> str:
    who = owner_words(relation)
    if not result.items:
        return _reply(result.subject, relation, [f"没有查到{who}的医保关系转移申请。{as_of_line(result.as_of)}"])
    lines = [f"{who}的医保关系转移进度{as_of_line(result.as_of)}："]
    for item in result.items:
        lines.append(f"{item.from_region} → {item.to_region}（{cn_date(item.submitted_on)}提交），当前：{item.stage}")
        lines += [f"  {cn_date(stage.on)} {stage.stage}" for stage in item.stages]
        lines.append("  已办结。" if item.finished else f"  下一步：{item.next_stage}")
    return _reply(result.subject, relation, lines)


def format_claims(result: Claims, relation: str | None = None) -> str:
    who = owner_words(relation)
    if not result.items:
        return _reply(result.subject, relation, [f"没有查到{who}的报销申请。{as_of_line(result.as_of)}"])
    lines = [f"{who}的报销申请{as_of_line(result.as_of)}："]
    lines += [_claim_text(claim) for claim in result.items]
    return _reply(result.subject, relation, lines)


def _claim_text(claim) -> str:
    head = f"{cn_date(claim.submitted_on)} {claim.kind} 申报 {yuan(claim.amount)}：{claim.stage}（{cn_date(claim.stage_on)}）"
    if claim.stage == "已支付" and claim.paid_amount is not None:
        return f"{head}，已支付 {yuan(claim.paid_amount)}"
    if claim.stage == "未通过" and claim.reject_reason:
        return f"{head}，原因：{claim.reject_reason}"
    return head
