"""The web page's user id: made by the server, kept by the browser in a signed HttpOnly cookie.

The page never chooses or sees its id (no localStorage, nothing in URLs): GET /chat sets the cookie
when it is missing or its signature is wrong, and the REST channel takes "web:<id>" from it. The
signature is an HMAC with the server's identity secret, so an id cannot be made up or changed.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from bot.identity import hmac_hex

COOKIE_NAME = "yibao_web"
COOKIE_MAX_AGE = 30 * 24 * 3600  # a returning visitor keeps their conversation (and its 转人工 replies)


def new_cookie_value() -> str:
    user_id = secrets.token_urlsafe(18)
    return f"{user_id}.{_signature(user_id)}"


def user_from_cookie(cookies: Mapping[str, str] | None) -> str | None:
    """The web user id when the request carries a cookie this server signed, else None."""
    value = (cookies or {}).get(COOKIE_NAME) or ""
    user_id, _, signature = value.rpartition(".")
    if not user_id or len(value) > 200 or not hmac.compare_digest(_signature(user_id), signature):
        return None
    return user_id


def cookie_header(value: str, secure: bool) -> str:
    """Set-Cookie: HttpOnly (scripts cannot read it), SameSite=Strict (other sites' requests
    carry no cookie), Secure behind HTTPS."""
    parts = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={COOKIE_MAX_AGE}", "HttpOnly", "SameSite=Strict"]
    return "; ".join(parts + (["Secure"] if secure else []))


def _signature(user_id: str) -> str:
    return hmac_hex("web-cookie", user_id, 32)
