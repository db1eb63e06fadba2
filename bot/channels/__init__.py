"""Input channels. The Rasa server imports this package for them (credentials.yml), so it is where
server-only speed-ups are installed (see bot/rasa_speedups.py), and where the server's log records
start being redacted (bot/log_redaction.py)."""

from bot import log_redaction, rasa_speedups

log_redaction.install()
rasa_speedups.install()
