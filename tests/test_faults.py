"""Faults on loopback: the action server dies, the records database disappears, the Rasa server restarts.

The user always gets an answer (「系统繁忙…12393」 within 5 s while something is down), and the
conversation — including verification — carries on once it is back.
"""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.support.assistant import copy_sqlite_database, rasa_env, start_action_server
from tests.support.server import say, start_rasa_server, stop, write_endpoints

PERSONA = ("张伟", "4567", "420102198506120310")


@pytest.fixture()
def system(trained_model, records_db_url, tmp_path):
    """A private action server + Rasa server (the shared ones must survive this test)."""
    db_file = tmp_path / "records.db"
    copy_sqlite_database(records_db_url, db_file)
    env = {"DATABASE_URL": f"sqlite:///{db_file}", "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"}
    actions, action_url = start_action_server(rasa_env(**env), tmp_path / "actions.log")
    endpoints = write_endpoints(tmp_path / "endpoints.yml", action_url)
    rasa, base = start_rasa_server(trained_model, endpoints, tmp_path / "rasa.log", **env)
    state = {"model": trained_model, "actions": actions, "rasa": rasa, "base": base, "env": env, "db_file": db_file,
             "endpoints": endpoints, "action_port": int(action_url.rsplit(":", 1)[1].split("/")[0])}
    yield state
    stop(state["rasa"])
    stop(state["actions"])


def restart_actions_on(port: int, env: dict, log) -> object:
    import subprocess
    import sys
    from pathlib import Path

    from tests.support.assistant import ROOT, wait_for

    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("rasa")), "run", "actions", "--actions", "actions", "-p", str(port)],
        cwd=ROOT, env={**rasa_env(**env), "SANIC_HOST": "127.0.0.1"}, stdout=open(log, "w"),
        stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/health", process)
    return process


def last_bot_event(system: dict, user: str) -> dict:
    tracker_db = system["env"]["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        data = db.execute("select data from events where sender_id = ? and type_name = 'bot' order by id desc limit 1",
                          (f"rest:{user}",)).fetchone()[0]
    event = json.loads(data)
    return {"text": event["text"], "silent_reply": (event.get("metadata") or {}).get("silent_reply", False)}


def test_failures_get_a_polite_answer_and_the_conversation_recovers(system, tmp_path) -> None:
    base, user = system["base"], f"fault-{time.time_ns()}"
    assert "依据" in say(base, user, "我职工医保断了4个月")[0]

    stop(system["actions"])  # the action server dies
    answer, seconds = say(base, user, "住院花了2万三级医院能报多少")
    assert "系统繁忙" in answer and "12393" in answer and seconds < 5
    assert last_bot_event(system, user) == {"text": answer, "silent_reply": True}  # the record shows what the user saw
    system["actions"] = restart_actions_on(system["action_port"], system["env"], tmp_path / "actions2.log")
    assert "依据" in say(base, user, "住院花了2万三级医院能报多少")[0]

    say(base, user, "验证身份")
    for part in PERSONA:
        reply = say(base, user, part)[0]
    assert "验证成功" in reply

    hidden = system["db_file"].with_suffix(".hidden")
    system["db_file"].rename(hidden)  # the records database goes away
    try:
        answer, seconds = say(base, user, "我的医保余额还有多少")
        assert "系统繁忙" in answer and seconds < 5 and "元" not in answer
    finally:
        system["db_file"].unlink(missing_ok=True)  # sqlite may have created an empty file
        hidden.rename(system["db_file"])
    assert "元" in say(base, user, "我的医保余额还有多少")[0]

    stop(system["rasa"])  # the Rasa server restarts: the conversation comes back from the SQL tracker store
    system["rasa"], base = start_rasa_server(system["model"], system["endpoints"], tmp_path / "rasa2.log",
                                             **system["env"])
    records = say(base, user, "我的缴费记录")[0]
    assert "■" in records and "验证" not in records  # still verified: no new offer to verify
