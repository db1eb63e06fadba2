"""One body per signed (timestamp, nonce), in memory and in Redis (bot/channels/replay.py)."""

from __future__ import annotations

import os
import secrets

import pytest

from bot.channels.replay import MemoryNonces, claim_nonce, make_nonces
from bot.channels.wechat_protocol import RequestRejected


async def check_one_body_per_nonce(nonces) -> None:
    timestamp, nonce = "1800000000", secrets.token_hex(6)
    await claim_nonce(nonces, timestamp, nonce, b"<xml>first</xml>")
    await claim_nonce(nonces, timestamp, nonce, b"<xml>first</xml>")  # WeChat's retry
    with pytest.raises(RequestRejected) as refused:
        await claim_nonce(nonces, timestamp, nonce, b"<xml>other</xml>")
    assert refused.value.status == 403
    await claim_nonce(nonces, timestamp, secrets.token_hex(6), b"<xml>other</xml>")  # a new nonce is fine


async def test_memory_nonces_accept_retries_and_refuse_other_bodies() -> None:
    await check_one_body_per_nonce(MemoryNonces())


async def test_expired_nonce_may_be_used_again() -> None:
    nonces = MemoryNonces(ttl=-1)  # already expired when stored
    await claim_nonce(nonces, "1", "n", b"a")
    await claim_nonce(nonces, "1", "n", b"b")


async def test_redis_nonces_are_shared_between_servers() -> None:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the shared nonce store needs Redis")
    prefix = f"yibao:test-{secrets.token_hex(4)}"
    await check_one_body_per_nonce(make_nonces(url, prefix))
    first, second = make_nonces(url, prefix), make_nonces(url, prefix)  # two servers
    await claim_nonce(first, "1800000000", "shared", b"a")
    with pytest.raises(RequestRejected):
        await claim_nonce(second, "1800000000", "shared", b"b")
