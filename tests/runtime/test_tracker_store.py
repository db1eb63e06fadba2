"""The redacting SQL tracker store: long conversations continue in a compact session without
losing slots, verification expiry, the 转人工 transcript or a single event."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.silence import BUSY_TEXT, SILENT_REPLY_KEY
from bot.handoff.transcript import recent_transcript
from bot.runtime.tracker_store import RedactingSQLTrackerStore
from tests.support.assistant import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path: Path):
    """The embedded default, and the production PostgreSQL store when TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("TEST_POSTGRES_URL is not set: the PostgreSQL tracker store is not tested")
    import sqlalchemy as sa

    name = f"yibao_tracker_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _store(domain: Domain, url: str, monkeypatch, kept_trackers: int):
    monkeypatch.setenv("TRACKER_COMPACT_AFTER_EVENTS", "40")
    monkeypatch.setenv("TRACKER_CACHE_SIZE", str(kept_trackers))
    tracker_store = RedactingSQLTrackerStore(domain=domain, host=url)
    yield tracker_store
    tracker_store.engine.dispose()


@pytest.fixture()
def store(domain, store_url: str, monkeypatch) -> RedactingSQLTrackerStore:
    """Every retrieve() reads the database (the in-memory cache has its own tests below)."""
    yield from _store(domain, store_url, monkeypatch, kept_trackers=0)


@pytest.fixture()
def cached_store(domain, store_url: str, monkeypatch) -> RedactingSQLTrackerStore:
    yield from _store(domain, store_url, monkeypatch, kept_trackers=8)


def load_fresh(domain: Domain, url: str, sender: str) -> DialogueStateTracker | None:
    """What another process (nothing cached) loads from the database."""
    other = RedactingSQLTrackerStore(domain=domain, host=url)
    try:
        return run(other.retrieve(sender))
    finally:
        other.engine.dispose()


def turn(tracker: DialogueStateTracker, number: int) -> None:
    """One FAQ turn: user message, answer, back to listening."""
    tracker.update(UserUttered(f"第{number}个问题 医保卡丢了怎么办",
                               {"name": "card_service", "confidence": 0.99}))
    tracker.update(ActionExecuted("utter_card_service"))
    tracker.update(BotUttered(f"第{number}个回答：先挂失"))
    tracker.update(ActionExecuted("action_listen"))


def run(coroutine):
    return asyncio.run(coroutine)


def converse(store: RedactingSQLTrackerStore, domain: Domain, sender: str, turns: int, start: int = 0) -> None:
    """Like Rasa's processor: load, add one turn, save; once per message."""
    for number in range(start, start + turns):
        tracker = run(store.get_or_create_tracker(sender)) or DialogueStateTracker(sender, domain.slots)
        turn(tracker, number)
        run(store.save(tracker))


def test_long_conversation_is_continued_with_its_slots(store, domain) -> None:
    sender = "o-long"
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(SlotSet("person_ref", "p-42"))
    run(store.save(tracker))
    converse(store, domain, sender, turns=60)

    loaded = run(store.retrieve(sender))
    assert len(loaded.events) < 50, "the session the store loads stays small"
    assert loaded.get_slot("person_ref") == "p-42"
    assert isinstance(loaded.events[0], SessionStarted)
    last_user = loaded.get_last_event_for(UserUttered)
    assert last_user.text.startswith("第59个问题")
    assert time.time() - last_user.timestamp < 60, "the session expiry counts from the latest message"

    everything = run(store.retrieve_full_tracker(sender))
    originals = [e.text for e in everything.events
                 if isinstance(e, UserUttered) and not (e.metadata or {}).get("carried_over")]
    assert originals == [f"第{n}个问题 医保卡丢了怎么办" for n in range(60)], "nothing lost or duplicated"


