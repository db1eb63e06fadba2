"""Serves the WeChat-style web chat page at /chat (the page talks to the REST channel).

Registered in credentials.yml like any channel. Its blueprint is mounted at the server root
(url_prefix "/"), so the page lives at http://127.0.0.1:5005/chat next to Rasa's own routes.
Everything is served from this package: no CDN, no build step.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.web_identity import cookie_header, new_cookie_value, user_from_cookie
from bot.handoff import desk as handoff_desk
from bot.identity import ChannelUser
from bot.ops.chat import ChatFeedback
from bot.replies import response_text
from bot.runtime.startup import prepare_rasa_server

PAGE_DIR = Path(__file__).resolve().parent / "web"


def chat_page_html() -> str:
    """The page, with the text it shows when the server cannot be reached taken from the reply layer."""
    page = (PAGE_DIR / "chat.html").read_text(encoding="utf-8")
    return page.replace("<body>", f'<body data-busy-text="{html.escape(response_text("utter_busy"))}">', 1)
# Everything the page needs comes from this server; no framing (clickjacking), no MIME sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MAX_FEEDBACK_BYTES = 4096
ASSETS = {"chat.css": "text/css; charset=utf-8", "chat.js": "application/javascript; charset=utf-8"}


class WebChatPage(InputChannel):
    """The chat page itself; messages go to /webhooks/rest/webhook."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatPage:
        prepare_rasa_server()
        return cls()

    feedback: ChatFeedback = ChatFeedback()

    def url_prefix(self) -> str:
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("webchat_page", __name__)

        @page.route("/chat", methods=["GET"])
        async def chat_page(request: Request) -> HTTPResponse:
            page_response = response.html(chat_page_html(), headers=SECURITY_HEADERS)
            if user_from_cookie(request.cookies) is None:  # the server, not the page, names the user
                page_response.headers["Set-Cookie"] = cookie_header(new_cookie_value(), _is_https(request))
            return page_response

        @page.route("/chat/static/<name>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            if name not in ASSETS:
                return response.text("not found", status=404)
            return response.text((PAGE_DIR / name).read_text(encoding="utf-8"), content_type=ASSETS[name],
                                 headers=SECURITY_HEADERS)

        @page.route("/chat/replies", methods=["GET"])
        async def agent_replies(request: Request) -> HTTPResponse:
            # Human agents' replies (转人工) for this browser's conversation only: the user comes from
            # the signed cookie, never from the URL.
            web_user = user_from_cookie(request.cookies)
            after = request.args.get("after") or "0"
            if web_user is None or not after.isdigit():
                return response.json({"error": "请先打开聊天页面 /chat"}, status=400, headers=SECURITY_HEADERS)
            conversation = ChannelUser.of("web", web_user).conversation_id
            replies = await asyncio.to_thread(handoff_desk.replies_for, conversation, int(after))
            return response.json({"replies": replies}, headers=SECURITY_HEADERS)

        @page.route("/chat/feedback", methods=["POST"])
        async def rate_answer(request: Request) -> HTTPResponse:
            # 👍/👎 (and a reason) for an answer of this browser's conversation: the turn's token was
            # made for the cookie's conversation, so nobody rates another user's answers.
            web_user = user_from_cookie(request.cookies)
            body = request.json if _is_small_json(request) else None
            if web_user is None or not isinstance(body, dict):
                return response.json({"error": "请求无效"}, status=400, headers=SECURITY_HEADERS)
            conversation = ChannelUser.of("web", web_user).conversation_id
            saved = await asyncio.to_thread(self.feedback.rate_on_page, conversation, body)
            return response.json({"saved": saved}, status=200 if saved else 400, headers=SECURITY_HEADERS)

        return page


def _is_small_json(request: Request) -> bool:
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    return media_type == "application/json" and len(request.body or b"") <= MAX_FEEDBACK_BYTES


def _is_https(request: Request) -> bool:
    # Behind the TLS-terminating proxy (docs/deploy.md) Sanic sees http; the proxy says https.
    return request.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"
