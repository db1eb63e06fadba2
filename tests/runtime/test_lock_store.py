"""The atomic Redis lock store: two 'servers' (two store instances) hammering one conversation's
ticket queue never drop a queue someone still holds a ticket in (the stock RedisLockStore does)."""

from __future__ import annotations

import os
import threading
import uuid
from urllib.parse import urlparse

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.runtime.lock_store import AtomicRedisLockStore

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (.ci/run sets it to the local Redis)")


def store() -> AtomicRedisLockStore:
    parsed = urlparse(REDIS_URL)
    config = EndpointConfig(url=parsed.hostname, port=parsed.port or 6379,
                            db=int((parsed.path or "/0").strip("/") or 0), key_prefix="yibaotest")
    return AtomicRedisLockStore(config)


def test_a_queue_in_use_is_never_removed_by_another_servers_cleanup() -> None:
    servers, conversation = [store(), store()], f"lock-{uuid.uuid4().hex}"
    issued: list[int] = []
    guard = threading.Lock()

    def work(server: AtomicRedisLockStore) -> None:
        for _ in range(50):
            ticket = server.issue_ticket(conversation, lock_lifetime=30)
            with guard:
                issued.append(ticket)
            # Someone still waits with this ticket while others clean up theirs.
            assert server.get_lock(conversation) is not None
            server.cleanup(conversation, ticket)

    threads = [threading.Thread(target=work, args=(servers[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(issued) == 200
    assert servers[0].get_lock(conversation) is None, "an empty queue is removed"


def test_a_waiting_ticket_keeps_the_queue() -> None:
    first, second = store(), store()
    conversation = f"lock-{uuid.uuid4().hex}"
    mine = first.issue_ticket(conversation)
    theirs = second.issue_ticket(conversation)
    assert theirs == mine + 1
    first.cleanup(conversation, mine)
    lock = second.get_lock(conversation)
    assert lock is not None and not lock.is_locked(theirs), "the waiting server is served next"
    second.cleanup(conversation, theirs)
    assert second.get_lock(conversation) is None
