"""Log records are redacted before any handler sees them, in every process that imports this.

Rasa and rasa-sdk log user text and slots at DEBUG (and tracebacks may quote them at any level);
the record factory below formats each record that will be emitted and passes message and traceback
through bot.privacy.redact_text. A factory rather than a handler filter: it covers handlers that Rasa
configures after we are imported, and records of disabled levels are never built at all.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from bot.privacy import redact_text

_installed = False


def install() -> None:
    """Idempotent: wraps the current log record factory once per process."""
    global _installed
    if _installed:
        return
    original = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed call keeps its own (unformatted) message
        message = str(record.msg)
    record.msg, record.args = redact_text(message), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact_text("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