def test_transcript_survives_a_continuation(store, domain) -> None:
    converse(store, domain, "o-transcript", turns=45)
    loaded = run(store.retrieve("o-transcript"))
    lines = recent_transcript(event.as_dict() for event in loaded.events)
    assert len(lines) == 20
    assert lines[-1] == {"sender": "bot", "text": "第44个回答：先挂失"}
    assert lines[0] == {"sender": "user", "text": "第35个问题 医保卡丢了怎么办"}


def test_saving_the_same_tracker_twice_after_a_continuation_adds_only_new_events(store, domain) -> None:
    sender = "o-twice"
    converse(store, domain, sender, turns=15)
    tracker = run(store.retrieve(sender))
    turn(tracker, 100)
    run(store.save(tracker))  # this save starts a continuation
    turn(tracker, 101)
    run(store.save(tracker))  # the same object again: only turn 101 is new
    texts = [e.text for e in run(store.retrieve_full_tracker(sender)).events
             if isinstance(e, UserUttered) and not (e.metadata or {}).get("carried_over")]
    assert texts.count("第100个问题 医保卡丢了怎么办") == 1
    assert texts.count("第101个问题 医保卡丢了怎么办") == 1
    assert texts[-1].startswith("第101个问题")


def test_no_continuation_inside_a_form(store, domain) -> None:
    sender = "o-form"
    converse(store, domain, sender, turns=12)
    tracker = run(store.retrieve(sender))
    from rasa.shared.core.events import ActiveLoop
    tracker.update(UserUttered("查余额", {"name": "query_balance", "confidence": 0.99}))
    tracker.update(ActionExecuted("verification_form"))
    tracker.update(ActiveLoop("verification_form"))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    loaded = run(store.retrieve(sender))
    assert loaded.active_loop_name == "verification_form"
    assert len(loaded.events) == len(tracker.events), "a form in progress is never cut"


def test_switched_off_with_zero(domain, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_COMPACT_AFTER_EVENTS", "0")
    store = RedactingSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'off.db'}")
    converse(store, domain, "o-off", turns=20)
    assert len(run(store.retrieve("o-off")).events) == 1 + 4 * 20, "listen + every turn, never cut"


# ---------------------------------------------------------------- trackers kept between messages

def test_the_saved_tracker_comes_back_without_a_load(cached_store, domain) -> None:
    converse(cached_store, domain, "c-hit", turns=3)
    tracker = run(cached_store.retrieve("c-hit"))
    turn(tracker, 3)
    run(cached_store.save(tracker))
    assert run(cached_store.retrieve("c-hit")) is tracker


def test_a_kept_tracker_is_what_a_load_gives(cached_store, domain, store_url) -> None:
    sender, kept_in_memory = "c-same", 0
    for number in range(50):  # crosses a continuation (40 events)
        tracker = run(cached_store.get_or_create_tracker(sender))
        turn(tracker, number)
        if number == 20:
            tracker.update(SlotSet("person_ref", "p-7"))
        run(cached_store.save(tracker))
        kept = run(cached_store.retrieve(sender))
        kept_in_memory += kept is tracker
        loaded = load_fresh(domain, store_url, sender)
        assert [e.as_dict() for e in kept.events] == [e.as_dict() for e in loaded.events], number
        assert kept.current_slot_values() == loaded.current_slot_values()
        assert kept.latest_message.text == loaded.latest_message.text
        run(cached_store.save(kept))  # hands it back; nothing new is written
    assert kept_in_memory >= 45, "only the saves that started a continuation reload"
    everything = run(cached_store.retrieve_full_tracker(sender))
    originals = [e.text for e in everything.events
                 if isinstance(e, UserUttered) and not (e.metadata or {}).get("carried_over")]
    assert originals == [f"第{n}个问题 医保卡丢了怎么办" for n in range(50)], "nothing lost or duplicated"


