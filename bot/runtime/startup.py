"""What a Rasa server of this project does before it serves, called explicitly at its start.

`rasa run` builds its input channels from credentials.yml (each channel's `from_credentials`) before
it registers the agent loader and starts serving; every channel of this project calls
`prepare_rasa_server()` there. It refuses a server whose HTTP API has no token (bot/api_guard.py),
redacts the server's log records (bot/log_redaction.py) and installs the Rasa speed-ups
(bot/runtime/rasa_speedups.py). Importing a channel module does none of this: the action server, the agent
console, scripts and unit tests import channels without changing the process.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot import api_guard, log_redaction
from bot.runtime import rasa_speedups

_prepared = False


def prepare_rasa_server(argv: Sequence[str] | None = None) -> None:
    """Idempotent; raises SystemExit for an unprotected HTTP API."""
    global _prepared
    if _prepared:
        return
    problem = api_guard.open_api_problem(list(sys.argv if argv is None else argv))
    if problem:  # fail closed: better no server than one whose API reads out every conversation
        raise SystemExit(problem)
    log_redaction.install()
    rasa_speedups.install()
    _prepared = True
