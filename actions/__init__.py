"""Thin rasa-sdk actions: read slots, call bot/, format the reply.

The action modules are imported here, before rasa-sdk walks the package, so that everything the
server keeps for its lifetime exists when `gc.freeze()` moves it out of the collector's way: full
collections over it stopped the action server for 70–100 ms under load (bench/latency's p99).

Importing the package also makes the action server safe to expose to Rasa only: every action's run()
catches its own exceptions (actions/safety.py), the shared-secret check is registered as rasa-sdk's
plugin (bot/action_auth.py), and log records are redacted (bot/log_redaction.py)."""

import gc

from actions import answer, conversation, handoff, identity, personal, policy, safety, verification  # noqa: F401
from bot import action_auth, log_redaction

log_redaction.install()
action_auth.register_as_rasa_sdk_plugin()
safety.guard_all([answer, conversation, handoff, personal, policy, verification])

gc.collect()
gc.freeze()
