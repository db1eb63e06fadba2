"""The migration to channel-prefixed conversation ids, on a real tracker store and records store."""

from __future__ import annotations

import asyncio

from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import migrate_conversations
from bot.records import handoff
from bot.records.db import session_scope
from bot.runtime.tracker_store import RedactingSQLTrackerStore
from tests.support.assistant import copy_sqlite_database


def save(store: RedactingSQLTrackerStore, sender: str, channel: str) -> None:
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("你好", input_channel=channel))
    tracker.update(SlotSet("person_ref", "P-bare"))
    asyncio.run(store.save(tracker))


def test_old_conversations_and_tickets_get_their_channel_prefix(tmp_path, records_db_url, monkeypatch) -> None:
    copy_sqlite_database(records_db_url, tmp_path / "records.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'records.db'}")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = RedactingSQLTrackerStore(host=url)
    save(store, "o_old", "wechat")
    save(store, "corp.user", "wecom")
    save(store, "web-123", "rest")
    save(store, "rest:already", "rest")
    with session_scope() as session:
        ticket = handoff.open_ticket(session, "wechat", "o_old", "转人工", [])

    assert migrate_conversations.main(["--tracker-store-url", url]) == 0
    assert migrate_conversations.main(["--tracker-store-url", url]) == 0  # idempotent
    fresh = RedactingSQLTrackerStore(host=url)
    keys = set(asyncio.run(fresh.keys()))
    assert keys == {"wechat:o_old", "wecom:corp.user", "rest:web-123", "rest:already"}
    assert asyncio.run(fresh.retrieve("wechat:o_old")).latest_message.text == "你好"
    with session_scope() as session:
        assert handoff.ticket(session, ticket).channel_user_id == "wechat:o_old"
