"""How FAQ answers read: the short answer first with its basis in one line, the details on request."""

from __future__ import annotations

from bot.faq.knowledge import FaqAnswer

FIRST_REPLY_LIMIT = 300
MORE_DETAILS_PAYLOAD = "/more_details"
HANDOFF_PAYLOAD = "/human_handoff"


def _varies_line(answer: FaqAnswer) -> str:
    if not answer.varies_by or "以参保地" in answer.text or "为准" in answer.text:
        return ""
    return f"（各地{'、'.join(answer.varies_by)}规定可能不同，以当地医保部门为准）"


def first_reply(answer: FaqAnswer) -> str:
    """The short answer, a note when it varies by place, and its basis — within FIRST_REPLY_LIMIT."""
    text = answer.text + _varies_line(answer)
    basis = f"\n依据：{answer.source}"
    return text + basis if len(text) + len(basis) <= FIRST_REPLY_LIMIT else text


def details_reply(answer: FaqAnswer) -> str:
    return f"{answer.text}\n依据：{answer.source}"


def next_step_buttons() -> list[dict[str, str]]:
    """The numbered next steps under a first reply (WeChat and the menu show them as 回复1 …)."""
    return [{"title": "看详细和依据", "payload": MORE_DETAILS_PAYLOAD},
            {"title": "转人工", "payload": HANDOFF_PAYLOAD}]
