"""A small Sanic app with the channel registered exactly as Rasa does it (rasa.core.channels.channel
.register, url prefix /webhooks/<name>) and a fake agent that answers like Rasa's: it writes bot
messages into the UserMessage's CollectingOutputChannel."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels import wechat_protocol
from tests.channels.helpers import FakeApiServer

# Several Sanic apps start in one process here; without test mode Sanic 21.12's "touchup" rewrites
# its own methods a second time and fails (sanic-testing sets the same flag).
Sanic.test_mode = True


@dataclass
class FakeAgent:
    """Stands in for rasa.core.agent.Agent.handle_message."""

    answer: Callable[[str], list[dict]] = lambda text: [{"text": f"收到：{text}"}]
    delay: float = 0.0
    fail: bool = False
    received: list[UserMessage] = field(default_factory=list)

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model exploded")
        for reply in self.answer(message.text):
            if reply.get("buttons"):
                await message.output_channel.send_text_with_buttons(
                    message.sender_id, reply.get("text", ""), reply["buttons"])
            else:
                await message.output_channel.send_text_message(message.sender_id, reply["text"])

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.received]


@dataclass
class Client:
    session: aiohttp.ClientSession
    base: str

    async def post(self, path: str, query: dict, body: str | bytes, **kwargs) -> tuple[int, str]:
        data = body.encode() if isinstance(body, str) else body
        async with self.session.post(self.base + path, params=query, data=data, **kwargs) as resp:
            return resp.status, await resp.text()

    async def get(self, path: str, query: dict) -> tuple[int, str]:
        async with self.session.get(self.base + path, params=query) as resp:
            return resp.status, await resp.text()


@pytest.fixture
async def serve():
    """serve(channel, agent) -> Client for a live server on 127.0.0.1 (stopped after the test)."""
    started = []

    async def start(channel, agent: FakeAgent) -> Client:
        app = Sanic(f"channel_test_{uuid.uuid4().hex[:12]}")
        app.ctx.agent = agent
        register([channel], app, route="/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))  # port 0 would mean 8000 to Sanic: bind first, no race
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.after_start()
        port = server.server.sockets[0].getsockname()[1]
        client = Client(aiohttp.ClientSession(), f"http://127.0.0.1:{port}")
        started.append((server, client, channel))
        return client

    yield start
    for server, client, channel in started:
        await channel.coordinator.drain()
        await client.session.close()
        server.close()
        await server.wait_closed()


@pytest.fixture
def fake_api():
    api = FakeApiServer().start()
    yield api
    api.stop()


@pytest.fixture(autouse=True)
def fresh_token_store(monkeypatch):
    """Access tokens are shared process-wide; each test starts with none."""
    from wechatpy.session.memorystorage import MemoryStorage

    monkeypatch.setattr(wechat_protocol, "_MEMORY_TOKENS", MemoryStorage())
