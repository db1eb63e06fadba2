"""Reply text kept in Redis is sealed (AES-GCM with a key derived from the identity secret).

The WeChat channels keep the rest of a long answer (「继续」) and the passive reply of a message for
retries in Redis. Those are personal answers — balances, payment grids — and Redis is often reached
without TLS and snapshotted to disk. Sealed, a Redis dump or a sniffed connection shows nothing; the
key is the same on every replica because YIBAO_IDENTITY_SECRET is.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.secrets import IDENTITY_SECRET, secret

NONCE_BYTES = 12


def _cipher() -> AESGCM:
    key = hashlib.sha256(b"yibao-redis-sealing:" + secret(IDENTITY_SECRET).encode()).digest()
    return AESGCM(key)


def seal(text: str, context: str) -> bytes:
    """Ciphertext bound to `context` (the Redis key), so a value cannot be moved to another key."""
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(nonce + _cipher().encrypt(nonce, text.encode("utf-8"), context.encode()))


def unseal(value: bytes | None, context: str) -> str | None:
    """The text, or None when the value is missing, was sealed for another key, or not by us."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
        return _cipher().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode("utf-8")
    except (ValueError, InvalidTag):
        return None
