"""Fixtures for the rules tests: the real policy data, the real data plus fictional regions, and a
writable copy for validation tests.

data/policies holds only national.yml (and, once sourced, real places' own figures). The regional
override arithmetic is tested with fictional regions (示例甲省/示例东市, 示例乙省/示例南市) whose
illustrative numbers live here, in tests/rules/regional, never under a real place name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.rules.policies import POLICY_DIR, PolicyBook, load_policies_from

REGIONAL_TEST_DIR = Path(__file__).parent / "regional"


@pytest.fixture(scope="session")
def book() -> PolicyBook:
    return load_policies_from(POLICY_DIR)


@pytest.fixture(scope="session")
def regional_book() -> PolicyBook:
    return load_policies_from([POLICY_DIR, REGIONAL_TEST_DIR])


@pytest.fixture()
def policy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(POLICY_DIR, target)
    for path in REGIONAL_TEST_DIR.glob("*.yml"):
        shutil.copy(path, target / path.name)
    return target
