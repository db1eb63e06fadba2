"""SQL tracker store that never writes raw ID numbers or phone numbers, and keeps long
conversations as fast as short ones.

Rasa keeps every user message, entity and slot in its tracker store; a person who verifies
their identity types their ID number into the chat. Redacting on the way into the store keeps
the conversation history useful while personal identifiers only live in the records store.

A WeChat user keeps one OpenID for years. Rasa loads every event since the last session start
for each message, and the policies rebuild the dialogue states of that whole history several
times per prediction, so the cost of a message grows with the user's history (measured with
bench/long_conversation.py). When a conversation at rest has more than COMPACT_AFTER_EVENTS
events since its session start, the store starts a continuation session that carries the slots
(verification included) and the recent transcript; older events stay in the table.

Between two messages of a user the tracker object Rasa saved is kept in memory (a bounded LRU), and
the next retrieve() hands it back after one indexed query confirms that the user's newest stored
event is still the one this process wrote: loading and replaying the session from the database was
a fifth of the server's CPU per message (py-spy under bench/latency). Any other writer — another
Rasa server, the agent console — changes the newest event, and the tracker is loaded as before.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from bot import log_redaction
from bot.channels.silence import SILENT_REPLY_KEY, silent_reply
from bot.handoff.transcript import CARRIED_TRANSCRIPT_KEY, recent_transcript
from bot.ops import turns
from bot.privacy import redact_text
from bot.runtime.sqlite_engine import pooled_sqlite_engine, sqlite_file

log_redaction.install()  # the Rasa process (and `make chat`) load this store: their logs are redacted too

DEFAULT_TRACKER_URL = "sqlite:///var/tracker.db"
# About 25 turns. Small enough that the 1,000th message costs what the 1st does; 0 switches it off.
DEFAULT_COMPACT_AFTER_EVENTS = 150
# Slots that describe Rasa's own bookkeeping rather than the user.
UNCARRIED_SLOTS = {"requested_slot", "session_started_metadata"}
CONTINUED_FROM_KEY = "continued_from"
CARRIED_OVER_KEY = "carried_over"
STORED_EVENTS_ATTRIBUTE = "_stored_events"
# Saved trackers kept in memory for the users' next messages (their length is bounded by the
# compaction above). 0 switches the cache off.
DEFAULT_TRACKER_CACHE_SIZE = 256


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit costs ~0.04 ms instead of ~4.5 ms of fsync on the
    server's event loop (bench/latency). A commit survives a crash of the process, not a power loss
    of the machine; production uses PostgreSQL (docs/deploy.md)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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


def compact_after_events() -> int:
    """Events since the session start that trigger a continuation (env TRACKER_COMPACT_AFTER_EVENTS)."""
    return int(os.environ.get("TRACKER_COMPACT_AFTER_EVENTS", DEFAULT_COMPACT_AFTER_EVENTS))


def tracker_cache_size() -> int:
    """How many saved trackers one Rasa process keeps for the users' next messages
    (env TRACKER_CACHE_SIZE)."""
    return int(os.environ.get("TRACKER_CACHE_SIZE", DEFAULT_TRACKER_CACHE_SIZE))


def at_rest(tracker: DialogueStateTracker) -> bool:
    """Nothing in flight: no form, no pause for an agent, the bot is waiting for the user."""
    return (tracker.active_loop_name is None and not tracker.is_paused()
            and tracker.latest_action_name == ACTION_LISTEN_NAME and tracker.followup_action is None)


def continuation_events(tracker: DialogueStateTracker) -> list[Event]:
    """A new session that continues where the old one stopped.

    SQLTrackerStore loads the rows stored since the newest session_started timestamp, in insertion
    order. The continuation is appended after everything else: session_started with the transcript
    of the older messages, the slots, then a copy of the last turn, so the policies still see the
    user's latest message and the 30-minute session expiry (which ends a verification) counts from
    it. The copied user message is marked `carried_over` in its metadata.
    """
    history = list(tracker.events)
    users = [index for index, event in enumerate(history) if isinstance(event, UserUttered)]
    if not users:
        return []
    last_turn = users[-1]
    transcript = recent_transcript(event.as_dict() for event in history[:last_turn])
    metadata = {CARRIED_TRANSCRIPT_KEY: transcript, CONTINUED_FROM_KEY: len(history)}
    slots = [SlotSet(name, value) for name, value in tracker.current_slot_values().items()
             if value is not None and name not in UNCARRIED_SLOTS]
    copies = [Event.from_parameters(event.as_dict()) for event in history[last_turn:]]
    copies[0].metadata = {**(copies[0].metadata or {}), CARRIED_OVER_KEY: True}
    events: list[Event] = [SessionStarted(metadata=metadata), *slots, ActionExecuted(ACTION_LISTEN_NAME), *copies]
    started = max(time.time(), history[-1].timestamp + 1e-3)
    for offset, event in enumerate(events):
        event.timestamp = started + offset * 1e-4
    return events


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore configured from the environment that redacts before saving and compacts
    long conversations into continuation sessions."""

    def __init__(self, domain=None, host: str | None = None, event_broker=None, **kwargs: Any) -> None:
        super().__init__(domain=domain, host=host or tracker_store_url(), event_broker=event_broker, **kwargs)
        # A failed statement's error must not quote the event data it was writing.
        self.engine.hide_parameters = True
        if sqlite_file(str(self.engine.url)) is not None:
            # Rasa's engine for an SQLite file opens and closes a connection per session (NullPool).
            url = self.engine.url
            self.engine.dispose()
            self.engine = pooled_sqlite_engine(str(url), _sqlite_write_ahead_log)
            self.sessionmaker = sessionmaker(bind=self.engine)
        # sender_id -> (id of the newest row stored for it, the tracker object that was saved)
        self._kept: OrderedDict[str, tuple[int, DialogueStateTracker]] = OrderedDict()
        self._kept_limit = tracker_cache_size()
        # Core statements built once: an ORM query or unit-of-work flush costs ~1 ms of Python per
        # call under load (py-spy), the SQL itself a few microseconds.
        events = self.SQLEvent.__table__
        self._newest_row_statement = (sqlalchemy.select(sqlalchemy.func.max(events.c.id))
                                      .where(events.c.sender_id == sqlalchemy.bindparam("sender_id")))
        self._insert_statement = events.insert()

    async def _stream_new_events(self, event_broker: Any, new_events: list[Event], sender_id: str) -> None:
        """Events reach an event broker redacted, exactly as they are stored."""
        for event in new_events:
            event_broker.publish(redact_value({"sender_id": sender_id, **event.as_dict()}))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        # Taken out of the cache: whoever retrieves it owns it until save() puts it back.
        kept = self._kept.pop(sender_id, None)
        if kept is not None:
            newest_row, tracker = kept
            with self.engine.connect() as connection:
                if self._newest_row(connection, sender_id) == newest_row:
                    return tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            # What is stored for this session right now; save() appends after it without asking the
            # database again (the conversation lock keeps other writers out meanwhile).
            setattr(tracker, STORED_EVENTS_ATTRIBUTE, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._answer_silent_turn(tracker)
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        self._kept.pop(sender_id, None)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            turns.observe(new_events)  # the channel's record of this message: intent, entry, outcome
            rows, redacted = self._event_rows(sender_id, new_events)
            limit = compact_after_events()
            # Saved under the conversation lock at the end of a turn, so no other message of this
            # user is in flight; the next message loads only the continuation.
            stored = len(tracker.events)
            if 0 < limit < len(tracker.events) and at_rest(tracker):
                rows += self._event_rows(sender_id, continuation_events(tracker))[0]
                stored = None  # the stored session is now the continuation: count it next time
            if rows:  # one executemany, rows in order (Rasa loads them ordered by id)
                session.execute(self._insert_statement, rows)
            # Kept only when it equals what a load would give: no continuation, nothing redacted.
            keep = stored is not None and not redacted and self._kept_limit > 0
            newest_row = self._newest_row(session, sender_id) if keep else None
            session.commit()
        setattr(tracker, STORED_EVENTS_ATTRIBUTE, stored)
        if newest_row is not None:
            self._kept[sender_id] = (newest_row, tracker)
            while len(self._kept) > self._kept_limit:
                self._kept.popitem(last=False)

    def _answer_silent_turn(self, tracker: DialogueStateTracker) -> None:
        """A new turn that Rasa ended without a word is stored with the answer the channel sends in
        its place (bot/channels/silence.py).

        Rasa logs and swallows a custom action that fails (the action server unreachable or
        overloaded) and the turn ends silently; the channel then tells the user we are busy. Without
        this the stored conversation would show a question nobody answered, unlike what the user saw.
        A paused conversation (转人工) is left as it is: its messages are for the agent."""
        events = tracker.events
        last_user = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), None)
        if last_user is None or tracker.is_paused():
            return
        if any(isinstance(event, BotUttered) for event in itertools.islice(events, last_user, None)):
            return
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        if not any(isinstance(event, UserUttered) for event in new_events):
            return  # an old turn saved again (e.g. by the agent console), not this message's
        tracker.update(BotUttered(silent_reply(tracker.sender_id), metadata={SILENT_REPLY_KEY: True}))

    def _newest_row(self, connection: Any, sender_id: str) -> int | None:
        return connection.execute(self._newest_row_statement, {"sender_id": sender_id}).scalar()

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool = False) -> Any:
        """Rasa's query, with the latest session start looked up first as a plain value.

        Rasa joins the events to a max(timestamp) subquery. On a young PostgreSQL table (statistics
        from when it was nearly empty) the planner re-ran that aggregate for every row: 220 ms per
        load for one user with a few hundred events (bench/long_conversation.py, PostgreSQL log).
        Two simple statements always get a good plan."""
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            session_start = (session.query(sqlalchemy.func.max(self.SQLEvent.timestamp))
                             .filter(self.SQLEvent.sender_id == sender_id,
                                     self.SQLEvent.type_name == SessionStarted.type_name)
                             .scalar())
            if session_start is not None:
                query = query.filter(self.SQLEvent.timestamp >= session_start)
        return query.order_by(self.SQLEvent.id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """Events of `tracker` not stored yet, also when the stored session is a continuation that
        was written after `tracker` was loaded (the same tracker object saved twice)."""
        known = getattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
        if known is not None:
            return itertools.islice(tracker.events, known, None)
        query = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
        first_row = query.first()
        first = json.loads(first_row.data) if first_row is not None else {}
        continued_from = ((first.get("metadata") or {}).get(CONTINUED_FROM_KEY)
                          if first.get("event") == SessionStarted.type_name else None)
        if continued_from is not None and not any(
                isinstance(event, SessionStarted) and event.timestamp == first.get("timestamp")
                for event in tracker.events):
            return itertools.islice(tracker.events, continued_from, None)
        return itertools.islice(tracker.events, query.count(), None)

    @staticmethod
    def _event_rows(sender_id: str, events: Iterable[Event]) -> tuple[list[dict[str, Any]], bool]:
        """The table rows of the events, redacted; True when redaction changed any of them."""
        rows, redacted = [], False
        for event in events:
            original = event.as_dict()
            data = redact_value(original)
            redacted = redacted or data != original
            rows.append({
                "sender_id": sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data, ensure_ascii=False),
            })
        return rows, redacted
