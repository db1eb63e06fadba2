"""Rasa component that normalises message text before any tokenizer or featurizer sees it.

It comes first in config.yml's pipeline. At training time it rewrites every example (and moves its
entity spans with the text), so the model learns on the same form it will be asked in. What it does
to a text is bot/nlp/normalise.py; the word lists are data/lexicon/*.yml.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.normalise import TextNormaliser, load_lexicon


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormaliserComponent(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, normaliser: TextNormaliser) -> None:
        self._normaliser = normaliser

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TextNormaliserComponent:
        # The lexicon is read from data/ when the graph is built, at training and at load time alike:
        # data/lexicon ships with the code, so a changed lexicon needs no retraining to take effect
        # at parse time, while the training cache key (scripts/train_model.py) covers data/lexicon.
        return cls(TextNormaliser(load_lexicon()))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        result = self._normaliser.normalise(text)
        if result.text == text:
            return
        for entity in message.get(ENTITIES) or []:
            start, end = result.map_span(entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
        message.set(TEXT, result.text)
