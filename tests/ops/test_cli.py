"""`python -m bot.ops`: create an operator, run retention, export the labelled queue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.ops import auth, queue, turns
from bot.records.db import session_scope
from bot.records.migrate import upgrade
from tests.ops.conftest import make_turn

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.ops", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_add_operator_then_log_in(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    upgrade(url)
    done = _cli("add-operator", "值班员", DATABASE_URL=url, OPS_PASSWORD="a good long password")
    assert done.returncode == 0 and "值班员" in done.stdout
    assert _cli("add-operator", "值班员", DATABASE_URL=url, OPS_PASSWORD="short").returncode == 1
    with session_scope(url) as session:
        assert auth.authenticate(session, "值班员", "a good long password")


def test_retention_and_export_commands(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    upgrade(url)
    turns.store(make_turn("断交了咋整", confidence=0.2), url)
    with session_scope(url) as session:
        [item] = queue.items(session)
        queue.label(session, item.id, "alice", intent="lapse")
    env = {"DATABASE_URL": url, "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
           "OPS_EXPORT_DIR": str(tmp_path / "review")}
    kept = _cli("retention", "--days", "30", **env)
    assert kept.returncode == 0 and "RetentionReport" in kept.stdout
    exported = _cli("export", "--operator", "alice", **env)
    assert exported.returncode == 0 and "已导出 1 条" in exported.stdout
    [folder] = list((tmp_path / "review").iterdir())
    assert "- 断交了咋整" in (folder / "nlu.yml").read_text(encoding="utf-8")
