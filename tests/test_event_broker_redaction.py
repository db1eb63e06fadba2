"""Events reach an event broker redacted, as they are stored (issue #11, point 8): Rasa's own
SQLEventBroker on a real SQLite file behind the redacting tracker store."""

from __future__ import annotations

import asyncio
import sqlite3

from rasa.core.brokers.sql import SQLEventBroker
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.tracker_store import RedactingSQLTrackerStore


def test_published_events_hold_no_raw_id_number(tmp_path) -> None:
    broker_db = tmp_path / "broker.db"
    broker = SQLEventBroker(dialect="sqlite", db=str(broker_db))
    store = RedactingSQLTrackerStore(host=f"sqlite:///{tmp_path / 'tracker.db'}", event_broker=broker)
    tracker = DialogueStateTracker("rest:broker", [])
    tracker.update(UserUttered("我的身份证是420106-19920218-0525", input_channel="rest"))
    tracker.update(SlotSet("id_number", "４２０１０６１９９２０２１８０５２５"))
    asyncio.run(store.save(tracker))
    with sqlite3.connect(broker_db) as db:
        published = "\n".join(row[0] for row in db.execute("SELECT data FROM events"))
    assert "rest:broker" in published and published.count("4201**********0525") >= 2  # text and slot
    digits = "".join(ch for ch in published if ch.isdigit() or ch == "\n")
    assert "420106199202180525" not in digits.replace("\n", " ")
