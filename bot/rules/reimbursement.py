"""Reimbursement estimate: 起付线, 甲/乙/丙 categories, ratio, annual cap → fund share and out-of-pocket.

Unknown facts (category split, hospital level, the remote-care cut) become several scenarios; the
result reports the lowest and highest and says which fact would narrow the range.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from decimal import Decimal

from bot.rules.common import PolicyView, RuleInputError, money, percent, policy_view, rate, region_assumption
from bot.rules.parsing import normalise_hospital_level, normalise_insurance_type
from bot.rules.policies import PolicyBook
from bot.rules.results import LineItem, ReimbursementResult, Scenario

ZERO = Decimal("0.00")
TYPE_KEYS = {"职工": "employee", "居民": "resident"}
LEVEL_KEYS = {"一级": "level1", "二级": "level2", "三级": "level3"}
CARE_PLACES = ("本地", "异地长期", "异地转诊", "异地临时", "异地未备案")
PLACE_LABELS = {"本地": "本地", "异地长期": "异地（长期备案）", "异地转诊": "异地转诊或急诊抢救",
                "异地临时": "异地临时外出", "异地未备案": "异地（未备案）"}
FUND, SELF = "医保基金", "个人"


@dataclass
class ReimbursementQuery:
    amount: Decimal | float | int | str
    insurance_type: str | None = None  # 职工 / 居民 (None → 职工 assumed, 居民 given as an alternative)
    hospital_level: str | None = None  # 一级 / 二级 / 三级 / 三甲 / 社区
    inpatient: bool = True
    care_place: str | None = None  # one of CARE_PLACES; None → 本地 assumed
    already_reimbursed: Decimal | float | int = 0  # fund payments earlier this year (toward the cap)
    deductible_met: bool = False  # 起付线 already paid this year (e.g. an earlier admission)
    class_a: Decimal | float | int | None = None  # 甲类 amount on the bill
    class_b: Decimal | float | int | None = None  # 乙类
    class_c: Decimal | float | int | None = None  # 丙类 / 目录外 (fully self-paid)
    region: str | None = None  # 参保地


@dataclass(frozen=True)
class Split:
    label: str
    class_a: Decimal
    class_b: Decimal
    class_c: Decimal


@dataclass(frozen=True)
class Terms:
    """The numbers one scenario uses."""

    deductible: Decimal
    ratio: Decimal
    annual_cap: Decimal
    cap_left: Decimal
    class_b_self_share: Decimal


# ---------------------------------------------------------------- the arithmetic

def compute_scenario(label: str, amount: Decimal, split: Split, terms: Terms, kind: str,
                     level: str | None) -> Scenario:
    """One itemised computation; fund ≤ in-scope amount ≤ bill, so out-of-pocket is within [0, bill]."""
    b_self = money(split.class_b * terms.class_b_self_share)
    in_scope = split.class_a + split.class_b - b_self
    deductible = min(terms.deductible, in_scope)
    eligible = in_scope - deductible
    by_ratio = money(eligible * terms.ratio)
    fund = min(by_ratio, terms.cap_left)
    items = [
        LineItem("丙类/目录外费用（全部自付）", split.class_c, SELF),
        LineItem(f"乙类先行自付（{percent(terms.class_b_self_share)}）", b_self, SELF),
        LineItem("起付线以下", deductible, SELF),
        LineItem(f"政策范围内按比例自付（{percent(1 - terms.ratio)}）", eligible - by_ratio, SELF),
        LineItem("超过年度最高支付限额", by_ratio - fund, SELF),
        LineItem(f"医保基金按{percent(terms.ratio)}支付", fund, FUND),
    ]
    return Scenario(label=label, insurance_type=kind, hospital_level=level, deductible=deductible,
                    ratio=terms.ratio, annual_cap=terms.annual_cap, fund_pays=fund,
                    out_of_pocket=amount - fund, items=items)


def _splits(query: ReimbursementQuery, amount: Decimal, view: PolicyView) -> list[Split]:
    known = [money(v) if v is not None else ZERO for v in (query.class_a, query.class_b, query.class_c)]
    if any(v < 0 for v in known) or sum(known) > amount:
        raise RuleInputError("甲类、乙类、丙类费用之和不能超过总费用，也不能为负数")
    rest = amount - sum(known)
    if rest == 0:
        return [Split("按费用清单分类", *known)]
    b_share, c_share = rate(view.value("estimate.low.class_b_share")), rate(view.value("estimate.low.class_c_share"))
    low_b, low_c = money(rest * b_share), money(rest * c_share)
    return [Split("未分类部分全按甲类（乐观）", known[0] + rest, known[1], known[2]),
            Split(f"未分类部分按乙类{percent(b_share)}、丙类{percent(c_share)}（保守）",
                  known[0] + rest - low_b - low_c, known[1] + low_b, known[2] + low_c)]


def _remote_cuts(place: str, view: PolicyView) -> list[Decimal]:
    if place in ("本地", "异地长期"):
        return [Decimal(0)]
    kind = "referral" if place == "异地转诊" else "other_temporary"
    exact = view.value(f"remote.{kind}_cut")
    return [rate(exact)] if exact is not None else [Decimal(0), rate(view.value(f"remote.{kind}_max_cut"))]


def _terms(view: PolicyView, query: ReimbursementQuery, kind: str, level: str | None, cut: Decimal) -> Terms:
    t = TYPE_KEYS[kind]
    prefix = f"inpatient.{t}.{LEVEL_KEYS[level]}" if query.inpatient else f"outpatient.{t}"
    cap_key = f"inpatient.{t}.annual_cap" if query.inpatient else f"outpatient.{t}.annual_cap"
    cap = money(view.value(cap_key))
    return Terms(
        deductible=ZERO if query.deductible_met else money(view.value(f"{prefix}.deductible")),
        ratio=max(Decimal(0), rate(view.value(f"{prefix}.ratio")) - cut),
        annual_cap=cap, cap_left=max(ZERO, cap - money(query.already_reimbursed)),
        class_b_self_share=rate(view.value("drug.class_b_self_share")),
    )


# ---------------------------------------------------------------- assumptions and wording

def _normalise(query: ReimbursementQuery) -> tuple[Decimal, str | None, str | None, str | None]:
    amount = money(query.amount)
    if amount <= 0:
        raise RuleInputError("请告诉我花了多少钱（大于0的金额）")
    if query.care_place is not None and query.care_place not in CARE_PLACES:
        raise RuleInputError(f"就医地请选择：{'、'.join(CARE_PLACES)}")
    return (amount, normalise_insurance_type(query.insurance_type),
            normalise_hospital_level(query.hospital_level), query.care_place)


def _assumptions(query: ReimbursementQuery, given: str | None, kind: str, place: str | None) -> list[str]:
    notes = []
    if given is None:
        notes.append("未说明险种，按职工医保估算（居民医保的估算另附）" if kind == "职工"
                     else "未说明险种，这是按居民医保的估算")
    if place is None:
        notes.append("按在参保地本地就医估算")
    if query.inpatient and not query.deductible_met:
        notes.append("按本年度第一次住院、需付起付线估算")
    if not query.already_reimbursed:
        notes.append("按本年度此前没有报销过估算年度最高支付限额")
    return notes


def _narrowing(splits: list[Split], levels: list[str | None], cuts: list[Decimal], view: PolicyView) -> list[str]:
    facts = []
    if len(splits) > 1:
        facts.append("费用清单上甲类、乙类、丙类（自费）各多少钱")
    if len(levels) > 1:
        facts.append("医院等级（一级/二级/三级）")
    if len(cuts) > 1:
        facts.append("参保地对异地就医降低报销比例的具体幅度")
    if not view.region.has_local_rules:
        facts.append("参保地（起付线、报销比例、封顶线各地不同）")
    return facts


def _decision(kind: str, place: str, level: str | None, query: ReimbursementQuery,
              amount: Decimal, low: Scenario, high: Scenario) -> str:
    where = f"{PLACE_LABELS[place]}{level or ''}{'医院住院' if query.inpatient else '门诊'}"
    fund = f"{low.fund_pays}元" if low.fund_pays == high.fund_pays else f"{low.fund_pays}–{high.fund_pays}元"
    own = (f"{high.out_of_pocket}元" if low.fund_pays == high.fund_pays
           else f"{high.out_of_pocket}–{low.out_of_pocket}元")
    return f"按{kind}医保、{where}估算：{amount}元的费用，医保基金约支付{fund}，个人约负担{own}"


# ---------------------------------------------------------------- entry point

def _estimate_for(query: ReimbursementQuery, kind: str, view: PolicyView) -> ReimbursementResult:
    amount, given_kind, level, place = _normalise(query)
    place = place or "本地"
    levels: list[str | None] = [level] if level or not query.inpatient else list(LEVEL_KEYS)
    splits, cuts = _splits(query, amount, view), _remote_cuts(place, view)
    scenarios = [
        compute_scenario(f"{lv or ''} {sp.label}" + (f"，异地报销比例降低{points(c)}" if c else ""), amount, sp,
                         _terms(view, query, kind, lv, c), kind, lv)
        for lv, sp, c in itertools.product(levels, splits, cuts)
    ]
    low = min(scenarios, key=lambda s: s.fund_pays)
    high = max(scenarios, key=lambda s: s.fund_pays)
    return ReimbursementResult(
        decision=_decision(kind, place, level, query, amount, low, high),
        amount=amount, insurance_type=kind, fund_min=low.fund_pays, fund_max=high.fund_pays,
        out_of_pocket_min=high.out_of_pocket, out_of_pocket_max=low.out_of_pocket,
        low=low, high=high, scenarios=scenarios,
        numbers={"总费用": amount, "医保支付下限": low.fund_pays, "医保支付上限": high.fund_pays,
                 "个人负担下限": high.out_of_pocket, "个人负担上限": low.out_of_pocket},
        reasons=_reasons(place),
        sources=view.sources(), regional_variation=True,
        assumptions=_assumptions(query, given_kind, kind, query.care_place) + region_assumption(view),
        narrowing_facts=_narrowing(splits, levels, cuts, view),
        estimated_with_examples=view.used_illustrative(),
    )


def points(cut: Decimal) -> str:
    """0.2 → 「20个百分点」: a cut of the ratio is in percentage points, not per cent of it."""
    return f"{(Decimal(cut) * 100).normalize():f}个百分点"


REMOTE_REASONS = {
    "异地长期": "已办长期备案（异地安置退休、异地长期居住、常驻异地工作）的，不属于临时外出就医，不按临时外出降低报销比例",
    "异地转诊": "异地转诊和急诊抢救（包括出差、旅游途中的急诊）属于转诊/急诊一类，报销比例最多降低10个百分点",
    "异地临时": "非急诊、未转诊的其他临时外出就医，报销比例最多降低20个百分点",
    "异地未备案": "未备案的按其他临时外出就医处理，报销比例最多降低20个百分点（急诊抢救的最多降低10个百分点）",
}


def _reasons(place: str) -> list[str]:
    reasons = ["甲类药品和项目不设个人先行自付，但仍要先扣起付线、再按比例报销，并不是100%报销",
               "乙类先由个人自付一定比例，其余按规定报销；目录外（丙类）费用全部自付"]
    if place != "本地":
        reasons.append("异地就医执行就医地的药品和诊疗目录，起付线、比例和封顶线执行参保地政策（医保发〔2022〕22号）")
        reasons.append(REMOTE_REASONS[place])
    if place == "异地未备案":
        reasons.append("未备案的可先补办备案，再按参保地规定手工报销")
    return reasons


def estimate_reimbursement(query: ReimbursementQuery, book: PolicyBook | None = None) -> ReimbursementResult:
    """Itemised estimate; when the insurance type is unknown: 职工 with 居民 as an alternative."""
    view = policy_view(query.region, book)
    kind = normalise_insurance_type(query.insurance_type)
    result = _estimate_for(query, kind or "职工", view)
    if kind is None:
        resident = _estimate_for(replace(query, insurance_type=None), "居民", policy_view(query.region, view.book))
        result.alternatives.append(resident)
    result.sources = view.sources()
    return result
