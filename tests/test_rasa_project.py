"""Rasa's own checks: the data validates without warnings and the test stories pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.assistant import ROOT, rasa_env

RASA = str(Path(sys.executable).with_name("rasa"))


def test_rasa_data_validate_has_no_warnings() -> None:
    result = subprocess.run([RASA, "data", "validate", "--fail-on-warnings"], cwd=ROOT, env=rasa_env(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_conversation_stories_pass(trained_model, tmp_path) -> None:
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(trained_model), "--stories", "tests/test_stories.yml",
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=900,
    )
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert result.returncode == 0, details[-6000:] + result.stdout[-3000:] + result.stderr[-3000:]
