"""What the assistant did with each user message, for the dashboard and the review queue.

The channel opens a Turn before it hands a message to Rasa (`begin`) and records it once the reply
is ready (`finish`). In between, the tracker store — which sees the turn's events when it saves the
tracker — fills in the intent, confidence, FAQ entry and outcome (`observe`). The row is written by
one background thread, so a reply never waits for the database; `flush()` waits for pending rows
(the dashboard calls it, and tests).
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.privacy import redact_text
from bot.records.clock import now as china_now

logger = logging.getLogger(__name__)

QUESTION_MAX_CHARS = 300
# Below this the answer counts as a guess and the question goes to the review queue.
LOW_CONFIDENCE = 0.5
ANSWER_ACTIONS = frozenset({
    "action_answer", "action_answer_details", "action_personal_query", "action_verification_done",
    "action_lapse", "action_transfer", "action_reimbursement", "action_employer_arrears", "action_claim_process"})
CLARIFY_RESPONSES = frozenset({"utter_clarify", "utter_topic_options", "utter_default"})
QUEUED_OUTCOMES = {"clarified": "clarified", "refused": "refused", "handoff": "handoff"}
FALLBACK_INTENT = "nlu_fallback"


@dataclass
class Turn:
    """One user message on its way through the assistant."""

    channel: str
    question: str
    id: str = field(default_factory=lambda: secrets.token_hex(16))
    at: datetime = field(default_factory=china_now)
    started: float = field(default_factory=time.perf_counter)
    intent: str | None = None
    confidence: float | None = None
    faq_key: str | None = None
    outcome: str = "other"
    reply_ms: int | None = None
    observed: bool = False
    # A bare 「转人工」 queues the question asked before it (set by the channel), not its own text.
    queue_turn_id: str | None = None

    @property
    def answered(self) -> bool:
        return self.outcome == "answered"

    @property
    def queue_reason(self) -> str | None:
        """Why an operator should look at this question, or None."""
        if self.outcome in QUEUED_OUTCOMES:
            return QUEUED_OUTCOMES[self.outcome]
        if self.answered and self.confidence is not None and self.confidence < LOW_CONFIDENCE:
            return "low_confidence"
        return None


_current: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("ops_turn", default=None)


def begin(channel: str, text: str) -> Turn:
    """Starts timing a message; the question is kept redacted and cut to QUESTION_MAX_CHARS."""
    turn = Turn(channel=channel, question=redact_text(text.strip())[:QUESTION_MAX_CHARS])
    _current.set(turn)
    return turn


def current() -> Turn | None:
    return _current.get()


def observe(events: Iterable[Any]) -> None:
    """Called by the tracker store with the events it is about to save (Rasa events or dicts)."""
    turn = _current.get()
    if turn is None or turn.observed:
        return
    dicts = [e if isinstance(e, dict) else e.as_dict() for e in events]
    if any(d.get("event") == "user" for d in dicts):
        classify(turn, dicts)


def classify(turn: Turn, events: list[dict[str, Any]]) -> None:
    """Intent, confidence, FAQ entry and outcome of one turn from its serialised events."""
    user = next(e for e in events if e.get("event") == "user")
    turn.intent, turn.confidence = top_intent(user.get("parse_data") or {})
    actions = {e.get("name") for e in events if e.get("event") == "action"}
    responses = {(e.get("metadata") or {}).get("utter_action") for e in events if e.get("event") == "bot"}
    entries = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "faq_entry"]
    turn.faq_key = entries[-1] if entries and entries[-1] else None
    turn.outcome = outcome_of(actions, responses)
    turn.observed = True


def top_intent(parse_data: dict[str, Any]) -> tuple[str | None, float | None]:
    """The model's best intent other than the fallback, and its confidence."""
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    if ranking:
        return ranking[0].get("name"), float(ranking[0].get("confidence") or 0.0)
    intent = parse_data.get("intent") or {}
    if intent.get("name") in (None, FALLBACK_INTENT):
        return None, None
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def outcome_of(actions: set, responses: set) -> str:
    if "action_human_handoff" in actions:
        return "handoff"
    if "utter_out_of_scope" in responses:
        return "refused"
    if any(str(name).startswith("utter_redirect_") for name in responses):
        return "redirected"
    if responses & CLARIFY_RESPONSES:
        return "clarified"
    if actions & ANSWER_ACTIONS:
        return "answered"
    return "other"


# ---------------------------------------------------------------- writing

_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ops-turns")
_pending: set[Future] = set()


def finish(turn: Turn, database_url: str | None = None) -> None:
    """Stops the clock and writes the turn (and its review item) in the background."""
    _current.set(None)
    turn.reply_ms = round((time.perf_counter() - turn.started) * 1000)
    future = _writer.submit(store, turn, database_url)
    _pending.add(future)
    future.add_done_callback(_written)


def _written(future: Future) -> None:
    _pending.discard(future)
    if future.exception() is not None:  # the reply went out; only the statistics lose a row
        logger.warning("ops turn not recorded: %s", type(future.exception()).__name__)


def flush(timeout: float = 10.0) -> None:
    """Waits until every turn handed to `finish` is in the database."""
    wait(list(_pending), timeout=timeout)  # a failed write was logged by _written


def store(turn: Turn, database_url: str | None = None) -> None:
    """The turn's row, and a review item when it needs one, in one transaction. Core statements: an
    ORM unit of work cost ~1–4 ms of the Rasa process's CPU per message (bench/latency)."""
    from bot.records.db import get_engine
    from bot.records.models import OpsReviewItem, OpsTurn

    reason = turn.queue_reason if turn.question else None
    with get_engine(database_url).begin() as connection:
        connection.execute(OpsTurn.__table__.insert(), {
            "id": turn.id, "at": turn.at, "channel": turn.channel, "intent": turn.intent,
            "confidence": turn.confidence, "faq_key": turn.faq_key, "outcome": turn.outcome,
            "reply_ms": turn.reply_ms, "question": turn.question or None})
        if reason is not None and turn.queue_turn_id is None:  # a new turn: no item can exist yet
            connection.execute(OpsReviewItem.__table__.insert(), {
                "turn_id": turn.id, "at": turn.at, "reason": reason, "question": turn.question,
                "predicted_intent": turn.intent, "confidence": turn.confidence, "status": "open",
                "new_answer_needed": False})
    if reason is not None and turn.queue_turn_id is not None:
        _queue_earlier(turn.queue_turn_id, reason, database_url)


def _queue_earlier(turn_id: str, reason: str, database_url: str | None) -> None:
    from bot.ops import queue
    from bot.records.db import session_scope

    with session_scope(database_url) as session:
        queue.enqueue(session, turn_id, reason)
