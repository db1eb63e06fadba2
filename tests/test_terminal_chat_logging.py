"""`make chat` logs like the servers: nothing of Rasa's debug output in the chat window, and the log
file redacted (issue #11, point 7). Run in a subprocess: logging configuration is process-wide."""

from __future__ import annotations

import subprocess
import sys

from tests.support.assistant import ROOT

SCRIPT = """
import logging, sys
from pathlib import Path
import structlog
from bot.terminal_chat import configure_logging
configure_logging(Path(sys.argv[1]))
log = structlog.get_logger()
log.debug("processor.message.parse", parse_data_text="420106-19920218-0525")
log.warning("processor.slots.log", slot_values="id_number: 420106 1992 0218 0525")
logging.getLogger("rasa.core").error("failed for 42010619920218052５")
print("chat window")
"""


def test_chat_window_shows_no_log_and_the_log_file_is_redacted(tmp_path) -> None:
    log_file = tmp_path / "chat.log"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(log_file)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == "chat window"
    assert "0525" not in done.stderr
    logged = log_file.read_text(encoding="utf-8")
    assert "parse_data_text" not in logged, "DEBUG is not written at all"
    assert logged.count("4201**********0525") == 2 and "19920218" not in logged
