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
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import RedactingSQLTrackerStore
from bot.transcript import recent_transcript
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


@pytest.fixture()
def store(domain, store_url: str, monkeypatch) -> RedactingSQLTrackerStore:
    monkeypatch.setenv("TRACKER_COMPACT_AFTER_EVENTS", "40")
    tracker_store = RedactingSQLTrackerStore(domain=domain, host=store_url)
    yield tracker_store
    tracker_store.engine.dispose()


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
