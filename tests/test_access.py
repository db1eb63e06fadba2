"""bot/access.py on a real seeded SQLite database with a pinned clock: who asks, whose data, may
they, read, audit — and the identity rules of bot/identity.py it relies on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot import access
from bot.identity import ChannelUser, issue_token, person_from_token
from bot.records import audit
from bot.records.db import session_scope
from tests.support.assistant import copy_sqlite_database

NOW = datetime(2025, 11, 18, 10, 30)
ZHANG = ("张伟", "420102198506120310", "4567")
LIU = ("刘建国", "440300197808301317", "5678")


@pytest.fixture()
def records(records_db_url, tmp_path, monkeypatch) -> str:
    """A private copy of the seeded records, used by every session_scope() in bot.access."""
    target = tmp_path / "records.db"
    copy_sqlite_database(records_db_url, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_conversation_ids_keep_channels_apart() -> None:
    assert ChannelUser.parse("wechat:o_x") == ChannelUser("wechat", "o_x", "wechat:o_x")
    assert ChannelUser.parse("rest:wechat:o_x").channel == "rest"  # what a REST client gets for "wechat:o_x"
    legacy = ChannelUser.parse("o_x")
    assert legacy.channel == "rest" and not legacy.can_bind and legacy.conversation_id == "o_x"


def test_token_counts_only_in_its_conversation_and_lifetime() -> None:
    wechat, rest = ChannelUser.of("wechat", "o_x"), ChannelUser.of("rest", "o_x")
    token = issue_token("P-1", wechat, NOW)
    assert person_from_token(token, wechat, NOW + timedelta(minutes=5)) == "P-1"
    assert person_from_token(token, rest, NOW) is None
    assert person_from_token(token, wechat, NOW + timedelta(hours=3)) is None  # re-verify after 2 h
    assert person_from_token("P-1", wechat, NOW) is None  # a bare ref (old trackers) is not a verification
    forged = token.replace("P-1", "P-2")
    assert person_from_token(forged, wechat, NOW) is None


def test_tokens_survive_the_tracker_stores_redaction() -> None:
    """A token is stored in slot person_ref, and the store redacts digit runs that look like phone or
    ID numbers: no token may contain one, whatever its signature."""
    from bot.privacy import redact_text

    for n in range(2000):
        token = issue_token("P-1", ChannelUser.of("rest", f"user-{n}"), NOW)
        assert redact_text(token) == token, token


def test_unverified_asker_reads_nothing_and_nothing_is_audited(records) -> None:
    answer = access.read_personal(access.Asker.of("rest:someone"), "query_balance", now=NOW)
    assert answer.unverified and answer.text is None


def test_verified_asker_reads_own_balance_once_audited(records) -> None:
    outcome = access.verify(access.Asker.of("rest:owner"), *ZHANG, now=NOW)
    assert outcome.ok and outcome.token
    asker = access.Asker.of("rest:owner", outcome.token)
    answer = access.read_personal(asker, "query_balance", now=NOW + timedelta(minutes=1))
    assert "元" in answer.text
    with session_scope() as session:
        ref = access.person_of(session, asker, NOW)
        rows = audit.accesses_to(session, ref)
    assert [(r.what, r.channel) for r in rows] == [("个人账户余额", "rest")]
    # The same token presented by another conversation is nobody.
    stolen = access.Asker.of("rest:thief", outcome.token)
    assert access.read_personal(stolen, "query_balance", now=NOW).unverified


def test_family_member_needs_an_authorisation(records) -> None:
    token = access.verify(access.Asker.of("rest:liu"), *LIU, now=NOW).token
    asker = access.Asker.of("rest:liu", token)
    assert access.read_personal(asker, "query_payment_records", "女儿", now=NOW).text
    assert access.read_personal(asker, "query_balance", "妈妈", now=NOW).not_authorised_relation


def test_wechat_binding_expires_and_new_binding_is_announced(records, monkeypatch) -> None:
    sent: list[tuple[str, str, str]] = []

    def notify(channel: str, user: str, text: str) -> bool:
        sent.append((channel, user, text))
        return True

    first = access.verify(access.Asker.of("wechat:o_first"), *ZHANG, now=NOW, notify=notify)
    assert first.ok and sent == []
    second = access.verify(access.Asker.of("wechat:o_second"), *ZHANG, now=NOW, notify=notify)
    assert second.ok and [(c, u) for c, u, _ in sent] == [("wechat", "o_first")] and "另一个微信" in sent[0][2]
    bound = access.Asker.of("wechat:o_first")  # no token: the binding answers
    assert access.is_verified(bound, NOW + timedelta(days=179))
    # ... and gives the conversation a token of its own, so the dialogue sees a verified user
    answer = access.read_personal(bound, "query_balance", now=NOW + timedelta(days=1))
    assert answer.text and person_from_token(answer.token, bound.who, NOW + timedelta(days=1))
    monkeypatch.setenv("BINDING_MAX_DAYS", "30")
    assert not access.is_verified(bound, NOW + timedelta(days=31))
    assert access.unbind(access.Asker.of("wechat:o_second")) and not access.is_verified(
        access.Asker.of("wechat:o_second"), NOW)
