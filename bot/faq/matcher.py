"""Which FAQ entry a question asks for: TF-IDF over character 1-3-grams of the entries' example
questions (normalised like the NLU input), cosine similarity, the best question of each entry.

Chosen over a Rasa ResponseSelector by measurement (bench/faq_eval.py): it needs no DIET training
(minutes per epoch on two cores), it matches typos and unseen compounds through shared characters,
and it is restricted to the intents the NLU ranked, so an entry of an unrelated topic never wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.faq.knowledge import FaqEntry, KnowledgeBase
from bot.nlp.fingerprint import question_key
from bot.nlp.normalise import default_normaliser

# Below this similarity the question is not one the knowledge base answers specifically, and the
# intent's general answer is given instead (tuned on tests/nlu/real, bench/faq_eval.py).
MIN_SIMILARITY = 0.38


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float


class FaqMatcher:
    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._normalise = default_normaliser()
        self._owners: list[FaqEntry] = []
        texts: list[str] = []
        for entry in knowledge.entries:
            for question in entry.questions:
                self._owners.append(entry)
                texts.append(self._normalise(question))
        self._exact = {question_key(text): owner for text, owner in zip(texts, self._owners, strict=True)}
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(texts) if texts else None

    def exact(self, text: str) -> FaqEntry | None:
        """The entry one of whose questions is this text (a numbered option sends the question itself)."""
        key = question_key(self._normalise(text))
        return self._exact.get(key)

    def ranked(self, text: str, intents: Iterable[str] | None = None) -> list[FaqMatch]:
        """Entries of the given intents (all when None), best first, one score per entry."""
        if self._matrix is None or not text.strip():
            return []
        allowed = set(intents) if intents is not None else None
        scores = (self._matrix @ self._vectorizer.transform([self._normalise(text)]).T).toarray().ravel()
        best: dict[str, FaqMatch] = {}
        for index in np.argsort(-scores):
            entry = self._owners[index]
            if allowed is not None and entry.intent not in allowed:
                continue
            if entry.key not in best:
                best[entry.key] = FaqMatch(entry, float(scores[index]))
        return sorted(best.values(), key=lambda m: -m.score)

    def best(self, text: str, intents: Iterable[str] | None = None,
             min_similarity: float = MIN_SIMILARITY) -> FaqMatch | None:
        ranked = self.ranked(text, intents)
        return ranked[0] if ranked and ranked[0].score >= min_similarity else None
