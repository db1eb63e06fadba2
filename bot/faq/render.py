"""How FAQ answers read: the short answer first with its basis in one line, the details on request."""

from __future__ import annotations

from bot.faq.knowledge import FaqAnswer

FIRST_REPLY_LIMIT = 300
# Room for the numbered next steps under the text (「回复1 看详细和依据 · 2 转人工 · 3 没帮到我」, 28 characters).
NEXT_STEPS_ALLOWANCE = 30
MORE_DETAILS_PAYLOAD = "/more_details"
HANDOFF_PAYLOAD = "/human_handoff"


_HAS_ROUTE = ("查", "APP", "拨打", "热线", "窗口", "咨询")


def _varies_line(answer: FaqAnswer) -> str:
    """Answers that depend on the place say how to find the local figure, once (a place the question
    named is named even when the answer already points to the 参保地's figure in general)."""
    if not answer.varies_by or (not answer.place and any(word in answer.text for word in _HAS_ROUTE)):
        return ""
    return f"（{answer.local_lookup}）"


def first_reply(answer: FaqAnswer) -> str:
    """The short answer, a note when it varies by place, and its basis — within FIRST_REPLY_LIMIT with the
    numbered next steps."""
    text = answer.text + _varies_line(answer)
    basis = f"\n依据：{answer.source}"
    return text + basis if len(text) + len(basis) <= FIRST_REPLY_LIMIT - NEXT_STEPS_ALLOWANCE else text


def details_reply(answer: FaqAnswer) -> str:
    return f"{answer.text}\n依据：{answer.source}"


def next_step_buttons() -> list[dict[str, str]]:
    """The numbered next steps under a first reply (WeChat and the menu show them as 回复1 …)."""
    return [{"title": "看详细和依据", "payload": MORE_DETAILS_PAYLOAD},
            {"title": "转人工", "payload": HANDOFF_PAYLOAD}]


def topic_option_buttons(entries: list, count: int = 4) -> list[dict[str, str]]:
    """The closest questions of a topic as numbered options; each sends the question itself, so it
    works on every channel and is answered like a typed question."""
    return [{"title": entry.questions[0], "payload": entry.questions[0]} for entry in entries[:count]]
