"""Operator accounts and sessions for /ops.

Passwords are stored as salted scrypt hashes (hashlib, no extra dependency). A login gives a session
cookie: the operator's name and an expiry, signed with an HMAC of the server's identity secret,
HttpOnly and SameSite=Strict. Forms carry a CSRF token derived from the session cookie. Scripts may
instead send `Authorization: Bearer $OPS_TOKEN`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.identity import hmac_hex
from bot.records.clock import now as china_now
from bot.records.models import Operator

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_COOKIE = "yibao_ops"
SESSION_SECONDS = 8 * 3600
MIN_PASSWORD_CHARS = 10
OPS_TOKEN_VARIABLE = "OPS_TOKEN"


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


def add_operator(session: Session, name: str, password: str) -> None:
    """Creates the operator, or sets a new password for an existing one."""
    name = name.strip()
    if not name or len(name) > 60 or not name.isprintable() or "|" in name:
        raise ValueError("操作员名称须为1–60个可见字符，且不含「|」")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"密码至少{MIN_PASSWORD_CHARS}个字符")
    operator = session.execute(select(Operator).where(Operator.name == name)).scalar()
    if operator is None:
        operator = Operator(name=name, created_at=china_now(), disabled=False)
        session.add(operator)
    operator.password_hash = hash_password(password)
    session.flush()


def authenticate(session: Session, name: str, password: str) -> bool:
    operator = session.execute(select(Operator).where(Operator.name == name.strip())).scalar()
    if operator is None or operator.disabled:
        hash_password(password)  # same work either way: the timing does not tell which names exist
        return False
    return password_matches(password, operator.password_hash)


# ---------------------------------------------------------------- sessions


def session_value(name: str, now: float | None = None) -> str:
    expires = int((time.time() if now is None else now) + SESSION_SECONDS)
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    payload = f"{encoded}.{expires}"
    return f"{payload}.{_sign('ops-session', payload)}"


def operator_from_session(value: str | None, now: float | None = None) -> str | None:
    """The operator a session cookie names, if this server signed it and it has not expired."""
    parts = (value or "").split(".")
    if len(parts) != 3 or len(value or "") > 300:
        return None
    encoded, expires, signature = parts
    if not hmac.compare_digest(_sign("ops-session", f"{encoded}.{expires}"), signature):
        return None
    if not expires.isdigit() or int(expires) < (time.time() if now is None else now):
        return None
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def session_cookie(value: str, secure: bool) -> str:
    parts = [f"{SESSION_COOKIE}={value}", "Path=/ops", f"Max-Age={SESSION_SECONDS}", "HttpOnly", "SameSite=Strict"]
    return "; ".join(parts + (["Secure"] if secure else []))


def cleared_cookie() -> str:
    return f"{SESSION_COOKIE}=; Path=/ops; Max-Age=0; HttpOnly; SameSite=Strict"


def csrf_token(session: str) -> str:
    """A form token bound to the session: another site can neither read nor compute it."""
    return _sign("ops-csrf", session)


def csrf_ok(session: str | None, token: str | None) -> bool:
    return bool(session and token) and hmac.compare_digest(csrf_token(session or ""), token or "")


def bearer_ok(headers: Mapping[str, str], env: Mapping[str, str] = os.environ) -> bool:
    """`Authorization: Bearer $OPS_TOKEN`; never when OPS_TOKEN is unset or short."""
    expected = env.get(OPS_TOKEN_VARIABLE, "").strip()
    given = headers.get("authorization", "")
    if len(expected) < 16 or not given.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(given[7:].strip().encode(), expected.encode())


def _sign(purpose: str, payload: str) -> str:
    return hmac_hex(purpose, payload, 32)
