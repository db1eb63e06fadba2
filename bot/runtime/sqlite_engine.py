"""SQLite engines that keep their connections, for the records store and the tracker store.

SQLAlchemy 1.4 gives a file database a NullPool: every session opened a new connection, ran its
PRAGMAs and closed it again — and closing the last connection of a WAL database checkpoints it.
On the Rasa server that was ~20 % of the CPU per message (py-spy under bench/latency); on the action
server ~7 %. A pool keeps the connections open.

A kept connection holds the file it opened, even after the file is renamed, deleted or replaced
(say, restored from a backup): writes would go to a file nobody sees any more. So each checkout
compares the file at the path with the one the connection opened, and reconnects when they differ.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.pool import QueuePool

FILE_IDENTITY_KEY = "sqlite_file_identity"


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def pooled_sqlite_engine(url: str, on_connect: Callable[[Any, Any], None], **engine_kwargs: Any) -> Engine:
    """An engine for an SQLite file whose connections are pooled and always reach the file now at
    the path. `on_connect(dbapi_connection, record)` sets the connection up (PRAGMAs)."""
    path = sqlite_file(url)
    if path is None:
        raise ValueError(f"not an SQLite file URL: {url}")
    # hide_parameters: a failed statement's error (and any SQL echo) must not quote the values,
    # which may be an ID number typed during verification.
    engine_kwargs.setdefault("hide_parameters", True)
    engine = create_engine(url, poolclass=QueuePool, pool_size=5, max_overflow=10,
                           connect_args={"check_same_thread": False}, **engine_kwargs)

    @event.listens_for(engine, "connect")
    def _remember_file(dbapi_connection: Any, record: Any) -> None:
        on_connect(dbapi_connection, record)
        record.info[FILE_IDENTITY_KEY] = _identity(path)

    @event.listens_for(engine, "checkout")
    def _same_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _identity(path) != record.info.get(FILE_IDENTITY_KEY):
            # the pool drops this connection and opens a new one on the file now at the path
            raise exc.DisconnectionError("the SQLite file was moved or replaced")

    return engine
