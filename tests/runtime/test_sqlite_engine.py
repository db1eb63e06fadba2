"""Pooled SQLite engines: connections are kept, and never outlive the file they opened."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from bot.runtime.sqlite_engine import pooled_sqlite_engine, sqlite_file


def _database_with(path, value: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE facts (value TEXT)")
    connection.execute("INSERT INTO facts VALUES (?)", (value,))
    connection.commit()
    connection.close()


def _count_connects(engine) -> list:
    from sqlalchemy import event

    opened: list = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    return opened


def test_connections_are_reused(tmp_path) -> None:
    path = tmp_path / "a.db"
    _database_with(path, "first")
    engine = pooled_sqlite_engine(f"sqlite:///{path}", lambda *_: None)
    opened = _count_connects(engine)
    for _ in range(5):
        with engine.connect() as connection:
            assert connection.execute(text("SELECT value FROM facts")).scalar() == "first"
    assert len(opened) == 1


def test_a_replaced_file_is_reopened(tmp_path) -> None:
    path = tmp_path / "a.db"
    _database_with(path, "first")
    engine = pooled_sqlite_engine(f"sqlite:///{path}", lambda *_: None)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM facts")).scalar() == "first"

    path.rename(tmp_path / "old.db")  # e.g. restored from a backup: a new file at the same path
    _database_with(path, "restored")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM facts")).scalar() == "restored"


def test_a_removed_file_is_not_silently_written(tmp_path) -> None:
    path = tmp_path / "a.db"
    _database_with(path, "first")
    engine = pooled_sqlite_engine(f"sqlite:///{path}", lambda *_: None)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    path.unlink()
    with engine.connect() as connection, pytest.raises(Exception, match="no such table"):
        connection.execute(text("SELECT value FROM facts"))


def test_only_sqlite_files_are_pooled_this_way() -> None:
    assert sqlite_file("sqlite:///var/x.db").name == "x.db"
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql://postgres@127.0.0.1/test") is None
    with pytest.raises(ValueError):
        pooled_sqlite_engine("sqlite://", lambda *_: None)
