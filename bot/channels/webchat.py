"""Serves the WeChat-style web chat page at /chat (the page talks to the REST channel).

Registered in credentials.yml like any channel. Its blueprint is mounted at the server root
(url_prefix "/"), so the page lives at http://127.0.0.1:5005/chat next to Rasa's own routes.
Everything is served from this package: no CDN, no build step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import handoff_desk

PAGE_DIR = Path(__file__).resolve().parent / "web"
MAX_SENDER_CHARS = 128
ASSETS = {"chat.css": "text/css; charset=utf-8", "chat.js": "application/javascript; charset=utf-8"}


class WebChatPage(InputChannel):
    """The chat page itself; messages go to /webhooks/rest/webhook."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatPage:
        return cls()

    def url_prefix(self) -> str:
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("webchat_page", __name__)

        @page.route("/chat", methods=["GET"])
        async def chat_page(_: Request) -> HTTPResponse:
            return response.html((PAGE_DIR / "chat.html").read_text(encoding="utf-8"))

        @page.route("/chat/static/<name>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            if name not in ASSETS:
                return response.text("not found", status=404)
            return response.text((PAGE_DIR / name).read_text(encoding="utf-8"), content_type=ASSETS[name])

        @page.route("/chat/replies", methods=["GET"])
        async def agent_replies(request: Request) -> HTTPResponse:
            # Human agents' replies (转人工) for this web user; the page polls while a ticket is open.
            sender = (request.args.get("sender") or "").strip()
            after = request.args.get("after") or "0"
            if not sender or len(sender) > MAX_SENDER_CHARS or not after.isdigit():
                return response.json({"error": "需要 sender 和 after 参数"}, status=400)
            replies = await asyncio.to_thread(handoff_desk.replies_for, sender, int(after))
            return response.json({"replies": replies})

        return page
