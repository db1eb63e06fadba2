"""SQL tracker store that never writes raw ID numbers or phone numbers.

Rasa keeps every user message, entity and slot in its tracker store; a person who verifies
their identity types their ID number into the chat. Redacting on the way into the store keeps
the conversation history useful while personal identifiers only live in the records store.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.privacy import redact_text

DEFAULT_TRACKER_URL = "sqlite:///var/tracker.db"


def tracker_store_url() -> str:
    """The SQLAlchemy URL of the conversation store (env TRACKER_STORE_URL)."""
    url = os.environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_URL
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def redact_value(value: Any) -> Any:
    """Redacts identifiers in every string nested inside an event's data."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    return value


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore configured from the environment that redacts before saving."""

    def __init__(self, domain=None, host: str | None = None, event_broker=None, **kwargs: Any) -> None:
        super().__init__(domain=domain, host=host or tracker_store_url(), event_broker=event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = redact_value(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data, ensure_ascii=False),
                    )
                )
            session.commit()
