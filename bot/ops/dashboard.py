"""The dashboard's figures for a date range, from the operator tables and the 转人工 tickets.

Every user message the channels recorded is one row of ops_turns (bot/ops/turns.py), so the counts
are exact and cheap; the tracker store is not read. Dates are Beijing dates (bot/records/clock.py).
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.clock import today as china_today
from bot.records.models import HandoffTicket, OpsFeedback, OpsSurvey, OpsTurn

DEFAULT_DAYS = 7
MAX_DAYS = 366
TOP = 10
TOP_UNANSWERED = 20
UNANSWERED_OUTCOMES = ("clarified", "refused")


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> DateRange:
        """From the page's ?from=&to= (YYYY-MM-DD); the last DEFAULT_DAYS days when missing."""
        last = date.fromisoformat(end) if end else china_today()
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            first, last = last, first
        return cls(max(first, last - timedelta(days=MAX_DAYS - 1)), last)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.combine(self.start, time.min), datetime.combine(self.end + timedelta(days=1), time.min)


@dataclass
class Figures:
    period: DateRange
    messages: int = 0
    per_day: dict[date, Counter] = field(default_factory=dict)
    channels: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    top_faq: list[tuple[str, int]] = field(default_factory=list)
    p50_reply_ms: float | None = None
    p95_reply_ms: float | None = None
    handoffs: int = 0
    wait_median_minutes: float | None = None
    waits_answered: int = 0
    helpful: int = 0
    unhelpful: int = 0
    satisfaction_mean: float | None = None
    satisfaction_count: int = 0
    unanswered: list[tuple[str, int]] = field(default_factory=list)

    def rate(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.messages if self.messages else 0.0


def figures(session: Session, period: DateRange) -> Figures:
    low, high = period.bounds()
    rows = session.execute(select(OpsTurn.at, OpsTurn.channel, OpsTurn.intent, OpsTurn.faq_key, OpsTurn.outcome,
                                  OpsTurn.reply_ms, OpsTurn.question)
                           .where(OpsTurn.at >= low, OpsTurn.at < high)).all()
    result = Figures(period=period, messages=len(rows))
    _count_turns(result, rows)
    _count_handoffs(result, session, low, high)
    _count_feedback(result, session, low, high)
    result.unanswered = top_unanswered(session, period)
    return result


def _count_turns(result: Figures, rows: list) -> None:
    result.per_day = {day: Counter() for day in result.period.days}
    for row in rows:
        result.per_day.setdefault(row.at.date(), Counter())[row.channel] += 1
    result.channels = sorted({row.channel for row in rows})
    result.outcomes = Counter(row.outcome for row in rows)
    answered = [row for row in rows if row.outcome == "answered"]
    result.top_intents = Counter(row.intent for row in answered if row.intent).most_common(TOP)
    result.top_faq = Counter(row.faq_key for row in answered if row.faq_key).most_common(TOP)
    times = sorted(row.reply_ms for row in rows if row.reply_ms is not None)
    result.p50_reply_ms, result.p95_reply_ms = percentile(times, 50), percentile(times, 95)
    result.handoffs = result.outcomes["handoff"]


def _count_handoffs(result: Figures, session: Session, low: datetime, high: datetime) -> None:
    tickets = session.execute(select(HandoffTicket.created_at, HandoffTicket.agent_replies)
                              .where(HandoffTicket.created_at >= low, HandoffTicket.created_at < high)).all()
    waits = sorted(w for w in (_wait_minutes(t.created_at, t.agent_replies) for t in tickets) if w is not None)
    result.waits_answered = len(waits)
    result.wait_median_minutes = percentile(waits, 50)


def _count_feedback(result: Figures, session: Session, low: datetime, high: datetime) -> None:
    ratings = session.execute(select(OpsFeedback.rating).where(OpsFeedback.at >= low, OpsFeedback.at < high))
    counts = Counter(rating for (rating,) in ratings)
    result.helpful, result.unhelpful = counts[1], counts[-1]
    scores = [s for (s,) in session.execute(select(OpsSurvey.score).where(
        OpsSurvey.answered_at >= low, OpsSurvey.answered_at < high, OpsSurvey.score.isnot(None)))]
    result.satisfaction_count = len(scores)
    result.satisfaction_mean = sum(scores) / len(scores) if scores else None


def top_unanswered(session: Session, period: DateRange, limit: int = TOP_UNANSWERED) -> list[tuple[str, int]]:
    """The questions most often asked back about, refused or rated unhelpful (redacted text)."""
    low, high = period.bounds()
    asked_back = session.execute(select(OpsTurn.question).where(
        OpsTurn.at >= low, OpsTurn.at < high, OpsTurn.outcome.in_(UNANSWERED_OUTCOMES))).scalars()
    disliked = session.execute(select(OpsTurn.question).join(OpsFeedback, OpsFeedback.turn_id == OpsTurn.id)
                               .where(OpsFeedback.rating < 0, OpsFeedback.at >= low, OpsFeedback.at < high)).scalars()
    counts = Counter(" ".join(q.split()) for q in [*asked_back, *disliked] if q)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _wait_minutes(created: datetime, replies: list[dict] | None) -> float | None:
    """Minutes from the ticket to the first agent's reply (the closing message does not count)."""
    times = [datetime.fromisoformat(r["at"]) for r in replies or [] if r.get("agent") != "system" and r.get("at")]
    return (min(times) - created).total_seconds() / 60 if times else None


def percentile(sorted_values: list, pct: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return float(sorted_values[rank - 1])


def to_csv(result: Figures) -> str:
    """Long format: section, date, key, value — one line per figure."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "date", "key", "value"])
    for day, counter in sorted(result.per_day.items()):
        for channel in result.channels:
            writer.writerow(["messages", day.isoformat(), channel, counter[channel]])
    for outcome, count in sorted(result.outcomes.items()):
        writer.writerow(["outcomes", "", outcome, count])
    for section, pairs in (("top_intents", result.top_intents), ("top_faq", result.top_faq),
                           ("unanswered", result.unanswered)):
        for key, count in pairs:
            writer.writerow([section, "", key, count])
    for key, value in summary(result).items():
        writer.writerow(["summary", "", key, "" if value is None else value])
    return out.getvalue()


def summary(result: Figures) -> dict[str, float | int | None]:
    return {"messages": result.messages, "clarify_rate": round(result.rate("clarified"), 4),
            "refuse_rate": round(result.rate("refused"), 4), "handoffs": result.handoffs,
            "handoff_rate": round(result.rate("handoff"), 4), "wait_median_minutes": result.wait_median_minutes,
            "p50_reply_ms": result.p50_reply_ms, "p95_reply_ms": result.p95_reply_ms,
            "helpful": result.helpful, "unhelpful": result.unhelpful,
            "satisfaction_mean": None if result.satisfaction_mean is None else round(result.satisfaction_mean, 2),
            "satisfaction_count": result.satisfaction_count}


def per_channel_totals(result: Figures) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for counter in result.per_day.values():
        for channel, count in counter.items():
            totals[channel] += count
    return dict(totals)
