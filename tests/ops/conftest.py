"""Operator tables on real databases: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set (each
test database its own schema, dropped afterwards; see tests/records/conftest.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.ops import turns
from bot.records.migrate import upgrade

# The records tests' backends (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set) and database factory.
from tests.records.conftest import backend, databases  # noqa: F401


@pytest.fixture()
def ops_url(databases) -> str:  # noqa: F811 (the imported fixture)
    """A brand-new records database migrated to head."""
    url = databases.new()
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
