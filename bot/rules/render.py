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
