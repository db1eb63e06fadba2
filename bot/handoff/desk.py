"""The human agent's side of 转人工: read open tickets, reply into the user's channel, close and resume.

The bot paused the conversation when it opened the ticket (ConversationPaused); closing the ticket
appends ConversationResumed through Rasa's HTTP API (`rasa run --enable-api`), so the bot answers
that user again. Replies reach WeChat and WeCom users through the customer-service message API; web
and REST users fetch them from /chat/replies (the chat page polls it).
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.identity import ChannelUser
from bot.ops import feedback
from bot.privacy import redact_text
from bot.records import handoff
from bot.records.db import session_scope
from bot.records.models import HandoffTicket
from bot.replies import response_text
from bot.secrets import RASA_JWT_SECRET, secret

CLOSING_TEXT = response_text("utter_handoff_closed")
POLLED_CHANNELS = frozenset({"rest", "web", "webchat"})


API_TOKEN_SECONDS = 300


def api_token(secret_value: str | None = None, now: float | None = None) -> str:
    """A short-lived JWT for Rasa's HTTP API (`rasa run --jwt-secret`), role admin. It travels in the
    Authorization header: Rasa's auth-token option is read from the URL only, where proxies log it."""
    import jwt

    issued = int(time.time() if now is None else now)
    claims = {"user": {"username": "agent-console", "role": "admin"}, "iat": issued,
              "exp": issued + API_TOKEN_SECONDS}
    return jwt.encode(claims, secret_value or secret(RASA_JWT_SECRET), algorithm="HS256")


@dataclass(frozen=True)
class RasaConversations:
    """Rasa's HTTP API for one server: the messages a paused user sent, and resuming them. The JWT
    secret comes from RASA_JWT_SECRET, or var/ where `make serve` generated it."""

    base_url: str = os.environ.get("RASA_URL", "http://127.0.0.1:5005")

    def _url(self, sender: str, suffix: str) -> str:
        # ":" stays as it is: Rasa takes the path segment literally, and conversation ids are "wechat:…"
        return f"{self.base_url}/conversations/{urllib.parse.quote(sender, safe=':')}/tracker{suffix}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_token()}"}

    def messages_since_pause(self, sender: str) -> list[str]:
        request = urllib.request.Request(self._url(sender, ""), headers=self._headers())
        with urllib.request.urlopen(request, timeout=10) as reply:
            events = json.load(reply).get("events", [])
        return user_texts_after_pause(events)

    def resume(self, sender: str) -> None:
        # action_listen after resume: the next message starts a fresh turn instead of continuing
        # the unanswered messages sent while paused.
        body = json.dumps([{"event": "resume"}, {"event": "action", "name": "action_listen"}]).encode()
        request = urllib.request.Request(self._url(sender, "/events"), data=body, method="POST",
                                         headers={"Content-Type": "application/json", **self._headers()})
        with urllib.request.urlopen(request, timeout=10):
            pass


def user_texts_after_pause(events: list[dict[str, Any]]) -> list[str]:
    """What the user wrote after the last pause, masked (the agent needs the question, not the ID)."""
    paused_at = max((i for i, e in enumerate(events) if e.get("event") == "pause"), default=-1)
    return [redact_text(e.get("text") or "") for e in events[paused_at + 1:] if e.get("event") == "user"]


Deliver = Callable[[str, str, str], bool]


def deliver_to_channel(channel: str, user: str, text: str) -> bool:
    """Sends the agent's text to a WeChat/WeCom user (`user`: the OpenID/UserID or the conversation
    id "wechat:<OpenID>" a ticket keeps); web users poll, so they need nothing here."""
    if channel in POLLED_CHANNELS:
        return True
    user = ChannelUser.parse(user).user_id if user.startswith(f"{channel}:") else user
    import asyncio

    from bot.channels.wechat_protocol import official_account_sender, wecom_sender

    if channel == "wechat":
        from bot.channels.wechat import wechat_config
        sender = official_account_sender(wechat_config(os.environ))
    elif channel == "wecom":
        from bot.channels.wecom import wecom_config
        sender = wecom_sender(wecom_config(os.environ))
    else:
        return False
    return bool(sender and asyncio.run(sender.deliver(user, [text])))


def reply(ticket_id: int, agent: str, text: str, deliver: Deliver = deliver_to_channel) -> bool:
    """Stores the agent's reply on the ticket and sends it; False when the channel could not take it."""
    with session_scope() as session:
        ticket = _open_ticket(session, ticket_id)
        handoff.add_agent_reply(session, ticket_id, agent, text)
        channel, user = ticket.channel, ticket.channel_user_id
    return deliver(channel, user, redact_text(text))


def close(ticket_id: int, conversations: Any, deliver: Deliver = deliver_to_channel) -> None:
    """Closes the ticket, tells the user, and lets the bot answer them again."""
    with session_scope() as session:
        ticket = _open_ticket(session, ticket_id)
        handoff.add_agent_reply(session, ticket_id, "system", CLOSING_TEXT)
        handoff.close_ticket(session, ticket_id)
        feedback.ask_satisfaction(session, ticket_id)  # the user's next 1–5 (bot/ops/chat.py)
        channel, user = ticket.channel, ticket.channel_user_id
    conversations.resume(user)
    deliver(channel, user, CLOSING_TEXT)


def replies_for(channel_user_id: str, after: int = 0) -> list[dict[str, str]]:
    """Agent replies to a web/REST user across their tickets, oldest first, from index `after`."""
    with session_scope() as session:
        tickets = [t for t in handoff.tickets_of(session, channel_user_id) if t.channel in POLLED_CHANNELS]
    replies = [{"text": r["text"], "at": r["at"]} for t in tickets for r in t.agent_replies]
    return replies[max(after, 0):]


def _open_ticket(session: Any, ticket_id: int) -> HandoffTicket:
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None or ticket.status != "open":
        raise LookupError(f"工单 {ticket_id} 不存在或已关闭")
    return ticket
