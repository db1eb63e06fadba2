"""NLU evaluation of the shipped pipeline against baselines trained on the same data, on two sets:
the real-question development set (tests/nlu/real: questions real people wrote; accuracy, top-1,
top-3, clarify rate, accuracy of the questions answered directly) and the self-written held-out set
(tests/nlu: macro-F1 and region F1).

    python -m bench.nlu_eval            # shipped model + TF-IDF/LogReg + Rasa stock + Rasa LogReg
    python -m bench.nlu_eval --stock-epochs 100   # the stock pipeline exactly as rasa init trains it
    python -m bench.nlu_eval --only shipped

Prints per-intent precision/recall/F1, macro-F1 and region-entity F1 for each system and writes a
confusion-matrix PNG of the shipped model to bench/out/.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "scripts"))


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    regions: frozenset[str]


@dataclass
class Report:
    name: str
    macro_f1: float
    region_f1: float
    per_intent: dict[str, tuple[float, float, float, int]]
    predictions: list[str]


def load_examples(folder: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(folder.glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            regions = frozenset(e["value"] for e in message.get("entities", []) if e["entity"] == "region")
            examples.append(Example(message.get("text"), message.get("intent"), regions))
    return examples


def region_f1(expected: list[frozenset[str]], found: list[frozenset[str]]) -> float:
    true_pos = sum(len(e & f) for e, f in zip(expected, found, strict=False))
    n_found, n_expected = sum(map(len, found)), sum(map(len, expected))
    if not n_found and not n_expected:
        return 1.0
    precision = true_pos / n_found if n_found else 0.0
    recall = true_pos / n_expected if n_expected else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(name: str, examples: list[Example], intents: list[str], regions: list[frozenset[str]]) -> Report:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    gold = [e.intent for e in examples]
    labels = sorted(set(gold))
    p, r, f, n = precision_recall_fscore_support(gold, intents, labels=labels, zero_division=0)
    per_intent = {label: (p[i], r[i], f[i], int(n[i])) for i, label in enumerate(labels)}
    macro = f1_score(gold, intents, labels=labels, average="macro", zero_division=0)
    return Report(name, macro, region_f1([e.regions for e in examples], regions), per_intent, intents)


def rasa_predictions(model: Path, examples: list[Example]) -> tuple[list[str], list[frozenset[str]]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    intents, regions = [], []
    for example in examples:
        parsed = loop.run_until_complete(agent.parse_message(example.text))
        ranking = [i["name"] for i in parsed.get("intent_ranking", []) if i["name"] != "nlu_fallback"]
        intents.append(ranking[0] if ranking else parsed["intent"]["name"])
        regions.append(frozenset(e["value"] for e in parsed.get("entities", []) if e["entity"] == "region"))
    loop.close()
    return intents, regions


def with_diet_epochs(config: Path, epochs: int) -> Path:
    """A copy of `config` with DIETClassifier's epochs set (the stock 100 take hours on 2 cores)."""
    import yaml

    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    for component in settings["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = epochs
    copy = OUT / "configs" / f"{config.stem}-e{epochs}.yml"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def train_rasa_nlu(config: Path, name: str) -> Path:
    import train_model

    out = OUT / "models"
    out.mkdir(parents=True, exist_ok=True)
    rasa = Path(sys.executable).with_name("rasa")
    subprocess.run([str(rasa), "train", "nlu", "-c", str(config), "--nlu", "data/nlu", "--out", str(out),
                    "--fixed-model-name", name], cwd=ROOT, env=train_model.rasa_env(), check=True)
    return out / f"{name}.tar.gz"


def tfidf_model(train: list[Example]):
    """The plain baseline: raw text (no normalisation), char 1-3 TF-IDF, logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                          LogisticRegression(max_iter=2000, C=10))
    model.fit([e.text for e in train], [e.intent for e in train])
    return model


def tfidf_baseline(train: list[Example], test: list[Example]) -> tuple[list[str], list[frozenset[str]]]:
    model = tfidf_model(train)
    return list(model.predict([e.text for e in test])), [frozenset() for _ in test]


def print_report(report: Report, detailed: bool) -> None:
    print(f"\n== {report.name}: intent macro-F1 {report.macro_f1:.3f}   region F1 {report.region_f1:.3f}")
    if detailed:
        print(f"{'intent':<26}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>5}")
        for intent, (p, r, f, n) in sorted(report.per_intent.items()):
            print(f"{intent:<26}{p:7.3f}{r:7.3f}{f:7.3f}{n:5d}")


def plot_confusion(report: Report, examples: list[Example], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted({e.intent for e in examples})
    fig, ax = plt.subplots(figsize=(16, 14))
    ConfusionMatrixDisplay.from_predictions([e.intent for e in examples], report.predictions, labels=labels,
                                            ax=ax, xticks_rotation="vertical", colorbar=False)
    ax.set_title(f"{report.name}: held-out intent confusion (macro-F1 {report.macro_f1:.3f})")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)


def main() -> None:
    import train_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["shipped"], help="evaluate only the shipped model")
    parser.add_argument("--stock-epochs", type=int, default=20,
                        help="DIET epochs for the stock baseline (rasa init uses 100: ~30-60 s each on 2 cores)")
    args = parser.parse_args()
    test = load_examples(ROOT / "tests" / "nlu")
    train = load_examples(ROOT / "data" / "nlu")
    print(f"training examples: {len(train)}   held-out examples: {len(test)}")
    from bench.real_questions import evaluate, load_real_set, rasa_parser, sklearn_parser

    real = load_real_set()
    model = train_model.ensure_model()
    real_report = evaluate("shipped (config.yml)", real, rasa_parser(model))
    print("\n".join(real_report.lines()))
    print("   most frequent confusions (gold → top-1):",
          ", ".join(f"{g}→{p} {n}" for (g, p), n in real_report.confusions.most_common(8)))
    baseline_real = evaluate("baseline TF-IDF char 1-3 + LogisticRegression", real,
                             sklearn_parser(tfidf_model(train)))
    print("\n".join(baseline_real.lines()))
    shipped = score("shipped (config.yml)", test, *rasa_predictions(model, test))
    print_report(shipped, detailed=True)
    plot_confusion(shipped, test, OUT / "confusion_shipped.png")
    print(f"confusion matrix: {OUT / 'confusion_shipped.png'}")
    if args.only:
        return
    systems: dict[str, Callable[[], tuple[list[str], list[frozenset[str]]]]] = {
        "baseline TF-IDF char 1-3 + LogisticRegression": lambda: tfidf_baseline(train, test),
        f"baseline Rasa stock (rasa init, language en, {args.stock_epochs} epochs)": lambda: rasa_predictions(
            train_rasa_nlu(with_diet_epochs(ROOT / "bench/configs/stock.yml", args.stock_epochs), "stock"), test),
        "variant Rasa LogisticRegressionClassifier": lambda: rasa_predictions(
            train_rasa_nlu(ROOT / "bench/configs/logreg.yml", "logreg"), test),
    }
    for name, predict in systems.items():
        print_report(score(name, test, *predict()), detailed=False)


if __name__ == "__main__":
    main()
