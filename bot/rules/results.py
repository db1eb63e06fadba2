"""Result objects returned by every rule: the decision, the numbers, the reasons and the sources.

Actions only format these; they never recompute anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

REGIONAL_CAVEAT = "各地政策可能不同，以当地医保部门为准"
ESTIMATE_NOTICE = "按常见标准估算，非您所在地的实际标准"


@dataclass(frozen=True)
class Source:
    """Where a number or a list comes from (a document with its issuer and date)."""

    document: str
    issuer: str
    date: str
    article: str | None = None
    illustrative: bool = False
    url: str | None = None


def merge_sources(*groups: list[Source]) -> list[Source]:
    """Concatenate source lists keeping the first occurrence of each (document, article)."""
    seen: set[tuple[str, str | None, bool]] = set()
    merged: list[Source] = []
    for group in groups:
        for src in group:
            key = (src.document, src.article, src.illustrative)
            if key not in seen:
                seen.add(key)
                merged.append(src)
    return merged


def source_line(sources: list[Source]) -> str:
    """「依据：《社会保险法》第二十三条、第八十六条；《…》」— one entry per document, articles merged,
    documents behind real numbers first, those behind illustrative numbers marked 示例参数."""
    articles: dict[str, list[str]] = {}
    illustrative: dict[str, bool] = {}
    for src in sources:
        articles.setdefault(src.document, [])
        illustrative[src.document] = illustrative.get(src.document, False) or src.illustrative
        if src.article:
            articles[src.document] += [a for a in src.article.split("、") if a not in articles[src.document]]
    order = sorted(articles, key=lambda doc: illustrative[doc])  # stable: keeps first-use order
    parts = [doc + "、".join(sorted(articles[doc], key=_article_number)) + _mark(doc, illustrative[doc])
             for doc in order]
    return "依据：" + "；".join(parts) if parts else ""


def _mark(document: str, illustrative: bool) -> str:
    return "（含示例参数）" if illustrative and "示例" not in document else ""


def _article_number(article: str) -> int:
    """第八十六条 → 86, so articles are cited in order."""
    from bot.rules.parsing import cn_to_int

    return cn_to_int(article.strip("第条")) or 0


@dataclass(kw_only=True)
class RuleResult:
    """Fields shared by every rule result."""

    decision: str
    numbers: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    regional_variation: bool = False
    assumptions: list[str] = field(default_factory=list)
    narrowing_facts: list[str] = field(default_factory=list)
    # The body lines a short first reply keeps (the rule that decides this case), when not the first reason.
    summary: list[str] = field(default_factory=list)
    # True when the decision's numbers are illustrative (not the user's local figures): the first line
    # of the answer says so (ESTIMATE_NOTICE), not only the source line.
    estimated_with_examples: bool = False

    def source_line(self) -> str:
        return source_line(self.sources)

    def caveat(self) -> str | None:
        """The sentence to add when the answer depends on local rules."""
        return REGIONAL_CAVEAT if self.regional_variation else None

    def uses_illustrative_numbers(self) -> bool:
        return any(src.illustrative for src in self.sources)


@dataclass(frozen=True)
class Gap:
    """A run of consecutive unpaid months, first and last month inclusive (first day of each month)."""

    start: date
    end: date
    months: int
    ongoing: bool = False


@dataclass(kw_only=True)
class LapseResult(RuleResult):
    insurance_type: str  # "职工" | "居民"
    status: str  # "正常" | "暂停待遇" | "终止"
    benefits_suspended: bool
    lapse_months: int
    gaps: list[Gap] = field(default_factory=list)
    lapsed_years_min: int | None = None
    lapsed_years_max: int | None = None
    waiting_months_min: int = 0
    waiting_months_max: int = 0
    backpay_window_months: int | None = None
    # True: the gap is covered once paid back (43号 ① or ②); False: not covered; None: depends on
    # facts we do not know yet (a transfer? a switch of scheme? local rules for a same-city restart)
    backpay_covers_lapse: bool | None = False
    gap_change: str | None = None  # GAP_TRANSFER / GAP_SWITCH / None (not said)


@dataclass(kw_only=True)
class TransferResult(RuleResult):
    eligible: bool | None  # None: a condition still needs confirming
    blockers: list[str] = field(default_factory=list)
    to_confirm: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    accepted_on: date | None = None
    transfer_out_by: date | None = None
    transfer_in_by: date | None = None
    calendar_estimated: bool = False  # True when the year's holiday schedule was not yet known


@dataclass(frozen=True)
class LineItem:
    """One line of the itemised estimate (who pays, how much, why)."""

    label: str
    amount: Decimal
    payer: str  # "医保基金" | "个人"


@dataclass(kw_only=True)
class Scenario:
    """One fully itemised computation under stated assumptions."""

    label: str
    insurance_type: str
    hospital_level: str | None
    deductible: Decimal
    ratio: Decimal
    annual_cap: Decimal
    fund_pays: Decimal
    out_of_pocket: Decimal
    items: list[LineItem] = field(default_factory=list)


@dataclass(kw_only=True)
class ReimbursementResult(RuleResult):
    amount: Decimal
    insurance_type: str
    fund_min: Decimal
    fund_max: Decimal
    out_of_pocket_min: Decimal
    out_of_pocket_max: Decimal
    low: Scenario  # the scenario where the fund pays least
    high: Scenario  # the scenario where the fund pays most
    scenarios: list[Scenario] = field(default_factory=list)
    alternatives: list[ReimbursementResult] = field(default_factory=list)

    def is_exact(self) -> bool:
        return self.fund_min == self.fund_max


@dataclass(kw_only=True)
class ArrearsResult(RuleResult):
    arrears: Decimal
    days: int
    late_fee: Decimal
    fine_min: Decimal
    fine_max: Decimal
    complaint_route: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class MaterialsResult(RuleResult):
    cases: list[str]
    items: list[str] = field(default_factory=list)
