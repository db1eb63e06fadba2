"""Scale-out on loopback: two `rasa run` servers share one PostgreSQL tracker store and one Redis lock
store, configured by the production file endpoints.production.yml (see docs/deploy.md).

One action server serves both, with its records store on PostgreSQL too. A conversation alternates
message by message between the servers — identity verification started on A and finished on B, then
personal queries on both — and keeps its state, slots and verification. Both servers wait for a
lock this test holds in Redis, so the lock really is shared. Simultaneous messages of one sender are
serialised on one server (sticky routing); spread over both servers they are an expected failure while
Rasa's stock, non-atomic RedisLockStore is configured (docs/deploy.md explains why). Needs
TEST_POSTGRES_URL and REDIS_URL (set by .ci/run); skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from bot.privacy import redact_text
from bot.secrets import ACTION_SERVER_TOKEN, secret
from tests.support.assistant import ROOT, rasa_env, start_action_server
from tests.support.server import start_rasa_server, stop

PRODUCTION_ENDPOINTS = ROOT / "endpoints.production.yml"
# 张伟, the first demo persona (data/demo/personas.yml): name, last 4 digits of the phone, ID number.
NAME, PHONE_LAST4, ID_NUMBER = "张伟", "4567", "420102198506120310"
LOCK_KEY_PREFIX = "yibao"  # key_prefix in endpoints.production.yml
BUSY = "系统繁忙"
MONTH_GRID = re.compile(r"\d{4}年：[■□·]{12}")
MONEY = re.compile(r"\d+(\.\d{2})?\s*元")


def _required_urls() -> tuple[str, str]:
    missing = [name for name in ("TEST_POSTGRES_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not set: the scale-out test needs PostgreSQL and Redis "
                    "(e.g. TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test "
                    "REDIS_URL=redis://127.0.0.1:6379/0, as .ci/run sets them)")
    return os.environ["TEST_POSTGRES_URL"], os.environ["REDIS_URL"]


# ---------------------------------------------------------------- private databases


@dataclass
class PrivateDatabases:
    """Two throw-away databases on the TEST_POSTGRES_URL server: records and tracker store."""

    server_url: str
    records_url: str
    tracker_url: str
    names: tuple[str, str]


def _admin_engine(server_url: str):
    from sqlalchemy import create_engine

    # CREATE/DROP DATABASE cannot run inside a transaction block.
    return create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)


def _create_databases(server_url: str) -> PrivateDatabases:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    stem = f"yibao_scale_{uuid.uuid4().hex[:10]}"
    names = (f"{stem}_records", f"{stem}_tracker")
    engine = _admin_engine(server_url)
    try:
        with engine.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL at {make_url(server_url).render_as_string(hide_password=True)} is not "
                    f"reachable: {error.orig}")
    finally:
        engine.dispose()
    base = make_url(server_url)

    def url_of(name: str) -> str:
        return base.set(database=name).render_as_string(hide_password=False)

    return PrivateDatabases(server_url, url_of(names[0]), url_of(names[1]), names)


def _drop_databases(databases: PrivateDatabases) -> None:
    from sqlalchemy import text

    from bot.records import db

    db.dispose_engines()  # this process's pooled connections to the records database
    engine = _admin_engine(databases.server_url)
    try:
        with engine.connect() as connection:
            for name in databases.names:
                # FORCE: a server killed mid-test may leave connections behind (PostgreSQL >= 13).
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


# ---------------------------------------------------------------- Redis


def _redis_settings(redis_url: str) -> dict[str, str]:
    """The REDIS_* variables endpoints.production.yml reads, from one redis:// URL."""
    parsed = urlparse(redis_url)
    return {
        "REDIS_HOST": parsed.hostname or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_DB": (parsed.path or "/0").strip("/") or "0",
        "REDIS_PASSWORD": unquote(parsed.password or ""),
    }


def _lock_store(redis_url: str):
    """A client of the very lock the servers use (same Redis database and key prefix)."""
    from rasa.core.lock_store import RedisLockStore

    settings = _redis_settings(redis_url)
    return RedisLockStore(host=settings["REDIS_HOST"], port=settings["REDIS_PORT"], db=settings["REDIS_DB"],
                          password=settings["REDIS_PASSWORD"] or None, key_prefix=LOCK_KEY_PREFIX)


def _check_redis(redis_url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_timeout=3).ping()
    except redis.RedisError as error:
        host = urlparse(redis_url).hostname
        pytest.skip(f"Redis at {host}:{urlparse(redis_url).port or 6379} is not reachable: {error}")


