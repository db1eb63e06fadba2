"""Who is asking, and whose data they may see.

The conversation keeps only an opaque person reference (slot person_ref). On WeChat and WeCom the
OpenID is proven by the platform's signature, so a binding made at verification identifies the
user next time; REST and web users must verify in each session (30 minutes idle ends it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

BINDING_CHANNELS = frozenset({"wechat", "wecom"})
T = TypeVar("T")


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database work runs off the action server's event loop so one slow query blocks nobody."""
    return await asyncio.to_thread(function, *args, **kwargs)


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def can_bind(tracker: Tracker) -> bool:
    return channel_of(tracker) in BINDING_CHANNELS
