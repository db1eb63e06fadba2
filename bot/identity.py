"""Who is on the other end of a conversation, as the server (never the client) decides it.

Rasa keys a conversation by its sender id alone. Every channel therefore builds the sender id
itself as "<channel>:<id the channel proved>" (`ChannelUser.conversation_id`): a REST client's
`sender` becomes "rest:<sender>", so no value a client sends can equal "wechat:<OpenID>".

A verification is kept in slot person_ref as a token bound to the conversation that verified and to
the time it happened (`issue_token`); anywhere else, or after VERIFICATION_MAX_AGE, it is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.secrets import IDENTITY_SECRET, secret

CHANNELS = frozenset({"wechat", "wecom", "web", "rest"})
# The platform signs these users' ids, so a verification may outlive the session (a binding).
BINDING_CHANNELS = frozenset({"wechat", "wecom"})
TOKEN_PREFIX = "v1"
DEFAULT_VERIFICATION_MAX_MINUTES = 120
DEFAULT_BINDING_MAX_DAYS = 180


@dataclass(frozen=True)
class ChannelUser:
    channel: str
    user_id: str  # the id the channel proved: OpenID, WeCom UserID, web cookie id, REST sender
    conversation_id: str  # Rasa's sender id

    @classmethod
    def of(cls, channel: str, user_id: str) -> ChannelUser:
        return cls(channel, user_id, f"{channel}:{user_id}")

    @classmethod
    def parse(cls, conversation_id: str) -> ChannelUser:
        """The user behind a conversation id. An id without a channel prefix was made by an
        in-process agent or the authenticated HTTP API: it is treated like a REST user (never bound)."""
        prefix, separator, rest = conversation_id.partition(":")
        if separator and prefix in CHANNELS and rest:
            return cls(prefix, rest, conversation_id)
        return cls("rest", conversation_id, conversation_id)

    @property
    def can_bind(self) -> bool:
        return self.channel in BINDING_CHANNELS


def verification_max_age() -> timedelta:
    """How long a verification lasts within a conversation (env VERIFICATION_MAX_MINUTES)."""
    return timedelta(minutes=int(os.environ.get("VERIFICATION_MAX_MINUTES", DEFAULT_VERIFICATION_MAX_MINUTES)))


def binding_max_age() -> timedelta:
    """How long a WeChat/WeCom binding lasts before the user verifies again (env BINDING_MAX_DAYS)."""
    return timedelta(days=int(os.environ.get("BINDING_MAX_DAYS", DEFAULT_BINDING_MAX_DAYS)))


def issue_token(person_ref: str, who: ChannelUser, now: datetime) -> str:
    """The value of slot person_ref after a successful verification in this conversation."""
    issued = str(_epoch(now))
    return ".".join((TOKEN_PREFIX, person_ref, issued, _signature(person_ref, who.conversation_id, issued)))


def person_from_token(token: str | None, who: ChannelUser, now: datetime) -> str | None:
    """The verified person's ref when the token was issued to this conversation and is still valid."""
    parts = (token or "").split(".")
    if len(parts) < 4 or parts[0] != TOKEN_PREFIX or not parts[-2].isdigit():
        return None  # also a bare ref from before tokens existed: that user verifies again
    person_ref, issued, signature = ".".join(parts[1:-2]), parts[-2], parts[-1]
    expected = _signature(person_ref, who.conversation_id, issued)
    if not hmac.compare_digest(expected, signature):
        return None
    age = _epoch(now) - int(issued)
    return person_ref if 0 <= age <= verification_max_age().total_seconds() else None


def hmac_hex(purpose: str, value: str, length: int = 40) -> str:
    """A keyed digest: without the server's secret nobody can test guesses against it."""
    key = secret(IDENTITY_SECRET).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:length]


def _signature(person_ref: str, conversation_id: str, issued: str) -> str:
    # Letters only: the tracker store redacts every run of 11 digits that looks like a mobile number,
    # and a hex signature has one every few hundred tokens (the benchmark met it). Digits 0-9 become g-p.
    return hmac_hex("verified", f"{person_ref}|{conversation_id}|{issued}", 32).translate(_LETTERS_ONLY)


_LETTERS_ONLY = str.maketrans("0123456789", "ghijklmnop")


def _epoch(moment: datetime) -> int:
    # Stored times are naive Beijing time; only differences matter, so any fixed zone will do.
    return int(moment.replace(tzinfo=timezone.utc).timestamp())
