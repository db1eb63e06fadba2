"""Users' ratings of answers and their 满意度 after a 转人工 ticket, as database rows.

A rating refers to the turn it rates (bot/ops/turns.py: intent, FAQ entry, confidence, channel,
time); a 👎 also puts the question in the review queue. Reasons are redacted and one line long.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ops import queue
from bot.privacy import redact_text
from bot.records.clock import now as china_now
from bot.records.models import HandoffTicket, OpsFeedback, OpsSurvey, OpsTurn

REASON_MAX_CHARS = 200
# A digit 1–5 counts as the 满意度 answer within this time after the ticket closed.
SURVEY_ANSWER_WINDOW = timedelta(hours=24)


def one_line(text: str) -> str:
    return redact_text(" ".join(text.split()))[:REASON_MAX_CHARS]


def rate(session: Session, turn_id: str, rating: int, reason: str | None = None) -> bool:
    """Records (or changes) the rating of one answer: +1 helped, -1 did not. False for an unknown turn."""
    if rating not in (1, -1) or session.get(OpsTurn, turn_id) is None:
        return False
    row = session.execute(select(OpsFeedback).where(OpsFeedback.turn_id == turn_id)).scalar()
    if row is None:
        row = OpsFeedback(turn_id=turn_id, rating=rating, at=china_now())
        session.add(row)
    row.rating = rating
    if reason is not None and reason.strip():
        row.reason = one_line(reason)
    session.flush()
    if rating < 0:
        queue.enqueue(session, turn_id, "unhelpful")
    return True


def add_reason(session: Session, turn_id: str, reason: str) -> None:
    row = session.execute(select(OpsFeedback).where(OpsFeedback.turn_id == turn_id)).scalar()
    if row is not None and reason.strip():
        row.reason = one_line(reason)
        session.flush()


def ask_satisfaction(session: Session, ticket_id: int) -> None:
    """Called when a ticket closes: its user's next 1–5 is the 满意度 of that service."""
    if session.get(OpsSurvey, ticket_id) is None:
        session.add(OpsSurvey(ticket_id=ticket_id, asked_at=china_now()))
        session.flush()


def answer_satisfaction(session: Session, conversation_id: str, score: int) -> bool:
    """Stores `score` for the conversation's latest unanswered survey; False when none is waiting."""
    since = china_now() - SURVEY_ANSWER_WINDOW
    query = (select(OpsSurvey).join(HandoffTicket, HandoffTicket.id == OpsSurvey.ticket_id)
             .where(HandoffTicket.channel_user_id == conversation_id, OpsSurvey.score.is_(None),
                    OpsSurvey.asked_at >= since)
             .order_by(OpsSurvey.asked_at.desc()).limit(1))
    survey = session.execute(query).scalar()
    if survey is None or not 1 <= score <= 5:
        return False
    survey.score, survey.answered_at = score, china_now()
    session.flush()
    return True