def test_another_writer_makes_the_kept_tracker_stale(cached_store, domain, store_url) -> None:
    converse(cached_store, domain, "c-other", turns=2)
    kept = run(cached_store.retrieve("c-other"))
    run(cached_store.save(kept))
    other = RedactingSQLTrackerStore(domain=domain, host=store_url)  # another Rasa server, the console
    elsewhere = run(other.retrieve("c-other"))
    turn(elsewhere, 99)
    run(other.save(elsewhere))
    other.engine.dispose()
    loaded = run(cached_store.retrieve("c-other"))
    assert loaded is not kept
    assert loaded.get_last_event_for(UserUttered).text.startswith("第99个问题")


def test_a_turn_with_an_identifier_is_loaded_redacted(cached_store, domain) -> None:
    converse(cached_store, domain, "c-id", turns=1)
    tracker = run(cached_store.retrieve("c-id"))
    tracker.update(UserUttered("420102198506120310", {"name": "inform", "confidence": 0.99}))
    tracker.update(ActionExecuted("action_listen"))
    run(cached_store.save(tracker))
    loaded = run(cached_store.retrieve("c-id"))
    assert loaded is not tracker
    assert "420102198506120310" not in loaded.latest_message.text


def test_the_cache_is_bounded_and_a_retrieved_tracker_is_not_shared(cached_store, domain) -> None:
    saved = {}
    for number in range(10):  # the fixture keeps 8
        sender = f"c-lru-{number}"
        converse(cached_store, domain, sender, turns=1)
        saved[sender] = run(cached_store.retrieve(sender))
        run(cached_store.save(saved[sender]))
    assert run(cached_store.retrieve("c-lru-0")) is not saved["c-lru-0"], "the oldest was dropped"
    assert run(cached_store.retrieve("c-lru-9")) is saved["c-lru-9"]
    assert run(cached_store.retrieve("c-lru-9")) is not saved["c-lru-9"], "retrieved once, loaded next time"


def _silent_turn(tracker: DialogueStateTracker, text: str) -> None:
    """A turn whose custom action failed: Rasa logged it and predicted listening, no bot message."""
    tracker.update(UserUttered(text, {"name": "query_balance", "confidence": 0.97}))
    tracker.update(ActionExecuted("action_personal_query"))
    tracker.update(ActionExecuted("action_listen"))


def _answers_after_last_question(tracker: DialogueStateTracker) -> list[BotUttered]:
    events = list(tracker.events)
    last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
    return [e for e in events[last_user:] if isinstance(e, BotUttered)]


def test_a_turn_rasa_ended_silently_is_stored_with_the_answer_the_channel_sent(
        store, domain, store_url, records_db_url, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", records_db_url)  # where silent_reply looks for open tickets
    sender = "rest:o-silent"
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, 1)
    _silent_turn(tracker, "我的医保余额还有多少")
    run(store.save(tracker))

    stored = load_fresh(domain, store_url, sender)
    answers = _answers_after_last_question(stored)
    assert [a.text for a in answers] == [BUSY_TEXT]
    assert answers[0].metadata == {SILENT_REPLY_KEY: True}
    # the answered turn before it is untouched
    assert [e.text for e in stored.events if isinstance(e, BotUttered)] == ["第1个回答：先挂失", BUSY_TEXT]


def test_a_paused_conversation_and_an_old_turn_saved_again_get_no_invented_answer(
        store, domain, store_url, records_db_url, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", records_db_url)
    sender = "rest:o-paused"
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(ConversationPaused())
    tracker.update(UserUttered("人工客服在吗", {"name": "human_handoff", "confidence": 0.99}))
    run(store.save(tracker))  # 转人工: the message is for the agent, Rasa says nothing
    assert _answers_after_last_question(load_fresh(domain, store_url, sender)) == []

    # the agent console resumes the conversation: the same unanswered turn is saved again
    tracker = run(store.retrieve(sender))
    tracker.update(ConversationResumed())
    run(store.save(tracker))
    assert _answers_after_last_question(load_fresh(domain, store_url, sender)) == []
