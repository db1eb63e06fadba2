"""Every action catches its own failures: the user gets a polite answer, the log gets the failure
without the conversation, and rasa-sdk never answers Rasa with a 500 that carries the tracker."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from rasa_sdk import Action
from rasa_sdk.interfaces import ActionExecutionRejection

from bot.replies import response_text

logger = logging.getLogger(__name__)
BUSY_TEXT = response_text("utter_busy")


def guarded(run: Any) -> Any:
    """Wraps an action's run(): exceptions become BUSY_TEXT (form rejections pass through)."""

    @functools.wraps(run)
    async def safe_run(self: Action, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - one failed action must not leak or break the turn
            logger.error("action %s failed: %s", self.name(), type(error).__name__, exc_info=True)
            dispatcher.utter_message(text=BUSY_TEXT)
            return []

    safe_run.__wrapped_by_safety__ = True  # type: ignore[attr-defined]
    return safe_run


def guard_all(modules: Iterable[ModuleType]) -> None:
    """Guards run() of every action class defined in these modules."""
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and "run" in vars(cls):
                if not getattr(cls.run, "__wrapped_by_safety__", False):
                    cls.run = guarded(cls.run)
