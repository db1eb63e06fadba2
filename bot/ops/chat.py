"""Feedback inside the chat, for the channels (REST / web page, WeChat, WeCom).

An answer's numbered options end with 「没帮到我」 (on the web page: 👍/👎 under the bubble). The option
is an explicit number, not 0, because 0 and 「菜单」 open the main menu on every channel and people
who use the hotline-style menu rely on that; an extra last number keeps one numbered list per reply.
After 「没帮到我」 the next message is taken as a one-line reason unless it is a number, a menu word
or 「转人工」. After a 转人工 ticket closes, a bare 1–5 is the 满意度 of that service.

Which answer was last shown to a conversation is kept in memory (like the numbered options
themselves, bot/channels/numbered.py), so a user's messages must reach the same Rasa process
(the sticky routing of docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.identity import hmac_hex
from bot.ops import feedback, turns
from bot.records.db import session_scope
from bot.replies import response_text

UNHELPFUL_TITLE = "没帮到我"
UNHELPFUL_WORDS = frozenset({UNHELPFUL_TITLE, "没有帮到我", "没帮到", "没用", "没帮助"})
ASK_REASON = response_text("utter_ask_unhelpful_reason")
THANKS_REASON = response_text("utter_unhelpful_reason_noted")
THANKS_SURVEY = response_text("utter_survey_thanks")
PASS_THROUGH = re.compile(r"^\s*(\d{1,2}|菜单|主菜单|目录|转人工|人工|/.*)\s*$")
SURVEY_SCORE = re.compile(r"^\s*([1-5])\s*分?\s*$")
logger = logging.getLogger(__name__)

MAX_CONVERSATIONS = 10_000
HANDOFF_INTENT = "human_handoff"


def feedback_token(conversation_id: str, turn_id: str) -> str:
    """Proves to /chat/feedback that this turn was answered in the cookie's conversation."""
    return hmac_hex("ops-feedback", f"{conversation_id}|{turn_id}", 24)


@dataclass
class ChatFeedback:
    """Per-process memory of each conversation's last answer and whether a reason is awaited."""

    last_answer: OrderedDict[str, str] = field(default_factory=OrderedDict)
    awaiting_reason: OrderedDict[str, str] = field(default_factory=OrderedDict)
    last_question: OrderedDict[str, str] = field(default_factory=OrderedDict)
    database_url: str | None = None

    async def before(self, conversation_id: str, text: str, resolved: str | None = None) -> str | None:
        """The reply when the message is feedback (a 满意度 score, 「没帮到我」, a reason), else None.
        `text` is what the user typed, `resolved` the option a bare number picked (if any)."""
        score = SURVEY_SCORE.match(text)
        if score and await asyncio.to_thread(self._safely, self._survey, conversation_id, int(score.group(1))):
            return THANKS_SURVEY
        stripped = text.strip()
        if (resolved or stripped).strip() in UNHELPFUL_WORDS and conversation_id in self.last_answer:
            turn_id = self.last_answer.pop(conversation_id)
            await asyncio.to_thread(self._safely, self._rate, turn_id, -1)
            _remember(self.awaiting_reason, conversation_id, turn_id)
            return ASK_REASON
        turn_id = self.awaiting_reason.pop(conversation_id, None)
        if turn_id is not None and not PASS_THROUGH.match(stripped) and stripped not in UNHELPFUL_WORDS:
            await asyncio.to_thread(self._safely, self._reason, turn_id, stripped)
            return THANKS_REASON
        return None

    def after(self, conversation_id: str, turn: turns.Turn, messages: list[dict[str, Any]],
              web_page: bool = False) -> None:
        """Records the turn; an answer gets the 「没帮到我」 option (the web page: a rating token)."""
        previous = self.last_question.get(conversation_id)
        if turn.outcome == "handoff" and turn.intent == HANDOFF_INTENT and previous is not None:
            turn.queue_turn_id = previous  # 「转人工」 itself says nothing; what was asked before does
        elif turn.outcome not in ("other", "handoff") and not turn.question.startswith("/"):
            _remember(self.last_question, conversation_id, turn.id)
        turns.finish(turn, self.database_url)
        if not turn.answered or not messages:
            self.last_answer.pop(conversation_id, None)
            return
        _remember(self.last_answer, conversation_id, turn.id)
        carrier = next((m for m in reversed(messages) if m.get("buttons")), None) or messages[-1]
        if web_page:
            carrier["feedback"] = {"turn": turn.id, "token": feedback_token(conversation_id, turn.id)}
        else:
            carrier["buttons"] = [*(carrier.get("buttons") or []), {"title": UNHELPFUL_TITLE,
                                                                    "payload": UNHELPFUL_TITLE}]

    def rate_on_page(self, conversation_id: str, body: dict[str, Any]) -> bool:
        """/chat/feedback: 👍 (+1) or 👎 (-1) with an optional reason, for a turn of this conversation."""
        turn_id, token, rating = body.get("turn"), body.get("token"), body.get("rating")
        reason = body.get("reason") if isinstance(body.get("reason"), str) else None
        if not isinstance(turn_id, str) or not isinstance(token, str) or rating not in (1, -1):
            return False
        if not hmac.compare_digest(token, feedback_token(conversation_id, turn_id)):
            return False
        return bool(self._safely(self._rate, turn_id, rating, reason))

    def _rate(self, turn_id: str, rating: int, reason: str | None = None) -> bool:
        turns.flush()  # the rated turn may still be on its way to the database
        with session_scope(self.database_url) as session:
            return feedback.rate(session, turn_id, rating, reason)

    def _reason(self, turn_id: str, reason: str) -> None:
        with session_scope(self.database_url) as session:
            feedback.add_reason(session, turn_id, reason)

    def _safely(self, work: Any, *args: Any) -> Any:
        """Feedback is statistics: a database problem is logged and the message goes on as usual."""
        try:
            return work(*args)
        except SQLAlchemyError as problem:
            logger.warning("chat feedback not recorded: %s", type(problem).__name__)
            return None

    def _survey(self, conversation_id: str, score: int) -> bool:
        with session_scope(self.database_url) as session:
            return feedback.answer_satisfaction(session, conversation_id, score)


def _remember(memory: OrderedDict[str, str], key: str, value: str) -> None:
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > MAX_CONVERSATIONS:
        memory.popitem(last=False)
