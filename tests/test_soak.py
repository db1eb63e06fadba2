"""Soak (CI length): concurrent simulated users on a private action server + `rasa run`.

The full run is `.venv/bin/python -m bench.soak` (200 users, 10 minutes); this is the same core
(bench/soak.py) for 30 seconds, with shorter pauses so each user's conversation grows long
enough for the tracker store to start continuation sessions (bot/runtime/tracker_store.py).
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bench.soak import SoakResult, _turn_problems, check_tracker_db, check_trackers_http, drive
from bot.runtime.tracker_store import CARRIED_OVER_KEY
from tests.support.assistant import copy_sqlite_database, rasa_env, start_action_server
from tests.support.server import start_rasa_server, stop, write_endpoints

USERS = 30
SECONDS = 30.0
THINK_S = (0.1, 0.5)


@pytest.fixture(scope="module")
def soak_system(trained_model, records_db_url, tmp_path_factory):
    """Private servers: the soak's load and conversations must not reach the shared ones."""
    folder = tmp_path_factory.mktemp("soak")
    db_file = folder / "records.db"
    copy_sqlite_database(records_db_url, db_file)
    # Continuation sessions after 40 events (production: 150) so that 30 s of conversation crosses
    # several of them: the tracker check must hold across those boundaries too.
    env = {"DATABASE_URL": f"sqlite:///{db_file}", "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
           "TRACKER_COMPACT_AFTER_EVENTS": "40"}
    actions, action_url = start_action_server(rasa_env(**env), folder / "actions.log")
    endpoints = write_endpoints(folder / "endpoints.yml", action_url)
    try:
        rasa, base = start_rasa_server(trained_model, endpoints, folder / "rasa.log", **env)
    except Exception:
        stop(actions)
        raise
    yield base, folder
    stop(rasa)
    stop(actions)


def test_concurrent_users_each_get_one_reply_per_message_and_nothing_is_lost(soak_system, capsys) -> None:
    base, folder = soak_system
    tracker_db = folder / "tracker.db"
    result = asyncio.run(drive(base, USERS, SECONDS, THINK_S, prefix="ci-soak"))
    asyncio.run(check_trackers_http(base, result))
    check_tracker_db(tracker_db, result)
    with capsys.disabled():
        print("\n" + result.summary())

    assert result.messages >= USERS * 5, "the soak must really load the server"
    assert result.status_5xx == 0 and not result.errors, (result.errors[:5], server_errors(folder))
    # 「系统繁忙」 stands in for a turn whose custom action failed (overload on a shared CI machine can
    # cause one); a broken action server would make it the usual answer.
    assert result.busy <= result.messages // 20, server_errors(folder)
    assert result.replies == result.messages
    assert not result.tracker_problems, (result.tracker_problems[:5], server_errors(folder))
    # Some conversations must have gone through verification and a personal answer from records.
    assert result.verified > 0
    continuations = sqlite3.connect(tracker_db).execute(
        "select count(*) from events where type_name = 'session_started' and data like '%continued_from%'").fetchone()[0]
    assert continuations >= USERS, "the soak must cross continuation sessions"


def server_errors(folder, limit: int = 30) -> list[str]:
    """The servers' error lines, so that a failure in CI says what went wrong on the servers."""
    lines = []
    for log in ("rasa.log", "actions.log"):
        text = (folder / log).read_text(encoding="utf-8", errors="replace").splitlines()
        lines += [f"{log}: {line}" for line in text if " ERROR " in line or "Exception" in line or "Error:" in line]
    return lines[-limit:]


def test_the_tracker_check_sees_lost_duplicated_and_unanswered_messages() -> None:
    """The soak's verdict is only worth something if its comparison can fail."""
    sent = ["你好", "医保卡丢了怎么办", "420102198506120310"]

    def turns(*texts: str, answered: bool = True) -> list[dict]:
        events: list[dict] = []
        for text in texts:
            events.append({"event": "user", "text": text})
            if answered:
                events.append({"event": "bot", "text": "好的"})
        return events

    stored = ["你好", "医保卡丢了怎么办", "4201**********0310"]  # the store redacts the ID number
    assert _turn_problems("u", turns(*stored), sent) == []
    assert _turn_problems("u", turns(*stored[:2]), sent)  # lost
    assert _turn_problems("u", turns(stored[0], *stored), sent)  # duplicated
    assert _turn_problems("u", turns(stored[1], stored[0], stored[2]), sent)  # reordered
    assert _turn_problems("u", turns(*sent), sent)  # stored without redaction
    assert _turn_problems("u", turns(*stored, answered=False), sent)  # no bot answer
    carried = turns(*stored) + [{"event": "session_started"}, {"event": "user", "text": stored[-1],
                                "metadata": {CARRIED_OVER_KEY: True}}, {"event": "bot", "text": "好的"}]
    assert _turn_problems("u", carried, sent) == []  # a continuation's marked copy is no duplicate
    carried[-2]["metadata"] = {}
    assert _turn_problems("u", carried, sent)  # an unmarked copy is
    assert not SoakResult(users=1, seconds=1.0).ok  # nothing sent is not a pass
