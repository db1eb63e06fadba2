"""One use per signed (timestamp, nonce): a captured callback URL cannot carry another body.

In plain mode WeChat's signature covers only token, timestamp and nonce, not the body, so within the
timestamp window anyone holding one callback URL (proxy logs keep query strings) could post any XML
as any OpenID. Every accepted (timestamp, nonce) is remembered with a digest of its body for the
window: WeChat's own retries (same body) pass and are deduplicated by MsgId as before; another body
with a used nonce is refused (403). With REDIS_URL the memory is shared by every worker and server.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from bot.channels.wechat_protocol import TIMESTAMP_WINDOW_SECONDS, RequestRejected


def body_digest(body: bytes) -> bytes:
    return hashlib.sha256(body).digest()


@dataclass
class MemoryNonces:
    """Used nonces of this process (one worker, or tests)."""

    ttl: float = 2 * TIMESTAMP_WINDOW_SECONDS  # a timestamp is accepted up to the window either side
    _seen: dict[str, tuple[bytes, float]] = field(default_factory=dict)

    async def remember(self, key: str, digest: bytes) -> bytes:
        """Stores digest for key unless it is there; returns the digest stored first."""
        now = time.monotonic()
        if len(self._seen) > 10_000:
            self._seen = {k: v for k, v in self._seen.items() if v[1] > now}
        stored = self._seen.get(key)
        if stored is None or stored[1] <= now:
            self._seen[key] = (digest, now + self.ttl)
            return digest
        return stored[0]


@dataclass
class RedisNonces:
    client: Any
    prefix: str
    ttl: float = 2 * TIMESTAMP_WINDOW_SECONDS

    async def remember(self, key: str, digest: bytes) -> bytes:
        name = f"{self.prefix}:nonce:{key}"
        if await self.client.set(name, digest, nx=True, ex=int(self.ttl)):
            return digest
        return await self.client.get(name) or digest  # expired between the two calls: first use


async def claim_nonce(nonces: MemoryNonces | RedisNonces, timestamp: str, nonce: str, body: bytes) -> None:
    """Raises RequestRejected(403) when this signed (timestamp, nonce) came before with another body."""
    digest = body_digest(body)
    if await nonces.remember(f"{timestamp}:{nonce}", digest) != digest:
        raise RequestRejected(403, "nonce already used")


def make_nonces(redis_url: str, prefix: str) -> MemoryNonces | RedisNonces:
    if not redis_url:
        return MemoryNonces()
    from bot.channels.wechat_protocol import redis_client

    return RedisNonces(redis_client(redis_url), prefix)
