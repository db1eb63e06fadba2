"""How well the FAQ matcher finds the right entry for phrasings it has not seen.

    python -m bench.faq_eval

5-fold cross-validation over the knowledge base's own example questions (data/faq): each fold's
questions are matched, within their intent, against a matcher built from the other folds. Prints the
accuracy of the nearest-question baseline and of the per-intent classifier the assistant uses, and,
for the classifier, how many questions each probability threshold answers and how many of those right.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from bot.faq import load_knowledge_base
from bot.nlp.normalise import default_normaliser

THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)


def main() -> None:
    normalise = default_normaliser()
    rows = [(normalise(q), e.key, e.intent) for e in load_knowledge_base().entries for q in e.questions]
    texts, keys, intents = (np.array(column) for column in zip(*rows, strict=True))
    nearest_hits, scored = [], []
    for train, test in KFold(5, shuffle=True, random_state=0).split(texts):
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(texts[train])
        models = {}
        for intent in set(intents[train]):
            rows_of_intent = train[intents[train] == intent]
            if len(set(keys[rows_of_intent])) >= 2:
                models[intent] = LogisticRegression(C=10, solver="liblinear").fit(
                    vectorizer.transform(texts[rows_of_intent]), keys[rows_of_intent])
        train_matrix = vectorizer.transform(texts[train])
        for index in test:
            vector = vectorizer.transform([texts[index]])
            same_intent = intents[train] == intents[index]
            similarity = np.where(same_intent, (train_matrix @ vector.T).toarray().ravel(), -1)
            nearest_hits.append(keys[train][similarity.argmax()] == keys[index])
            model = models.get(intents[index])
            if model is not None:
                probabilities = model.predict_proba(vector)[0]
                best = probabilities.argmax()
                scored.append((probabilities[best], model.classes_[best] == keys[index]))
    scored_array = np.array(scored)
    print(f"{len(rows)} questions, {len(set(keys))} entries")
    print(f"nearest question (within the intent): {np.mean(nearest_hits):.3f}")
    print(f"per-intent classifier:                {scored_array[:, 1].mean():.3f}")
    for threshold in THRESHOLDS:
        answered = scored_array[:, 0] >= threshold
        print(f"  probability ≥ {threshold:.2f}: answers {answered.mean():.0%}, "
              f"right {scored_array[answered, 1].mean():.0%} of those")


if __name__ == "__main__":
    main()
