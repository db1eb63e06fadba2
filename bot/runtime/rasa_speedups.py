"""Per-message costs inside Rasa 3.6 that are not the assistant's work, removed without changing behaviour.

Installed by explicit start-up code (bot/runtime/startup.py, which every channel of credentials.yml
calls when `rasa run` creates it), so every `rasa run` of this project gets these fixes, and nothing
else does — importing a module never patches Rasa.

Action-response validation: after every custom action, Rasa 3.6 checks the action server's answer
with `jsonschema.validate(result, schema)`. That call first re-validates the *schema* against the
Draft 2020-12 metaschema, every time; with jsonschema 4.17 this took ~70 ms of CPU per action on a
2-core machine (bench/latency, cProfile of `rasa run`) — far more than NLU and the policies together.
Here the schema is checked once and one validator is reused: the same errors are raised for the
same responses (the best-matching error, with Rasa's message), at well under a millisecond.

Heap freeze: the Rasa server keeps millions of long-lived Python objects (the model, spaCy,
TensorFlow's Python side; ~700 MB RSS). Every full (generation 2) garbage collection walked all of them: 230–290 ms with
the event loop stopped, a few times a minute under load — the p99 of bench/latency's open-loop
phases. Once the agent is loaded, `gc.freeze()` moves everything alive into a permanent generation
the collector skips; objects created while serving are collected as before.

Event type lookup: every event read from the tracker store or returned by an action is turned
into its class by `Event.resolve_by_type`, which walks all Event subclasses recursively (with
`inspect.isabstract` on each) per event — a few percent of the server's CPU per message. The
mapping is built once in the same order; unknown names still go through Rasa's own code.
"""

from __future__ import annotations

import gc
import sys
from functools import cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

_INSTALLED = False


@cache
def _response_validator(action_class: type) -> Any:
    schema = action_class.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # what jsonschema.validate does on every call, done once
    return validator_class(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    error: ValidationError | None = best_match(_response_validator(type(self)).iter_errors(result))
    if error is None:
        return True
    original = self._original_validate_action_result
    try:  # let Rasa's own code word the error exactly as it always does
        original(result)
    except ValidationError:
        raise
    raise error  # pragma: no cover - both validators agree; kept so that an error is never swallowed


_EVENT_CLASSES: dict[str, type] = {}


def _event_classes(event_class: type) -> dict[str, type]:
    if not _EVENT_CLASSES:
        from rasa.shared.utils.common import all_subclasses

        for cls in all_subclasses(event_class):  # first match wins, as in Rasa's loop
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
    return _EVENT_CLASSES


def _install_event_lookup() -> None:
    events = sys.modules.get("rasa.shared.core.events")
    event_class = getattr(events, "Event", None)
    original = getattr(event_class, "resolve_by_type", None)
    if event_class is None or original is None:
        return

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        found = _event_classes(event_class).get(type_name)
        return found if found is not None else original(type_name, default)

    event_class.resolve_by_type = staticmethod(resolve_by_type)


def _install_heap_freeze() -> None:
    run = sys.modules.get("rasa.core.run")
    original = getattr(run, "load_agent_on_start", None)
    if original is None or getattr(original, "freezes_heap", False):
        return

    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await original(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    load_agent_on_start.freezes_heap = True
    # serve_application looks the listener up by name after the channels (and so this) are imported
    run.load_agent_on_start = load_agent_on_start


def install() -> None:
    """Patches RemoteAction once per process where Rasa's dialogue engine is already loaded.

    Never imports it: the action server, the agent console and scripts that import bot.channels
    must not pay for loading Rasa's core. A no-op when Rasa's internals are not what we expect."""
    global _INSTALLED
    module = sys.modules.get("rasa.core.actions.action")
    if _INSTALLED or module is None:
        return
    RemoteAction = getattr(module, "RemoteAction", None)  # noqa: N806 - it is a class
    if RemoteAction is None:
        return
    if not callable(getattr(RemoteAction, "_validate_action_result", None)) or not callable(
        getattr(RemoteAction, "action_response_format_spec", None)
    ):
        return
    RemoteAction._original_validate_action_result = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = _validate_action_result
    _install_event_lookup()
    _install_heap_freeze()
    _INSTALLED = True
