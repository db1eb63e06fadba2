"""The REDIS_URL variants, against a throw-away redis-server on a free local port."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import time

import pytest

from bot.channels import wechat_protocol as wp
from bot.channels.wechat import WeChatInput
from tests.channels.conftest import FakeAgent
from tests.channels.helpers import APP_ID, TOKEN, signed_query, text_xml

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


@pytest.fixture(scope="module")
def redis_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


async def test_two_workers_claim_a_message_once(redis_url):
    worker_a, _ = wp.make_stores(redis_url, "test:claim")
    worker_b, _ = wp.make_stores(redis_url, "test:claim")
    job, created = await worker_a.claim("msg:1")
    assert created and job is not None
    assert await worker_b.claim("msg:1") == (None, False)
    assert await worker_a.claim("msg:1") == (job, False)
    waiting = asyncio.create_task(worker_b.wait_remote("msg:1", 2))
    await asyncio.sleep(0.15)
    await worker_a.publish("msg:1", "同一个答复")
    assert await waiting == "同一个答复"
    await worker_a.publish("msg:2", None)
    assert await worker_b.wait_remote("msg:2", 1) is None


async def test_redis_continuations(redis_url):
    _, store = wp.make_stores(redis_url, "test:more")
    await store.put("openid-1", "第二页")
    assert await store.pop("openid-1") == "第二页"
    assert await store.pop("openid-1") is None
    await store.put("openid-1", "x")
    await store.discard("openid-1")
    assert await store.pop("openid-1") is None


def test_access_token_is_shared_through_redis(redis_url):
    first, second = wp.token_storage(redis_url), wp.token_storage(redis_url)
    first.set("wx_access_token", "T1", 60)
    assert second.get("wx_access_token") == "T1"


def without_create_time(reply: tuple[int, str]) -> tuple[int, str]:
    status, body = reply
    return status, re.sub(r"<CreateTime>\d+</CreateTime>", "", body)


async def test_retry_on_another_worker_gets_the_same_reply(serve, redis_url):
    agent = FakeAgent(delay=0.3)
    config = wp.CallbackConfig(token=TOKEN, receiver_id=APP_ID, redis_url=redis_url)
    worker_a = await serve(WeChatInput(config), agent)
    worker_b = await serve(WeChatInput(config), agent)
    url = "/webhooks/wechat/webhook"
    msg_id = time.time_ns()
    first = asyncio.create_task(worker_a.post(url, signed_query(), text_xml("跨进程", msg_id=msg_id)))
    await asyncio.sleep(0.05)
    retry = await worker_b.post(url, signed_query(), text_xml("跨进程", msg_id=msg_id))
    # Each worker stamps its own CreateTime; everything else is the one shared reply.
    assert without_create_time(retry) == without_create_time(await first)
    assert "收到：跨进程" in retry[1] and len(agent.received) == 1
