"""Real databases for the records tests: a SQLite file, and PostgreSQL when TEST_POSTGRES_URL is set.

On PostgreSQL every database this module hands out is its own schema (search_path in the URL), so
parallel or repeated runs never see each other's tables; the schema is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from bot.records import db
from bot.records.migrate import upgrade
from bot.records.models import Person
from bot.records.seed import load_personas, seed

TODAY = date(2025, 11, 18)  # a fixed "today" for the demo data (after the 15th: this month is collected)
NOW = datetime(2025, 11, 18, 10, 30)
BACKENDS = ["sqlite", "postgresql"]
PG_SKIP = "TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (set it, e.g. postgresql://postgres@127.0.0.1:5432/test)"


def pytest_collection_modifyitems(items) -> None:
    # SQLite stores money as REAL; see the note in bot/records/db.py on why this warning is noise.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:Dialect sqlite"))


def _pg_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip(PG_SKIP)
    return url


class DatabaseFactory:
    """Makes empty databases of one backend and removes them at the end."""

    def __init__(self, backend: str, tmp_dir: Path) -> None:
        self.backend, self.tmp_dir, self.schemas = backend, tmp_dir, []

    def new(self) -> str:
        name = f"records_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_dir / name}.db"
        base = _pg_url()
        with create_engine(base, future=True).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        self.schemas.append(name)
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}options=-csearch_path%3D{name}"

    def close(self) -> None:
        db.dispose_engines()
        if not self.schemas:
            return
        with create_engine(_pg_url(), future=True).begin() as connection:
            for name in self.schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgresql":
        _pg_url()
    return request.param


@pytest.fixture(scope="session")
def databases(backend, tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"db_{backend}"))
    yield factory
    factory.close()


@pytest.fixture()
def empty_url(databases) -> str:
    """A brand-new database with no tables."""
    return databases.new()


@pytest.fixture()
def migrated_url(databases) -> str:
    """A brand-new database migrated to head, no data."""
    url = databases.new()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def seeded_url(databases) -> str:
    """One migrated and seeded database per backend, shared by tests that only read or that use
    their own channel user ids."""
    url = databases.new()
    upgrade(url)
    with db.session_scope(url) as session:
        seed(session, TODAY)
    return url


@pytest.fixture()
def session(seeded_url):
    with db.session_scope(seeded_url) as session:
        yield session


@pytest.fixture(scope="session")
def personas() -> dict[str, dict]:
    return {p["key"]: p for p in load_personas().personas}


@pytest.fixture()
def ref_of(session, personas) -> Callable[[str], str]:
    """persona key -> the person's opaque ref in the seeded database."""
    def lookup(key: str) -> str:
        number = personas[key]["id_number"]
        return session.execute(select(Person.ref).where(Person.id_number == number)).scalar_one()
    return lookup


@pytest.fixture()
def channel_user() -> str:
    return f"user-{uuid.uuid4().hex}"