# ---------------------------------------------------------------- the cluster


@dataclass
class Cluster:
    a: str
    b: str
    databases: PrivateDatabases
    redis_url: str
    logs: Path


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory) -> Iterator[Cluster]:
    pg_url, redis_url = _required_urls()
    _check_redis(redis_url)
    from bot.records.__main__ import migrate, seed

    logs = tmp_path_factory.mktemp("scale_out")
    databases = _create_databases(pg_url)  # skips when PostgreSQL does not answer
    processes = []
    try:
        trained_model = request.getfixturevalue("trained_model")  # only after the skips: it may train
        migrate(databases.records_url)
        seed(databases.records_url)
        actions, action_url = start_action_server(rasa_env(DATABASE_URL=databases.records_url),
                                                  logs / "actions.log")
        processes.append(actions)
        env = {
            "ACTION_SERVER_URL": action_url,
            "TRACKER_STORE_URL": databases.tracker_url,
            "DATABASE_URL": databases.records_url,  # the channels' busy/handoff answer reads it
            "REDIS_URL": redis_url,  # WeChat dedup and access token (unused by REST, set as in production)
            # production names the action server's shared secret; here it is the one in var/
            "ACTION_SERVER_TOKEN": secret(ACTION_SERVER_TOKEN),
            **_redis_settings(redis_url),
        }
        # Both replicas start at once, as they would in a rollout: they race to create the tracker tables.
        with ThreadPoolExecutor(2) as pool:
            starts = [pool.submit(start_rasa_server, trained_model, PRODUCTION_ENDPOINTS, logs / f"rasa_{n}.log",
                                  **env) for n in ("a", "b")]
        # Keep whichever started, so that `finally` stops it even when the other one failed.
        processes += [start.result()[0] for start in starts if start.exception() is None]
        servers = [start.result() for start in starts]  # raises the first start-up error, if any
        yield Cluster(servers[0][1], servers[1][1], databases, redis_url, logs)
    finally:
        with ThreadPoolExecutor(max(1, len(processes))) as pool:  # each takes seconds to shut down
            list(pool.map(stop, processes))
        _drop_databases(databases)


# ---------------------------------------------------------------- HTTP helpers


def say(base: str, sender: str, text: str, timeout: float = 60) -> str:
    """One message through the REST channel; the reply texts joined by newlines."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        assert reply.status == 200
        messages = json.load(reply)
    return "\n".join(m.get("text", "") for m in messages)


def tracker(base: str, sender: str) -> dict:
    """The conversation a REST sender gets on the server ("rest:<sender>")."""
    url = f"{base}/conversations/{urllib.request.quote('rest:' + sender, safe=':')}/tracker"
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.load(reply)


def user_texts(state: dict) -> list[str]:
    return [event.get("text") for event in state["events"] if event["event"] == "user"]


def new_sender(label: str) -> str:
    return f"scale-{label}-{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------- tests


def test_one_conversation_alternates_between_two_servers(cluster: Cluster) -> None:
    a, b, user = cluster.a, cluster.b, new_sender("alternate")

    assert "姓名" in say(a, user, "验证身份")
    # B has not seen this user yet, but knows the open form from the shared tracker store.
    opened = tracker(b, user)
    assert opened["active_loop"].get("name") == "verification_form"
    assert opened["slots"]["requested_slot"] == "person_name"

    assert "手机号后4位" in say(b, user, NAME)
    assert "身份证" in say(a, user, PHONE_LAST4)
    assert "验证成功" in say(b, user, ID_NUMBER)  # started on A, finished on B

    on_a, on_b = tracker(a, user), tracker(b, user)
    assert on_a["slots"] == on_b["slots"]
    assert on_a["slots"]["person_ref"], "verification did not set person_ref"
    assert ID_NUMBER not in json.dumps(on_a, ensure_ascii=False)  # the redacting store held

    balance = say(a, user, "我的医保余额还有多少")
    assert MONEY.search(balance) and "截至" in balance, balance
    assert "验证身份" not in balance  # still verified on A after verifying on B
    records = say(b, user, "查一下我的缴费记录")
    assert MONTH_GRID.search(records), records
    assert "验证身份" not in records
    place = say(a, user, "我的医保是在哪里参保的")
    assert "参保地" in place and "武汉" in place, place

    on_a, on_b = tracker(a, user), tracker(b, user)
    assert on_a["slots"] == on_b["slots"]
    assert on_a["events"] == on_b["events"]
    # Every message is stored once, in order, whichever server took it; the ID number only redacted.
    assert user_texts(on_a) == ["验证身份", NAME, PHONE_LAST4, redact_text(ID_NUMBER), "我的医保余额还有多少",
                                "查一下我的缴费记录", "我的医保是在哪里参保的"], user_texts(on_a)


def test_both_servers_wait_for_the_shared_redis_lock(cluster: Cluster) -> None:
    """Proves the servers take the conversation lock in the shared Redis (not in their own memory):
    while this test holds a ticket for the sender, neither server may process the sender's message."""
    for base in (cluster.a, cluster.b):
        user = new_sender("lock")
        started = time.monotonic()
        assert "补办" in say(base, user, "社保卡丢了怎么补办")
        # Held clearly longer than an unlocked answer takes, so that waiting is not just slowness.
        held = max(4.0, 3 * (time.monotonic() - started) + 2)

        lock_store = _lock_store(cluster.redis_url)
        conversation = f"rest:{user}"  # the REST channel's conversation id for this sender
        lock_store.issue_ticket(conversation, lock_lifetime=held)
        try:
            started = time.monotonic()
            answer = say(base, user, "医保电子凭证怎么激活")
            waited = time.monotonic() - started
        finally:
            lock_store.delete_lock(conversation)  # Rasa keys have no TTL: leave nothing in a shared Redis
        # The server's ticket comes after ours, which only expires `held` seconds after it was issued.
        assert waited >= held - 0.5, f"{base} answered after {waited:.1f} s while the lock was held {held:.1f} s"
        assert "激活" in answer and BUSY not in answer, answer


