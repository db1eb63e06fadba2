"""REST channel that treats every request as untrusted input.

Rasa's stock RestInput trusts the client's `input_channel` and `metadata`, lets any text use the
"/intent{...}" syntax (which can fill slots from entities), and logs the raw message text on errors.
This one accepts button payloads of known intents only, answers empty or oversized messages
politely without running the model, and never logs message text. The client's `sender` never is the
conversation id: the server prefixes it ("rest:<sender>"), or takes "web:<id>" from the web page's
signed cookie, so a REST client cannot write into a WeChat user's conversation. Only
application/json bodies are accepted (415 otherwise). Bodies are read as a stream and
capped at MAX_BODY_BYTES (413): Sanic would otherwise buffer and parse up to 100 MB per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.constants import USER_INTENT_BACK, USER_INTENT_RESTART, USER_INTENT_SESSION_START
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.numbered import NumberedChoices, render_message_texts
from bot.channels.rate_limit import RateLimiter, client_address, trusted_proxies
from bot.channels.silence import silent_reply
from bot.channels.web_identity import user_from_cookie
from bot.channels.wechat import read_body
from bot.channels.wechat_protocol import RequestRejected
from bot.identity import ChannelUser
from bot.ops import turns
from bot.ops.chat import ChatFeedback
from bot.replies import response_text
from bot.runtime.startup import prepare_rasa_server

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
# A message is at most MAX_MESSAGE_CHARS; the cap leaves room for a pasted ~100 KB text (even as
# \uXXXX escapes) to get the polite "too long" answer, and refuses anything bigger unread.
MAX_BODY_BYTES = 256 * 1024
# Rasa's own commands: "/restart" etc. would reset the conversation and answer nothing (the user
# would see 系统繁忙). Typed, they are text like any other "/..." that is not a button.
COMMAND_INTENTS = frozenset({USER_INTENT_RESTART, USER_INTENT_BACK, USER_INTENT_SESSION_START})
BUTTON_PAYLOAD = re.compile(r"^/([a-z_]{2,40})$")
FULLWIDTH_SLASH = "／"
EMPTY_REPLY = "请输入您想咨询的医保问题，例如「异地就医怎么备案」。回复「菜单」可查看全部功能。"
TOO_LONG_REPLY = f"您的消息太长了（超过{MAX_MESSAGE_CHARS}字），请精简后分几次发送，我会逐条为您解答。"
BAD_REQUEST = '请求格式错误：需要JSON对象，例如 {"sender": "用户标识", "message": "您的问题"}。'
TOO_MANY = response_text("utter_too_many")
NOT_JSON = "请求格式错误：Content-Type 必须是 application/json。"
TOO_LARGE = f"请求过大：请求体不能超过{MAX_BODY_BYTES // 1024} KB，单条消息不超过{MAX_MESSAGE_CHARS}字。"


def clean_text(text: str) -> str:
    """Drops control characters (keeps line breaks) and surrounding whitespace."""
    kept = (ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "".join(kept).strip()


def neutralise_intent_syntax(text: str, allowed_intents: frozenset[str]) -> str:
    """Keeps '/intent' button payloads of known intents; any other leading '/' becomes text."""
    match = BUTTON_PAYLOAD.match(text)
    if match and match.group(1) in allowed_intents:
        return text
    return FULLWIDTH_SLASH + text[1:] if text.startswith("/") else text


class SafeRestInput(RestInput):
    """`/webhooks/rest/webhook` with input checks; used by the web page, tests and benchmarks."""

    allowed_intents: frozenset[str] = frozenset()
    limiter: RateLimiter = RateLimiter(0)
    proxies: list = []
    choices: NumberedChoices = NumberedChoices()
    feedback: ChatFeedback = ChatFeedback()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SafeRestInput:
        prepare_rasa_server()
        channel = cls()
        channel.limiter = RateLimiter.from_env()
        channel.choices = NumberedChoices()
        channel.feedback = ChatFeedback()
        channel.proxies = trusted_proxies()
        channel.allowed_intents = frozenset((credentials or {}).get("button_intents", []) or [])
        return channel

    def _payload_intents(self, request: Request) -> frozenset[str]:
        if self.allowed_intents:
            return self.allowed_intents
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        return frozenset(domain.intents) - COMMAND_INTENTS if domain else frozenset()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("safe_rest_webhook", __name__)
        self._on_new_message = on_new_message

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not _is_json(request):  # a cross-site form or text/plain fetch needs no CORS preflight
                return response.json({"error": NOT_JSON}, status=415)
            client = client_address(request.ip, request.headers.get("x-forwarded-for"), self.proxies)
            if not self.limiter.allow(client):
                return response.json({"error": TOO_MANY}, status=429, headers={"Retry-After": "10"})
            try:
                body = _json_object(await read_body(request, MAX_BODY_BYTES))
            except RequestRejected as rejected:
                return response.json({"error": TOO_LARGE if rejected.status == 413 else BAD_REQUEST},
                                     status=rejected.status)
            sender, text = (body or {}).get("sender"), (body or {}).get("message")
            if not _valid_sender(sender) or not isinstance(text, str):
                return response.json({"error": BAD_REQUEST}, status=400)
            messages = await self._converse(request, conversation_of(request, sender), text)
            # The client sees its own sender as recipient; the conversation id stays server-side.
            return response.json([{**m, "recipient_id": sender} for m in messages])

        return webhook

    async def _converse(self, request: Request, conversation_id: str, text: str) -> list[dict[str, Any]]:
        """The bot's messages for one REST/web message (a polite answer when there are none)."""
        text = clean_text(text)
        if not text:
            return [{"text": EMPTY_REPLY}]
        if len(text) > MAX_MESSAGE_CHARS:
            return [{"text": TOO_LONG_REPLY}]
        # 「菜单」 and a bare number pick from the options this conversation was last shown, as on WeChat.
        resolved = self.choices.resolve(conversation_id, text)
        feedback_reply = await self.feedback.before(conversation_id, text, resolved)
        if feedback_reply:  # 「没帮到我」, its reason, a 满意度 score: recorded, not sent to Rasa
            return [{"text": feedback_reply}]
        text = neutralise_intent_syntax(resolved, self._payload_intents(request))
        collector = CollectingOutputChannel()
        turn = turns.begin(ChannelUser.parse(conversation_id).channel, text)
        try:
            await self._on_new_message(UserMessage(text, collector, conversation_id, input_channel=self.name()))
        except Exception:  # noqa: BLE001 - the user still gets an answer; text is not logged
            logger.exception("rest message failed for one sender")
        self.feedback.after(conversation_id, turn, collector.messages, web_page=conversation_id.startswith("web:"))
        if not collector.messages:
            return [{"text": await asyncio.to_thread(silent_reply, conversation_id)}]
        self.choices.remember(conversation_id, render_message_texts(collector.messages)[1])
        return collector.messages


def conversation_of(request: Request, sender: str) -> str:
    """The server's conversation id: "web:<id>" from the page's signed cookie, else "rest:<sender>".
    The prefix keeps every REST sender apart from WeChat, WeCom and web users (bot/identity.py)."""
    web_user = user_from_cookie(request.cookies)
    return ChannelUser.of("web", web_user).conversation_id if web_user else ChannelUser.of("rest", sender).conversation_id


def _is_json(request: Request) -> bool:
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    return media_type == "application/json"


def _json_object(raw: bytes) -> dict | None:
    try:
        body = json.loads(raw)
    except Exception:  # noqa: BLE001 - bad UTF-8, bad JSON, nesting too deep: the client's malformed body
        return None
    return body if isinstance(body, dict) else None


def _valid_sender(sender: object) -> bool:
    return isinstance(sender, str) and 0 < len(sender) <= MAX_SENDER_CHARS and sender.isprintable()
