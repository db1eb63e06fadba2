"""Session-wide fixtures: the trained model (once per session), a seeded records database, a real
action server, and an in-process Rasa agent talking to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.records import clock
from tests.support.assistant import ROOT, load_assistant, rasa_env, start_action_server, train_model

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# One instant for the whole session, this process and every server it starts (they inherit the
# environment): the demo data is seeded relative to it and expectations are computed from it. Set
# YIBAO_CLOCK_PIN yourself to replay a given day; `make test-dates` also moves the system clock.
os.environ.setdefault(clock.PIN_VARIABLE, clock.real_now().isoformat())


@pytest.fixture(scope="session")
def pinned_today():
    """The date every process of this test session treats as today (Beijing)."""
    return clock.today()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    return train_model.ensure_model()


@pytest.fixture(scope="session")
def records_db_url(tmp_path_factory) -> str:
    from bot.records.__main__ import migrate, seed

    url = f"sqlite:///{tmp_path_factory.mktemp('records') / 'records.db'}"
    migrate(url)
    seed(url)
    return url


@pytest.fixture(scope="session")
def action_server_url(records_db_url, tmp_path_factory) -> str:
    env = rasa_env(DATABASE_URL=records_db_url)
    process, url = start_action_server(env, tmp_path_factory.mktemp("logs") / "actions.log")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def tracker_db_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tracker") / "tracker.db"


@pytest.fixture(scope="session")
def assistant(trained_model, action_server_url, tracker_db_path):
    from bot.runtime.tracker_store import RedactingSQLTrackerStore

    store = RedactingSQLTrackerStore(host=f"sqlite:///{tracker_db_path}")
    bot = load_assistant(trained_model, action_server_url, store)
    yield bot
    bot.loop.close()


__all__ = ["ROOT"]


@pytest.fixture(scope="session")
def rasa_server(trained_model, action_server_url, records_db_url, tmp_path_factory) -> str:
    """`rasa run` with the project's credentials.yml (REST, web page, WeChat, WeCom) on a free port."""
    from tests.support.server import start_rasa_server, stop, write_endpoints

    folder = tmp_path_factory.mktemp("server")
    endpoints = write_endpoints(folder / "endpoints.yml", action_server_url)
    process, url = start_rasa_server(
        trained_model, endpoints, folder / "rasa.log", DATABASE_URL=records_db_url,
        TRACKER_STORE_URL=f"sqlite:///{folder / 'tracker.db'}", WECHAT_TOKEN="test-token")
    yield url
    stop(process)