CONCURRENT = {  # message -> what its complete answer contains (the user is verified)
    "我的医保断缴了怎么办": "依据",
    "社保卡丢了怎么补办": "补办",
    "我医保卡里还有多少钱": "元",
    "查一下我的缴费记录": "■",
    "医保电子凭证怎么激活": "激活",
    "生育津贴怎么领": "生育",
}


def _send_all_at_once(servers: tuple[str, ...], user: str) -> dict[str, str]:
    """Sends every CONCURRENT message at the same moment, spread round-robin over `servers`."""
    messages = list(CONCURRENT)
    barrier = threading.Barrier(len(messages))

    def send(index: int) -> tuple[str, str]:
        barrier.wait()  # all requests leave together
        return messages[index], say(servers[index % len(servers)], user, messages[index], timeout=120)

    with ThreadPoolExecutor(len(messages)) as pool:
        return dict(pool.map(send, range(len(messages))))


def _check_serialised(cluster: Cluster, user: str, answers: dict[str, str], earlier_messages: int) -> None:
    for text, must_contain in CONCURRENT.items():
        assert answers[text].strip() and BUSY not in answers[text], (text, answers[text])
        assert must_contain in answers[text], (text, answers[text])

    state = tracker(cluster.a, user)
    assert tracker(cluster.b, user)["events"] == state["events"]
    stored = user_texts(state)
    for text in CONCURRENT:
        assert stored.count(text) == 1, (text, stored)  # none lost, none doubled
    assert len(stored) == earlier_messages + len(CONCURRENT), stored

    # Serialised turns: every user message is followed by its bot answer and an action_listen
    # before the next user message starts.
    turns: list[list[dict]] = []
    for event in state["events"]:
        if event["event"] == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    for text, turn in zip(stored[earlier_messages:], turns[earlier_messages:], strict=True):
        assert any(e["event"] == "bot" for e in turn), (text, turn)
        actions = [e.get("name") for e in turn if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", (text, actions)


def _verified_user(cluster: Cluster, label: str) -> str:
    user = new_sender(label)
    for server, text in ((cluster.a, "验证身份"), (cluster.b, NAME), (cluster.a, PHONE_LAST4),
                         (cluster.b, ID_NUMBER)):
        say(server, user, text)
    return user


def test_concurrent_messages_of_one_sender_on_one_server(cluster: Cluster) -> None:
    """Sticky routing (docs/deploy.md): a user's simultaneous messages reach one replica, whose
    conversation lock serialises them."""
    user = _verified_user(cluster, "sticky")
    _check_serialised(cluster, user, _send_all_at_once((cluster.a,), user), earlier_messages=4)


def test_concurrent_messages_of_one_sender_on_both_servers(cluster: Cluster) -> None:
    """Without sticky routing: simultaneous messages of one user spread over A and B."""
    user = _verified_user(cluster, "concurrent")
    _check_serialised(cluster, user, _send_all_at_once((cluster.a, cluster.b), user), earlier_messages=4)
