"""WeChat Official Account webhook: Rasa channel `wechat` at /webhooks/wechat/webhook.

Settings come from the environment: WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_AES_KEY
(43 characters; when set the account must be in safe mode), WECHAT_AES_KEY_PREVIOUS (accepted
while keys rotate), optional REDIS_URL (dedup, continuations and the access token shared by all
workers) and WECHAT_API_BASE_URL (an API proxy). Without WECHAT_TOKEN the channel answers 403 to
everything rather than stopping the server.

Order of work for a POST: signature (msg_signature in safe mode) -> timestamp window -> one body per
(timestamp, nonce) (bot/channels/replay.py) -> decrypt -> parse -> dedup -> bot. Rejected requests get 400/403/413, never 500; a failure after
authentication answers 200 "success" so that WeChat does not retry a poison message.
The protocol itself lives in bot/channels/wechat_protocol.py; `CallbackChannel` is shared with
the WeCom channel (bot/channels/wecom.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import wechatpy
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import WeChatCrypto

from bot import access
from bot.channels.numbered import NumberedChoices
from bot.channels.replay import claim_nonce, make_nonces
from bot.channels.silence import silent_reply
from bot.channels.wechat_protocol import (
    MAX_BODY_BYTES,
    MENU_CLICK_INTENTS,
    NO_MORE_TEXT,
    SUCCESS,
    AsyncSender,
    CallbackConfig,
    CallbackQuery,
    Inbound,
    MessageCipher,
    ReplyCoordinator,
    RequestRejected,
    check_body_size,
    classify_message,
    decode_body,
    dedup_key,
    extract_encrypt,
    is_continue_request,
    make_stores,
    mask_user,
    official_account_sender,
    paginate,
    parse_callback_xml,
    render_bot_messages,
    render_text_reply,
    split_pages,
    verify_signature,
    verify_timestamp,
)
from bot.identity import ChannelUser
from bot.ops import turns
from bot.ops.chat import ChatFeedback
from bot.runtime.startup import prepare_rasa_server

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
MAX_ECHOSTR_CHARS = 512


@dataclass(frozen=True)
class Verified:
    """An authenticated, parsed callback and how to encrypt the answer."""

    message: Any
    encrypted: bool
    key_index: int = 0


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """Reads at most `limit` bytes; the route streams, so a huge body is never buffered."""
    check_body_size(request.headers.get("content-length"), limit)
    if request.body or request.stream is None:
        body = request.body or b""
        if len(body) > limit:
            raise RequestRejected(413, "body too large")
        return body
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream:
        size += len(chunk)
        if size > limit:
            request.stream.keep_alive = False  # the rest stays unread: close the connection
            raise RequestRejected(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


class CallbackChannel(InputChannel):
    """WeChat-style callback handling shared by the Official Account and WeCom channels."""

    parser: Callable[[str], Any] = staticmethod(wechatpy.parse_message)
    crypto_class: type = WeChatCrypto

    def __init__(self, config: CallbackConfig, sender: AsyncSender | None = None) -> None:
        self.config = config
        self.cipher = self._make_cipher(config)
        dedup, self.continuations = make_stores(config.redis_url, f"yibao:{self.name()}")
        self.nonces = make_nonces(config.redis_url, f"yibao:{self.name()}")
        self.coordinator = ReplyCoordinator(dedup, config.wait_seconds)
        self.choices = NumberedChoices()
        self.feedback = ChatFeedback()
        self.sender = sender
        self.click_intents: Mapping[str, str] = MENU_CLICK_INTENTS
        if not config.enabled:
            logger.warning("%s channel is not configured: every callback will get 403", self.name())

    def _make_cipher(self, config: CallbackConfig) -> MessageCipher | None:
        if not (config.enabled and config.aes_keys):
            return None
        return MessageCipher(config.token, config.aes_keys, config.receiver_id, self.crypto_class)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        hook = Blueprint(f"{self.name()}_callback", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.config.enabled})

        @hook.route("/webhook", methods=["GET", "POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        return hook

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        query = CallbackQuery.from_args(request.args)
        try:
            if request.method == "GET":
                return response.text(self.verify_url(query))
            verified = await self.authenticate(request, query)
        except RequestRejected as rejected:
            logger.info("%s callback rejected: %s", self.name(), rejected.reason)
            return response.text(rejected.reason, status=rejected.status)
        except Exception:  # noqa: BLE001 - an unexpected parse problem is still a bad request
            logger.exception("%s callback could not be read", self.name())
            return response.text("bad request", status=400)
        try:
            return await self.answer(verified, query, on_new_message)
        except Exception:  # noqa: BLE001 - "success" stops WeChat retrying a poison message
            logger.exception("%s callback failed after authentication", self.name())
            return response.text(SUCCESS)

    # ------------------------------------------------------------ authentication

    def _require_configured(self) -> None:
        if not self.config.enabled:
            raise RequestRejected(403, "channel not configured")

    def verify_url(self, query: CallbackQuery) -> str:
        """Official Account URL check (always plain): echo `echostr` for a valid signature."""
        self._require_configured()
        verify_signature(query.signature, self.config.token, query.timestamp, query.nonce)
        verify_timestamp(query.timestamp)
        if not query.echostr or len(query.echostr) > MAX_ECHOSTR_CHARS or not query.echostr.isalnum():
            raise RequestRejected(400, "bad echostr")
        return query.echostr

    def _is_encrypted(self, query: CallbackQuery) -> bool:
        encrypted = self.config.always_encrypted or query.encrypt_type == "aes"
        if encrypted and not self.cipher:
            raise RequestRejected(400, "encryption not configured")
        if self.cipher and not encrypted:
            raise RequestRejected(403, "plain callback refused in safe mode")  # no downgrade
        return encrypted

    async def authenticate(self, request: Request, query: CallbackQuery) -> Verified:
        self._require_configured()
        encrypted = self._is_encrypted(query)
        if query.signature or not encrypted:  # plain signature: checked before the body is read
            verify_signature(query.signature, self.config.token, query.timestamp, query.nonce)
        body = await read_body(request)
        encrypt = extract_encrypt(body) if encrypted else ""
        if encrypted:
            verify_signature(query.msg_signature, self.config.token, query.timestamp, query.nonce, encrypt)
        verify_timestamp(query.timestamp)
        await claim_nonce(self.nonces, query.timestamp, query.nonce, body)  # after the signature: no flooding
        if not encrypted:
            return Verified(parse_callback_xml(decode_body(body), self.parser), False)
        xml, key_index = self.cipher.decrypt(encrypt, query.msg_signature, query.timestamp, query.nonce)
        return Verified(parse_callback_xml(xml, self.parser), True, key_index)

    # ------------------------------------------------------------ answering

    async def answer(self, verified: Verified, query: CallbackQuery, on_new_message: OnNewMessage) -> HTTPResponse:
        message = verified.message
        if getattr(message, "event", "") == "unsubscribe":  # who leaves the account leaves no binding
            await asyncio.to_thread(access.unbind, access.Asker(ChannelUser.of(self.name(), message.source)))
        inbound = classify_message(message, self.click_intents)
        if inbound.kind == "ignore":
            return response.text(SUCCESS)
        user = message.source
        page = await self.coordinator.respond(
            dedup_key(message),
            work=partial(self.produce, user, inbound, on_new_message),
            finish_passive=partial(self.first_page, user),
            deliver_async=partial(self.deliver_late, user),
        )
        if not page:
            return response.text(SUCCESS)
        xml = render_text_reply(user, message.target, page)
        if verified.encrypted:
            xml = self.cipher.encrypt(xml, query.nonce, key_index=verified.key_index)
        return response.text(xml, content_type="application/xml; charset=utf-8")

    async def produce(self, user: str, inbound: Inbound, on_new_message: OnNewMessage) -> str | None:
        """The whole answer text for one message (before any cut)."""
        if inbound.kind == "reply":
            return inbound.text
        if not inbound.trusted and is_continue_request(inbound.text):
            return await self.continuations.pop(user) or NO_MORE_TEXT
        await self.continuations.discard(user)
        text = inbound.text if inbound.trusted else self.choices.resolve(user, inbound.text)
        collector = CollectingOutputChannel()
        # The conversation is "wechat:<OpenID>" (or "wecom:<UserID>"): the platform's signature proved
        # the id, and no other channel can produce this prefix (bot/identity.py).
        conversation_id = ChannelUser.of(self.name(), user).conversation_id
        feedback_reply = None if inbound.trusted else await self.feedback.before(conversation_id, inbound.text, text)
        if feedback_reply:  # 「没帮到我」, its reason, a 满意度 score: recorded, not sent to Rasa
            return feedback_reply
        turn = turns.begin(self.name(), text)
        await on_new_message(UserMessage(text, collector, conversation_id, input_channel=self.name()))
        self.feedback.after(conversation_id, turn, collector.messages)
        answer, buttons = render_bot_messages(collector.messages)
        if not answer:
            answer = await asyncio.to_thread(silent_reply, conversation_id)
        self.choices.remember(user, buttons)
        return "\n".join(part for part in (inbound.prefix, answer) if part) or None

    async def first_page(self, user: str, full: str) -> str:
        page, rest = paginate(full)
        if rest:
            await self.continuations.put(user, rest)
        return page

    async def deliver_late(self, user: str, full: str) -> None:
        pages, rest = split_pages(full)
        if rest:
            await self.continuations.put(user, rest)
        if self.sender is None:
            logger.warning("late reply to %s dropped: no app secret configured", mask_user(user))
            return
        await self.sender.deliver(user, pages)


def wechat_config(env: Mapping[str, str]) -> CallbackConfig:
    current = env.get("WECHAT_AES_KEY", "").strip()
    previous = env.get("WECHAT_AES_KEY_PREVIOUS", "").strip()
    keys = tuple(key for key in (current, previous) if key) if current else ()
    return CallbackConfig(
        token=env.get("WECHAT_TOKEN", "").strip(),
        receiver_id=env.get("WECHAT_APP_ID", "").strip(),
        aes_keys=keys,
        secret=env.get("WECHAT_APP_SECRET", "").strip(),
        redis_url=env.get("REDIS_URL", "").strip(),
        api_base_url=env.get("WECHAT_API_BASE_URL", "").strip(),
    )


class WeChatInput(CallbackChannel):
    """Official Account (公众号) callbacks; the conversation id is "wechat:<OpenID>"."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        prepare_rasa_server()
        config = wechat_config(os.environ)
        return cls(config, official_account_sender(config))
