"""Input channels. The Rasa server imports this package for them (credentials.yml), so it is where
server-only speed-ups are installed (see bot/rasa_speedups.py), and where the server's log records
start being redacted (bot/log_redaction.py), and where a server with an open HTTP API refuses to
start (bot/api_guard.py)."""

import sys

from bot import api_guard, log_redaction, rasa_speedups

_problem = api_guard.open_api_problem(sys.argv)
if _problem:  # fail closed: better no server than one whose API reads out every conversation
    raise SystemExit(_problem)
log_redaction.install()
rasa_speedups.install()
