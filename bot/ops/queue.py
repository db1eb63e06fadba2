"""The review queue: questions the assistant guessed at, asked back about, refused, was told it did
not help with, or handed to a person. An operator labels each with the right intent or FAQ entry, or
marks that a new answer is needed; bot/ops/export.py turns the labels into training data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.clock import now as china_now
from bot.records.models import OpsReviewItem, OpsTurn

REASONS = {"low_confidence": "置信度低", "clarified": "反问澄清", "refused": "拒答", "unhelpful": "用户说没帮到",
           "handoff": "转人工"}
STATUSES = ("open", "labelled", "exported")
OVERRIDING_REASONS = frozenset({"unhelpful", "handoff"})


@dataclass(frozen=True)
class ReviewItem:
    id: int
    at: datetime
    reason: str
    question: str
    predicted_intent: str | None
    confidence: float | None
    status: str
    label_intent: str | None
    label_faq_key: str | None
    new_answer_needed: bool
    labelled_by: str | None

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)


def enqueue(session: Session, turn_id: str, reason: str) -> int | None:
    """Queues the turn's question (one item per turn; a later 'unhelpful' or 'handoff' replaces the reason:
    what the user did says more than what the model did)."""
    turn = session.get(OpsTurn, turn_id)
    if turn is None or not turn.question:
        return None
    existing = session.execute(select(OpsReviewItem).where(OpsReviewItem.turn_id == turn_id)).scalar()
    if existing is not None:
        if reason in OVERRIDING_REASONS and existing.status == "open":
            existing.reason = reason
        return existing.id
    item = OpsReviewItem(turn_id=turn_id, at=turn.at, reason=reason, question=turn.question,
                         predicted_intent=turn.intent, confidence=turn.confidence, status="open",
                         new_answer_needed=False)
    session.add(item)
    session.flush()
    return item.id


def items(session: Session, status: str = "open", limit: int = 200) -> list[ReviewItem]:
    query = (select(OpsReviewItem).where(OpsReviewItem.status == status, OpsReviewItem.question.isnot(None))
             .order_by(OpsReviewItem.at.desc(), OpsReviewItem.id.desc()).limit(limit))
    return [_view(row) for row in session.execute(query).scalars()]


def label(session: Session, item_id: int, operator: str, intent: str | None = None,
          faq_key: str | None = None, new_answer_needed: bool = False) -> ReviewItem:
    """Stores an operator's label; an FAQ entry implies its intent (the part before the '/')."""
    item = session.get(OpsReviewItem, item_id)
    if item is None or item.status == "exported":
        raise LookupError(f"待审问题 {item_id} 不存在或已导出")
    if faq_key:
        intent = faq_key.split("/", 1)[0]
    if not intent and not new_answer_needed:
        raise ValueError("请选择正确的意图或知识条目，或标记「需要新答案」")
    item.label_intent, item.label_faq_key, item.new_answer_needed = intent or None, faq_key or None, new_answer_needed
    item.status, item.labelled_by, item.labelled_at = "labelled", operator, china_now()
    session.flush()
    return _view(item)


def labelled(session: Session) -> list[ReviewItem]:
    query = select(OpsReviewItem).where(OpsReviewItem.status == "labelled").order_by(OpsReviewItem.id)
    return [_view(row) for row in session.execute(query).scalars()]


def mark_exported(session: Session, item_ids: list[int]) -> None:
    moment = china_now()
    for item in session.execute(select(OpsReviewItem).where(OpsReviewItem.id.in_(item_ids))).scalars():
        item.status, item.exported_at = "exported", moment
    session.flush()


def _view(row: OpsReviewItem) -> ReviewItem:
    return ReviewItem(row.id, row.at, row.reason, row.question or "", row.predicted_intent, row.confidence,
                      row.status, row.label_intent, row.label_faq_key, bool(row.new_answer_needed),
                      row.labelled_by)
