"""Rasa renders domain responses through this generator (endpoints.yml `nlg: type:`), so the facts the
responses name are filled from the one place each lives (bot.replies) before Rasa fills slot values."""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from bot.replies import filled_responses


class FactFillingNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        super().__init__(domain.responses if domain is not None else {})

    # Rasa's Agent assigns the model's domain responses to `responses` after loading a model: they are
    # filled whenever they are set.
    @property
    def responses(self) -> dict[str, list[dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, value: dict[str, list[dict[str, Any]]]) -> None:
        self._responses = filled_responses(value or {})
