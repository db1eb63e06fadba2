"""Hand-off tickets to a human agent; transcripts and replies are stored with identifiers masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.privacy import redact_text
from bot.records.clock import now as china_now
from bot.records.models import HandoffTicket


@dataclass(frozen=True)
class TicketView:
    id: int
    channel: str
    channel_user_id: str
    reason: str
    transcript: list[dict]
    status: str
    created_at: datetime
    closed_at: datetime | None
    agent_replies: list[dict]


def open_ticket(session: Session, channel: str, channel_user_id: str, reason: str,
                transcript: list[dict], now: datetime | None = None) -> int:
    """Stores a ticket; transcript items are {"sender": "user"|"bot", "text": ...}. Returns its id."""
    ticket = HandoffTicket(channel=channel, channel_user_id=channel_user_id, reason=redact_text(reason),
                           transcript=[_masked(item) for item in transcript], status="open",
                           created_at=now or china_now(), agent_replies=[])
    session.add(ticket)
    session.flush()
    return ticket.id


def add_agent_reply(session: Session, ticket_id: int, agent: str, text: str, now: datetime | None = None) -> None:
    ticket = session.get(HandoffTicket, ticket_id)
    reply = {"at": (now or china_now()).isoformat(), "agent": agent, "text": redact_text(text)}
    ticket.agent_replies = [*ticket.agent_replies, reply]  # reassign so the JSON change is saved
    session.flush()


def close_ticket(session: Session, ticket_id: int, now: datetime | None = None) -> None:
    ticket = session.get(HandoffTicket, ticket_id)
    ticket.status, ticket.closed_at = "closed", now or china_now()
    session.flush()


def open_tickets(session: Session) -> list[TicketView]:
    query = select(HandoffTicket).where(HandoffTicket.status == "open").order_by(HandoffTicket.created_at)
    return [_view(t) for t in session.execute(query).scalars()]


def tickets_of(session: Session, channel_user_id: str) -> list[TicketView]:
    """Every ticket of one channel user, oldest first."""
    query = (select(HandoffTicket).where(HandoffTicket.channel_user_id == channel_user_id)
             .order_by(HandoffTicket.created_at, HandoffTicket.id))
    return [_view(t) for t in session.execute(query).scalars()]


def ticket(session: Session, ticket_id: int) -> TicketView | None:
    found = session.get(HandoffTicket, ticket_id)
    return _view(found) if found else None


def _masked(item: dict) -> dict:
    return {**item, "text": redact_text(str(item.get("text", "")))}


def _view(ticket: HandoffTicket) -> TicketView:
    return TicketView(ticket.id, ticket.channel, ticket.channel_user_id, ticket.reason, ticket.transcript,
                      ticket.status, ticket.created_at, ticket.closed_at, ticket.agent_replies)

