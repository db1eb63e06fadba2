"""Raw conversation text is anonymised after RETENTION_DAYS (default 180); counts and feedback stay.

What one run does, for everything older than the cut-off:
- tracker store (TRACKER_STORE_URL): user and bot messages lose their text (the intent, the time and
  the rest of the event stay, so stored conversations still load);
- 转人工 tickets: transcript, reason and agent replies are emptied (times and status stay);
- ops_turns: the question text is dropped (intent, entry, outcome, reply time stay);
- ops_feedback: the reason is dropped (the rating stays);
- ops_review_items not yet labelled: dropped. Labelled ones are training data and keep their text.
Run it with `python -m bot.ops retention`; the Rasa server also runs it at start and once a day.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.records.clock import CHINA
from bot.records.clock import now as china_now
from bot.records.models import HandoffTicket, OpsFeedback, OpsReviewItem, OpsTurn

DEFAULT_RETENTION_DAYS = 180
RETENTION_VARIABLE = "RETENTION_DAYS"
TEXT_EVENTS = ("user", "bot")
BATCH = 500


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    tracker_events: int = 0
    tickets: int = 0
    turns: int = 0
    feedback_reasons: int = 0
    review_items: int = 0


def retention_days() -> int:
    return int(os.environ.get(RETENTION_VARIABLE, DEFAULT_RETENTION_DAYS))


def cutoff(days: int | None = None, now: datetime | None = None) -> datetime:
    return (now or china_now()) - timedelta(days=retention_days() if days is None else days)


def anonymise_records(session: Session, before: datetime) -> dict[str, int]:
    """The records database's part: tickets, turns, feedback reasons, unlabelled review items."""
    turns = session.execute(update(OpsTurn).where(OpsTurn.at < before, OpsTurn.question.isnot(None))
                            .values(question=None)).rowcount
    reasons = session.execute(update(OpsFeedback).where(OpsFeedback.at < before, OpsFeedback.reason.isnot(None))
                              .values(reason=None)).rowcount
    items = session.execute(delete(OpsReviewItem).where(OpsReviewItem.at < before,
                                                        OpsReviewItem.status == "open")).rowcount
    tickets = 0
    for ticket in session.execute(select(HandoffTicket).where(HandoffTicket.created_at < before)).scalars():
        if ticket.transcript or ticket.agent_replies or ticket.reason:
            ticket.transcript, ticket.reason = [], ""
            ticket.agent_replies = [{**r, "text": ""} for r in ticket.agent_replies or []]
            tickets += 1
    session.flush()
    return {"turns": turns, "feedback_reasons": reasons, "review_items": items, "tickets": tickets}


def anonymise_tracker_store(engine: sqlalchemy.engine.Engine, before: datetime) -> int:
    """Empties the text of user and bot events stored before `before`, BATCH rows per transaction
    (the Rasa server keeps writing meanwhile); returns how many changed."""
    events = sqlalchemy.Table("events", sqlalchemy.MetaData(), autoload_with=engine)
    limit = before.replace(tzinfo=CHINA).timestamp()
    changed, after = 0, 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(select(events.c.id, events.c.data).where(
                events.c.id > after, events.c.type_name.in_(TEXT_EVENTS), events.c.timestamp < limit)
                .order_by(events.c.id).limit(BATCH)).all()
            for row_id, data in rows:
                blanked = blank_text(json.loads(data))
                if blanked is not None:
                    connection.execute(update(events).where(events.c.id == row_id).values(
                        data=json.dumps(blanked, ensure_ascii=False)))
                    changed += 1
        if len(rows) < BATCH:
            return changed
        after = rows[-1][0]


def blank_text(event: dict) -> dict | None:
    """The event without its text (and entity values); None when there was nothing to blank."""
    parse_data = event.get("parse_data") or {}
    if not event.get("text") and not parse_data.get("text") and not parse_data.get("entities"):
        return None
    event = {**event, "text": ""}
    if parse_data:
        event["parse_data"] = {**parse_data, "text": "", "entities": []}
    if event.get("event") == "user":
        event["entities"] = []
    return event


def run(days: int | None = None, records_url: str | None = None, tracker_url: str | None = None) -> RetentionReport:
    """One retention pass over the records database and the tracker store."""
    from bot.records.db import session_scope
    from bot.runtime.tracker_store import tracker_store_url

    before = cutoff(days)
    with session_scope(records_url) as session:
        counts = anonymise_records(session, before)
    engine = sqlalchemy.create_engine(tracker_url or tracker_store_url())
    try:
        tracked = anonymise_tracker_store(engine, before) if sqlalchemy.inspect(engine).has_table("events") else 0
    finally:
        engine.dispose()
    return RetentionReport(cutoff=before, tracker_events=tracked, **counts)
