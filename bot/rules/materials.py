"""Material checklists for claims (住院/门诊/异地/意外伤害/生育/未成年) and transfers, from policy data."""

from __future__ import annotations

from collections.abc import Iterable

from bot.rules.common import RuleInputError, policy_view, region_assumption
from bot.rules.policies import PolicyBook
from bot.rules.results import MaterialsResult

CLAIM_CASES = ("住院", "门诊", "异地", "意外伤害", "生育", "未成年")
_CASE_WORDS: dict[str, tuple[str, ...]] = {
    "住院": ("住院", "出院", "手术"),
    "门诊": ("门诊", "看门诊", "急诊", "拿药", "开药"),
    "异地": ("异地", "外地", "外省", "跨省", "备案"),
    "意外伤害": ("意外", "摔", "车祸", "受伤", "外伤", "骨折", "烫伤", "咬伤"),
    "生育": ("生育", "生孩子", "分娩", "产检", "顺产", "剖腹产", "坐月子"),
    "未成年": ("未成年", "孩子", "小孩", "儿子", "女儿", "宝宝", "儿童", "学生", "新生儿"),
}
_CHILD_RELATIONS = ("孩子", "儿子", "女儿", "小孩", "宝宝", "闺女")
NO_NATIONAL_LIST = "全国没有统一的报销材料清单，以参保地医保部门要求为准"


def normalise_cases(words: Iterable[str]) -> list[str]:
    """Map what the user said (车祸, 生孩子, 外地…) to checklist cases, keeping order, no repeats."""
    found: list[str] = []
    for word in words:
        for case, synonyms in _CASE_WORDS.items():
            hits = [s for s in (case, *synonyms) if s in word]
            if hits and case not in found:
                found.append(case)
            for hit in hits:  # 「生孩子」is 生育, so its 孩子 must not also count as 未成年
                word = word.replace(hit, " ")
    return found


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def claim_materials(cases: Iterable[str], region: str | None = None, relation: str | None = None,
                    book: PolicyBook | None = None) -> MaterialsResult:
    """Base list + one list per case; a relative applying adds 代办, a child adds 未成年."""
    chosen = normalise_cases(cases)
    assumptions = [] if chosen else ["未说明就医情形，按住院手工报销列出"]
    chosen = chosen or ["住院"]
    if relation and any(r in relation for r in _CHILD_RELATIONS) and "未成年" not in chosen:
        chosen.append("未成年")
        assumptions.append(f"按{relation}为未成年人列出材料")
    view = policy_view(region, book)
    keys = ["基本", *chosen] + (["代办"] if relation else [])
    items = _dedupe(item for key in keys for item in view.items(f"checklist.{key}"))
    return MaterialsResult(
        decision=f"{'、'.join(chosen)}报销一般需要准备{len(items)}项材料",
        cases=chosen, items=items, reasons=[NO_NATIONAL_LIST], numbers={"材料项数": len(items)},
        sources=view.sources(), regional_variation=True,
        assumptions=assumptions + region_assumption(view),
    )


def transfer_materials(region: str | None = None, book: PolicyBook | None = None) -> MaterialsResult:
    view = policy_view(region, book)
    items = _dedupe(view.items("checklist.转移"))
    if not items:
        raise RuleInputError("暂无转移接续材料清单")
    return MaterialsResult(
        decision=f"医保关系转移接续一般需要准备{len(items)}项材料",
        cases=["转移"], items=items, numbers={"材料项数": len(items)},
        reasons=["线上通过国家医保服务平台申请一般只需身份信息；窗口办理以当地要求为准"],
        sources=view.sources(), regional_variation=True, assumptions=region_assumption(view),
    )
