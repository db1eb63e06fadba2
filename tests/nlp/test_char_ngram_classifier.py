"""The intent classifier's single-text fast path gives sklearn's probabilities."""

from __future__ import annotations

import tarfile

import joblib
import numpy as np
import pytest
import yaml

from bot.nlp.char_ngram_classifier import MODEL_FILE, SingleTextScorer
from tests.support.assistant import ROOT


def _examples(path) -> list[tuple[str, str]]:
    found = []
    for file in sorted(path.rglob("*.yml")):
        for block in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                found += [(line[2:].strip(), block["intent"]) for line in block["examples"].splitlines()
                          if line.startswith("- ")]
    return found


@pytest.fixture(scope="module")
def pipeline(trained_model):
    """The sklearn pipeline inside the trained model (`make test` trains it once per session)."""
    with tarfile.open(trained_model) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(MODEL_FILE))
        return joblib.load(archive.extractfile(member))


ODD_TEXTS = ["", " ", "😀😀😀", "x" * 5000, "SELECT * FROM persons; --", "/restart", "医保\x00卡\t丢了 怎么办",
             "ABC abc ＡＢＣ", "我的身份证号是420102198506120310"]


def test_fast_path_gives_sklearns_probabilities(pipeline) -> None:
    """Held-out questions and odd input: the same probabilities to 1e-12, the same intents."""
    scorer = SingleTextScorer.for_model(pipeline)
    assert scorer is not None
    texts = [text for text, _ in _examples(ROOT / "tests" / "nlu")] + ODD_TEXTS
    expected = pipeline.predict_proba(texts)
    got = np.array([scorer(text) for text in texts])
    assert np.allclose(got, expected, rtol=0, atol=1e-12)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_other_models_keep_sklearns_scoring() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    binary = Pipeline([("ngrams", TfidfVectorizer(analyzer="char")), ("classifier", LogisticRegression())])
    binary.fit(["查余额", "余额多少", "医保卡丢了", "补办医保卡"], ["balance", "balance", "card", "card"])
    assert SingleTextScorer.for_model(binary) is None, "two classes: sklearn's one-vs-rest sigmoid"
    assert SingleTextScorer.for_model(None) is None
