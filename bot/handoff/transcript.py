"""The recent user and bot messages of a conversation, for 转人工 tickets.

A long conversation is continued in a new tracker session (bot/runtime/tracker_store.py); the messages
before that point travel in the continuation's session_started metadata, so a ticket opened just
after it still shows what the user said.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CARRIED_TRANSCRIPT_KEY = "carried_transcript"
TRANSCRIPT_LINES = 20


def recent_transcript(events: Iterable[dict[str, Any]], lines: int = TRANSCRIPT_LINES) -> list[dict[str, str]]:
    """The last `lines` user and bot messages, oldest first, from serialised tracker events."""
    transcript: list[dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            transcript.extend((event.get("metadata") or {}).get(CARRIED_TRANSCRIPT_KEY) or [])
        elif kind in ("user", "bot") and event.get("text"):
            transcript.append({"sender": kind, "text": event["text"]})
    return transcript[-lines:]
