"""Which FAQ entry a question asks for: per intent, a logistic regression over TF-IDF character
1-3-grams of the entries' example questions (normalised like the NLU input).

Chosen by measurement over a nearest-question match: in 5-fold cross-validation over the knowledge
base's own questions (`python -m bench.faq_eval`), the classifier finds the right entry for 71 % of
unseen phrasings against 62 % (it learns which characters tell neighbouring entries apart — 取/提现
vs 继承 — instead of counting shared words). It is restricted to the intents the NLU ranked, so an entry of an unrelated topic never
wins, and trains in under a second with liblinear when the action server starts. A Rasa
ResponseSelector was not used: DIET training costs minutes per epoch on two cores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.faq.knowledge import FaqEntry, KnowledgeBase
from bot.nlp.fingerprint import question_key
from bot.nlp.normalise import default_normaliser

# Below this probability the question is not one the knowledge base answers specifically: the topic's
# closest questions are offered instead. In 5-fold cross-validation over the entries' own questions,
# 0.15 answers 89 % of unseen phrasings, 75 % of them with the right entry (0.2: 78 % and 78 %); a menu
# can at best be graded "right topic", so answering pays off at that accuracy (`python -m bench.faq_eval`).
MIN_PROBABILITY = 0.15


# The scheme a text is about narrows the answer (职工 and 居民 contribute and are paid differently):
# an entry about the other scheme only is halved in score. Text is normalised first (新农合 → 居民医保).
_EMPLOYEE_WORDS = ("职工", "单位", "公司", "工资", "上班", "在职")
_RESIDENT_WORDS = ("居民", "城乡")
SCHEME_CONFLICT_FACTOR = 0.5


def scheme_of(text: str) -> str | None:
    employee = any(word in text for word in _EMPLOYEE_WORDS)
    resident = any(word in text for word in _RESIDENT_WORDS)
    return "职工" if employee and not resident else "居民" if resident and not employee else None


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float  # probability of the entry among its intent's entries
    exact: bool = False  # the text is one of the entry's questions


class FaqMatcher:
    def __init__(self, knowledge: KnowledgeBase, c: float = 10.0) -> None:
        self._normalise = default_normaliser()
        self._entries = {entry.key: entry for entry in knowledge.entries}
        questions = [(self._normalise(q), entry) for entry in knowledge.entries for q in entry.questions]
        self._exact = {question_key(text): entry for text, entry in questions}
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self._vectorizer.fit([text for text, _ in questions])
        self._models: dict[str, LogisticRegression] = {}
        for intent in sorted({entry.intent for entry in knowledge.entries}):
            texts = [text for text, entry in questions if entry.intent == intent]
            labels = [entry.key for _, entry in questions if entry.intent == intent]
            if len(set(labels)) >= 2:
                model = LogisticRegression(C=c, solver="liblinear")
                self._models[intent] = model.fit(self._vectorizer.transform(texts), labels)

    def exact(self, text: str) -> FaqEntry | None:
        """The entry one of whose questions is this text (a numbered option sends the question itself)."""
        return self._exact.get(question_key(self._normalise(text)))

    def ranked(self, text: str, intents: Iterable[str]) -> list[FaqMatch]:
        """Entries of the given intents, most probable first."""
        if not text.strip():
            return []
        normalised = self._normalise(text)
        vector = self._vectorizer.transform([normalised])
        asked_scheme = scheme_of(normalised)
        matches: list[FaqMatch] = []
        for intent in dict.fromkeys(intents):
            model = self._models.get(intent)
            if model is None:
                continue
            for key, probability in zip(model.classes_, model.predict_proba(vector)[0], strict=True):
                entry = self._entries[key]
                entry_scheme = scheme_of(entry.short)
                if asked_scheme and entry_scheme and entry_scheme != asked_scheme:
                    probability *= SCHEME_CONFLICT_FACTOR
                matches.append(FaqMatch(entry, float(probability)))
        return sorted(matches, key=lambda m: -m.score)

    def best(self, text: str, intents: Iterable[str], min_probability: float = MIN_PROBABILITY) -> FaqMatch | None:
        ranked = self.ranked(text, intents)
        return ranked[0] if ranked and ranked[0].score >= min_probability else None
