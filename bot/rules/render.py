"""Plain-text rendering of rule results (CLI, and a default reply body actions may reuse).

Every rendering ends with the source line, preceded by the regional caveat when it applies.
"""

from __future__ import annotations

from bot.rules.results import (
    ESTIMATE_NOTICE,
    ArrearsResult,
    MaterialsResult,
    ReimbursementResult,
    RuleResult,
    Scenario,
    TransferResult,
)


def _bullets(title: str, lines: list[str]) -> list[str]:
    return [title, *[f"  · {line}" for line in lines]] if lines else []


def _scenario_lines(scenario: Scenario) -> list[str]:
    lines = [f"{scenario.label}：医保支付{scenario.fund_pays}元，个人负担{scenario.out_of_pocket}元"]
    lines += [f"    {item.payer}｜{item.label}：{item.amount}元" for item in scenario.items if item.amount]
    return lines


def _body(result: RuleResult) -> list[str]:
    if isinstance(result, ReimbursementResult):
        scenarios = [result.low] if result.is_exact() else [result.low, result.high]
        lines = ["分项估算：", *[line for s in scenarios for line in _scenario_lines(s)]]
        for alt in result.alternatives:
            lines += [f"另：{alt.decision}"]
        return lines
    if isinstance(result, TransferResult):
        return (_bullets("还需确认：", result.to_confirm) + _bullets("办理步骤：", result.steps)
                + _bullets("需要材料：", result.materials))
    if isinstance(result, ArrearsResult):
        return _bullets("投诉和维权途径：", result.complaint_route)
    if isinstance(result, MaterialsResult):
        return _bullets("材料清单：", result.items)
    return []


def first_line(result: RuleResult) -> str:
    """The decision, led by the estimate notice when it rests on illustrative numbers."""
    return f"【{ESTIMATE_NOTICE}】{result.decision}" if result.estimated_with_examples else result.decision


def render_text(result: RuleResult) -> str:
    lines = [first_line(result), *_body(result)]
    lines += _bullets("说明：", result.reasons)
    lines += _bullets("估算假设：", result.assumptions)
    lines += _bullets("告诉我这些可以算得更准：", result.narrowing_facts)
    if result.caveat():
        lines.append(result.caveat() or "")
    lines.append(result.source_line())
    return "\n".join(lines)


# A first reply fits a phone screen (300 characters): this many of text, leaving room for the numbered
# next steps under it (the full rendering is one 「详细」 away).
BRIEF_LIMIT = 270


def _brief_body(result: RuleResult) -> list[str]:
    """The one or two lines of the body a first reply keeps."""
    if isinstance(result, MaterialsResult):
        return ["需要：" + "、".join(item.split("（")[0] for item in result.items)]
    if isinstance(result, TransferResult) and result.blockers:
        return ["；".join(result.blockers)]
    if isinstance(result, ReimbursementResult) or isinstance(result, TransferResult):
        return []
    return result.reasons[:1]


def render_brief(result: RuleResult, prefix: str = "", limit: int = BRIEF_LIMIT) -> str:
    """The decision first, then as much of the essentials as fits in `limit` characters: a line of
    the body, what to tell for a closer answer, the regional caveat, the source."""
    lines = [prefix + first_line(result)]
    optional = [*(result.summary or _brief_body(result))]
    # 「暂无武汉有出处的地方标准…请问…」: a named place without local figures is said in the short reply too.
    optional += [line for line in result.assumptions if line.startswith("暂无")]
    if result.narrowing_facts:
        optional.append("告诉我" + "、".join(fact.split("（")[0] for fact in result.narrowing_facts)
                        + "，可以说得更具体。")
    optional += [result.caveat() or "", result.source_line()]
    for line in filter(None, optional):
        if sum(len(existing) + 1 for existing in lines) + len(line) <= limit:
            lines.append(line)
    return "\n".join(lines)
