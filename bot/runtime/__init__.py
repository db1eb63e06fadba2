"""How the Rasa server runs: the redacting SQL tracker store, the atomic Redis lock store, pooled
SQLite engines, and the start-up code that installs the Rasa speed-ups (startup.py)."""
