"""Secrets generated once into a 0600 file, or taken from the environment (bot/secrets.py)."""

from __future__ import annotations

import stat

from bot import secrets as s


def test_generated_secret_is_kept_private_and_stable(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(s, "SECRET_DIR", tmp_path)
    monkeypatch.delenv(s.ACTION_SERVER_TOKEN, raising=False)
    first = s.secret(s.ACTION_SERVER_TOKEN)
    assert len(first) >= 40 and s.secret(s.ACTION_SERVER_TOKEN) == first
    mode = stat.S_IMODE((tmp_path / "action_server_token").stat().st_mode)
    assert mode == 0o600
    monkeypatch.setenv(s.ACTION_SERVER_TOKEN, "from-the-environment")
    assert s.secret(s.ACTION_SERVER_TOKEN) == "from-the-environment"


def test_jwt_secret_file_never_overwrites_the_generated_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(s, "SECRET_DIR", tmp_path)
    monkeypatch.delenv(s.RASA_JWT_SECRET, raising=False)
    generated = s.secret_file(s.RASA_JWT_SECRET)
    value = generated.read_text()
    monkeypatch.setenv(s.RASA_JWT_SECRET, "a-value-from-the-secret-store")
    given = s.secret_file(s.RASA_JWT_SECRET)
    assert given != generated and given.read_text() == "a-value-from-the-secret-store"
    assert generated.read_text() == value and stat.S_IMODE(given.stat().st_mode) == 0o600
