"""Fixtures for the rules tests: the real policy data, and a writable copy for validation tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.rules.policies import POLICY_DIR, PolicyBook, load_policies_from


@pytest.fixture(scope="session")
def book() -> PolicyBook:
    return load_policies_from(POLICY_DIR)


@pytest.fixture()
def policy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(POLICY_DIR, target)
    return target
