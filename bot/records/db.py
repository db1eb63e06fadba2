"""Engine and session factory. The engine is created on first use and cached per URL; every request
opens its own session through `session_scope()`."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.sqlite_engine import pooled_sqlite_engine, sqlite_file

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "yibao.db"


def database_url(url: str | None = None) -> str:
    """Explicit URL, else DATABASE_URL, else the embedded SQLite file var/yibao.db under the repo root.
    A relative sqlite path is taken relative to the repo root so every entry point finds the same file."""
    chosen = url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if chosen.startswith("postgres://"):  # Heroku-style scheme that SQLAlchemy 1.4 rejects
        chosen = "postgresql://" + chosen.removeprefix("postgres://")
    return _absolute_sqlite(chosen)


def _absolute_sqlite(url: str) -> str:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith(prefix + ":memory:"):
        return url
    path = Path(url.removeprefix(prefix))
    if not path.is_absolute():
        path = REPO_ROOT / path
    return prefix + str(path)


# SQLite has no DECIMAL type; amounts (at most 12 digits, 2 decimals) round-trip exactly through a
# double when SQLAlchemy quantises them back to 2 places, so its generic warning is noise here.
warnings.filterwarnings("ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal")

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()  # actions call in from worker threads


def get_engine(url: str | None = None) -> Engine:
    return _engine_for(database_url(url))


def _engine_for(url: str) -> Engine:
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = _create_engine(url)
        return _ENGINES[url]


def _create_engine(url: str) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return pooled_sqlite_engine(url, _sqlite_pragmas, future=True)
    if url.startswith("sqlite:"):  # in memory
        engine = create_engine(url, future=True, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # hide_parameters: errors and SQL logs never quote the values (names, ID numbers, amounts).
    return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; a busy timeout lets action threads wait for a writer.
    # WAL lets readers (most action calls) run beside the one writer (audit rows, verification
    # attempts); synchronous=NORMAL drops the fsync per commit, keeping commits across a crash of the
    # process but not a power loss of the machine (production runs on PostgreSQL: docs/deploy.md).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database ignores it
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@cache
def _session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=_engine_for(url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One session per call: commits on success, rolls back on error, always closes."""
    session: Session = _session_factory(database_url(url))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Closes pooled connections and forgets cached engines (tests, and before forking)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
    _session_factory.cache_clear()
