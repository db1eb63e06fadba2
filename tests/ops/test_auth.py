"""Operator passwords, sessions, CSRF tokens and the bearer token."""

from __future__ import annotations

import pytest

from bot.ops import auth
from bot.records.db import session_scope
from bot.records.models import Operator


def test_password_is_stored_salted_and_checked() -> None:
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first != second and "correct" not in first  # a random salt each time
    assert auth.password_matches("correct horse", first)
    assert not auth.password_matches("wrong horse!", first)
    assert not auth.password_matches("correct horse", "plain-text")


def test_operator_logs_in_with_their_password_only(ops_url) -> None:
    with session_scope(ops_url) as session:
        auth.add_operator(session, "审核员", "a long password")
    with session_scope(ops_url) as session:
        stored = session.query(Operator).one()
        assert stored.password_hash.startswith("scrypt$")
        assert auth.authenticate(session, "审核员", "a long password")
        assert not auth.authenticate(session, "审核员", "another password")
        assert not auth.authenticate(session, "nobody", "a long password")


def test_short_password_is_refused(ops_url) -> None:
    with session_scope(ops_url) as session, pytest.raises(ValueError, match="密码至少"):
        auth.add_operator(session, "alice", "short")


def test_session_cookie_names_the_operator_until_it_expires() -> None:
    value = auth.session_value("审核员", now=1000.0)
    assert auth.operator_from_session(value, now=1001.0) == "审核员"
    assert auth.operator_from_session(value, now=1000.0 + auth.SESSION_SECONDS + 1) is None
    name, expires, signature = value.split(".")
    forged = f"{name}.{int(expires) + 3600}.{signature}"
    assert auth.operator_from_session(forged, now=1001.0) is None
    cookie = auth.session_cookie(value, secure=False)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ops" in cookie


def test_csrf_token_belongs_to_one_session() -> None:
    one, other = auth.session_value("a"), auth.session_value("b")
    assert auth.csrf_ok(one, auth.csrf_token(one))
    assert not auth.csrf_ok(other, auth.csrf_token(one))
    assert not auth.csrf_ok(one, None)


def test_bearer_token_needs_a_configured_long_token() -> None:
    env = {"OPS_TOKEN": "t" * 32}
    assert auth.bearer_ok({"authorization": "Bearer " + "t" * 32}, env)
    assert not auth.bearer_ok({"authorization": "Bearer wrong"}, env)
    assert not auth.bearer_ok({"authorization": "Bearer "}, {"OPS_TOKEN": ""})
    assert not auth.bearer_ok({}, env)
