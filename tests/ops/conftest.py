"""Operator tables on real databases: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set (each
test database its own schema, dropped afterwards; see tests/records/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.ops import turns
from bot.records.migrate import upgrade
from tests.records.conftest import BACKENDS, DatabaseFactory, _pg_url


@pytest.fixture(scope="session", params=BACKENDS)
def ops_backend(request) -> str:
    if request.param == "postgresql":
        _pg_url()  # skips with the reason when TEST_POSTGRES_URL is unset
    return request.param


@pytest.fixture(scope="session")
def ops_databases(ops_backend, tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(ops_backend, tmp_path_factory.mktemp(f"ops_{ops_backend}"))
    yield factory
    factory.close()


@pytest.fixture()
def ops_url(ops_databases) -> str:
    """A brand-new records database migrated to head."""
    url = ops_databases.new()
    upgrade(url)
    return url


def make_turn(question: str, outcome: str = "answered", intent: str | None = "lapse", confidence: float = 0.9,
              faq_key: str | None = None, channel: str = "rest", at: datetime | None = None,
              reply_ms: int = 20) -> turns.Turn:
    turn = turns.Turn(channel=channel, question=question)
    turn.outcome, turn.intent, turn.confidence, turn.faq_key, turn.reply_ms = outcome, intent, confidence, faq_key, reply_ms
    if at is not None:
        turn.at = at
    return turn
