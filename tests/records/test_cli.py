"""`python -m bot.records migrate|seed` on a fresh SQLite file, and no engine at import time."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.records", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_migrate_then_seed_twice_from_the_command_line(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    for args in (("migrate",), ("seed", "--today", "2025-11-18"), ("seed", "--today", "2025-11-18")):
        done = _run(*args, env=env)
        assert done.returncode == 0, done.stderr
    persons = sqlite3.connect(tmp_path / "cli.db").execute("select count(*) from persons").fetchone()[0]
    assert persons >= 8


def test_personas_command_prints_masked_identifiers() -> None:
    done = _run("personas", env=dict(os.environ))
    assert done.returncode == 0 and "4201**********0310" in done.stdout and "420102198506120310" not in done.stdout


def test_importing_the_package_creates_no_engine() -> None:
    code = ("import bot.records.verification, bot.records.queries, bot.records.report, bot.records.family, "
            "bot.records.audit, bot.records.seed, bot.records.handoff; from bot.records import db; "
            "assert db._ENGINES == {}, db._ENGINES")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
