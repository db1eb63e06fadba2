"""Small CLI over the rules, e.g.

    python -m bot.rules lapse --type 居民 --months 14
    python -m bot.rules lapse --type 职工 --paid 2023-01:2024-10 --today 2025-01-15 --region 武汉
    python -m bot.rules reimburse --amount 2万 --level 三级
    python -m bot.rules transfer --date 2026-09-28 --old-stopped yes --new-active yes --new-paid yes
    python -m bot.rules arrears --amount 10000 --since 2025-01-01 --until 2025-01-31
    python -m bot.rules materials --case 住院 --case 异地 --relation 孩子
    python -m bot.rules check-data
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.records.clock import today as china_today
from bot.rules.arrears import employer_arrears
from bot.rules.common import RuleInputError
from bot.rules.lapse import GAP_CHANGES, lapse_from_length, lapse_from_months, month_from_index, month_index
from bot.rules.materials import claim_materials
from bot.rules.parsing import parse_amount, parse_duration_months
from bot.rules.policies import PolicyDataError, load_policies
from bot.rules.reimbursement import CARE_PLACES, ReimbursementQuery, estimate_reimbursement
from bot.rules.render import render_text
from bot.rules.results import RuleResult
from bot.rules.transfer import TransferCase, check_transfer

_YES = {"yes": True, "y": True, "是": True, "no": False, "n": False, "否": False}


def _yes_no(text: str) -> bool:
    if text.lower() not in _YES:
        raise argparse.ArgumentTypeError("use yes/no (是/否)")
    return _YES[text.lower()]


def _month(text: str) -> date:
    year, month = text.split("-")[:2]
    return date(int(year), int(month), 1)


def paid_months(spec: str) -> list[date]:
    """'2023-01:2024-10,2025-03' → every month in the ranges plus single months."""
    months: list[date] = []
    for part in filter(None, spec.split(",")):
        first, _, last = part.partition(":")
        start, end = month_index(_month(first)), month_index(_month(last or first))
        months += [month_from_index(i) for i in range(start, end + 1)]
    return months


def _lapse(args: argparse.Namespace) -> RuleResult:
    if args.paid:
        return lapse_from_months(paid_months(args.paid), args.type, args.today, args.region,
                                 args.paid_back_years, args.exempt, change=args.change)
    months = args.months if args.months is not None else parse_duration_months(args.duration)
    if months is None:
        raise RuleInputError("请用 --months、--duration 或 --paid 说明断缴情况")
    return lapse_from_length(months, args.type, args.region, args.paid_back_years, args.exempt,
                             change=args.change, insured_months_before=args.insured_months)


def _reimburse(args: argparse.Namespace) -> RuleResult:
    amount = parse_amount(args.amount)
    if amount is None:
        raise RuleInputError(f"看不懂金额「{args.amount}」")
    query = ReimbursementQuery(
        amount=amount, insurance_type=args.type, hospital_level=args.level, inpatient=not args.outpatient,
        care_place=args.place, already_reimbursed=parse_amount(args.already) or 0,
        deductible_met=args.deductible_met, region=args.region,
        class_a=parse_amount(args.class_a), class_b=parse_amount(args.class_b), class_c=parse_amount(args.class_c))
    return estimate_reimbursement(query)


def _transfer(args: argparse.Namespace) -> RuleResult:
    case = TransferCase(from_type=args.from_type, to_type=args.to_type, old_stopped=args.old_stopped,
                        new_active=args.new_active, new_has_contribution=args.new_paid, retired=args.retired,
                        same_year_resident=args.same_year, cross_province=args.cross_province,
                        quoted_age_limit=args.quoted_age_limit, region=args.region)
    return check_transfer(case, args.date)


def _arrears(args: argparse.Namespace) -> RuleResult:
    amount = parse_amount(args.amount)
    if amount is None:
        raise RuleInputError(f"看不懂金额「{args.amount}」")
    return employer_arrears(amount, args.since, args.until, args.region)


def _materials(args: argparse.Namespace) -> RuleResult:
    return claim_materials(args.case or [], args.region, args.relation)


def _add_lapse(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lapse", help="断缴状态、补缴和等待期")
    p.add_argument("--type", required=True, help="职工 / 居民 / 新农合 …")
    p.add_argument("--months", type=int, help="断缴月数")
    p.add_argument("--duration", help="断缴时长原话，如 4个月、两年")
    p.add_argument("--paid", help="缴费月份：2023-01:2024-10,2025-03")
    p.add_argument("--today", type=date.fromisoformat, default=china_today())
    p.add_argument("--paid-back-years", type=int, default=0)
    p.add_argument("--exempt", action="store_true", help="新生儿等免等待期人群")
    p.add_argument("--change", choices=GAP_CHANGES, help="职工医保中断的情形（医保办发〔2021〕43号 ①/②）")
    p.add_argument("--insured-months", type=int, help="中断前连续参保月数")
    p.set_defaults(run=_lapse)


def _add_reimburse(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reimburse", help="报销估算")
    p.add_argument("--amount", required=True, help="总费用，如 20000、2万")
    p.add_argument("--type", help="职工 / 居民（不填按职工估算并附居民）")
    p.add_argument("--level", help="一级 / 二级 / 三级 / 三甲 / 社区")
    p.add_argument("--outpatient", action="store_true", help="门诊（默认住院）")
    p.add_argument("--place", choices=CARE_PLACES, help="就医地（默认本地）")
    p.add_argument("--already", help="本年度已由医保支付的金额")
    p.add_argument("--deductible-met", action="store_true", help="本年度已付过起付线")
    p.add_argument("--class-a", help="甲类金额")
    p.add_argument("--class-b", help="乙类金额")
    p.add_argument("--class-c", help="丙类/目录外金额")
    p.set_defaults(run=_reimburse)


def _add_transfer(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transfer", help="转移接续资格、步骤和时限")
    p.add_argument("--date", type=date.fromisoformat, default=china_today(), help="申请日期")
    p.add_argument("--from-type")
    p.add_argument("--to-type")
    for flag in ("old-stopped", "new-active", "new-paid", "same-year", "cross-province"):
        p.add_argument(f"--{flag}", type=_yes_no)
    p.add_argument("--retired", action="store_true")
    p.add_argument("--quoted-age-limit", action="store_true")
    p.set_defaults(run=_transfer)


def _add_others(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("arrears", help="单位欠缴滞纳金")
    p.add_argument("--amount", required=True)
    p.add_argument("--since", type=date.fromisoformat, required=True, help="欠缴开始日期")
    p.add_argument("--until", type=date.fromisoformat, default=china_today())
    p.set_defaults(run=_arrears)
    p = sub.add_parser("materials", help="报销材料清单")
    p.add_argument("--case", action="append", help="住院/门诊/异地/意外伤害/生育/未成年，可多次")
    p.add_argument("--relation", help="代办人与参保人的关系，如 孩子、父亲")
    p.set_defaults(run=_materials)
    p = sub.add_parser("check-data", help="校验 data/policies")
    p.set_defaults(run=None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.rules", description="医保规则命令行")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_lapse, _add_reimburse, _add_transfer, _add_others):
        add(sub)
    for command in sub.choices.values():
        command.add_argument("--region", help="参保地（转移时为转入地），如 武汉、湖北省、深圳")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.run is None:
            book = load_policies()
            print(f"policy data OK: {', '.join(book.regions)}")
            return 0
        print(render_text(args.run(args)))
    except (RuleInputError, PolicyDataError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
