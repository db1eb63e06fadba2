"""Reply text in Redis is sealed: a Redis dump shows no personal answer (bot/channels/sealed.py)."""

from __future__ import annotations

import os
import secrets

import pytest

from bot.channels.sealed import seal, unseal
from bot.channels.wechat_protocol import RedisContinuations, redis_client

ANSWER = "您的医保个人账户余额为 223.79元（截至2025-11-18）。"


def test_sealed_text_opens_only_under_its_own_key() -> None:
    sealed = seal(ANSWER, "yibao:wechat:more:o_x")
    assert b"223.79" not in sealed
    assert unseal(sealed, "yibao:wechat:more:o_x") == ANSWER
    assert unseal(sealed, "yibao:wechat:more:o_other") is None  # moved to another user's key
    assert unseal(b"plain text", "k") is None and unseal(None, "k") is None


async def test_continuations_in_redis_hold_no_plain_text() -> None:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the Redis continuation store needs Redis")
    client = redis_client(url)
    prefix = f"yibao:test-{secrets.token_hex(4)}"
    store = RedisContinuations(client, prefix)
    await store.put("o_x", ANSWER)
    raw = await client.get(f"{prefix}:more:o_x")
    assert raw and b"223.79" not in raw and ANSWER.encode() not in raw
    assert await store.pop("o_x") == ANSWER and await store.pop("o_x") is None
