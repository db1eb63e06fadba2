"""Who is asking: the conversation id Rasa got from the channel and the person_ref slot.

Which channel a user came through is read from the conversation id, which the server built
("wechat:<OpenID>", "rest:<sender>", bot/identity.py), never from anything the client sent. What
the slot holds counts only for the conversation it was issued to (bot/access.py decides).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from bot.access import Asker

T = TypeVar("T")


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database work runs off the action server's event loop so one slow query blocks nobody."""
    return await asyncio.to_thread(function, *args, **kwargs)


def asker(tracker: Tracker) -> Asker:
    return Asker.of(tracker.sender_id, tracker.get_slot("person_ref"))
