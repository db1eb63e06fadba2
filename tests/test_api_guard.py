"""A Rasa server with --enable-api and no token refuses to start (bot/api_guard.py)."""

from __future__ import annotations

from bot.api_guard import open_api_problem


def test_open_api_is_refused_and_token_options_accepted() -> None:
    base = ["rasa", "run", "--enable-api", "-p", "5005"]
    assert "jwt-secret" in open_api_problem(base, {})
    assert open_api_problem(base + ["--jwt-secret", "s"], {}) is None
    assert open_api_problem(base + ["--auth-token=s"], {}) is None
    assert open_api_problem(["rasa", "run"], {}) is None  # no API, nothing to protect
    assert open_api_problem(base, {"ALLOW_UNAUTHENTICATED_API": "1"}) is None
