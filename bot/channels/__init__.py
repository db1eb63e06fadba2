"""Input channels. The Rasa server imports this package for them (credentials.yml), so it is where
server-only speed-ups are installed (see bot/rasa_speedups.py)."""

from bot import rasa_speedups

rasa_speedups.install()
