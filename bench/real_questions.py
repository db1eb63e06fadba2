"""The real-question development set (tests/nlu/real/questions.tsv) and its metrics.

Questions written by real people, each with its public source, labelled with the intent contract by
two independent passes (see tests/nlu/real/README.md). Never trained on: it tells how the assistant
does on the way people actually ask, which the self-written held-out set (tests/nlu) does not.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_SET = ROOT / "tests" / "nlu" / "real" / "questions.tsv"
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class RealQuestion:
    id: str
    text: str
    intent: str
    source: str


@dataclass(frozen=True)
class Parse:
    intent: str  # what the assistant acts on: a contract intent or nlu_fallback (it asks back)
    ranking: tuple[str, ...]  # contract intents, best first, without nlu_fallback


@dataclass
class RealReport:
    name: str
    n: int
    accuracy: float  # acted-on intent right; a clarification counts right only for out_of_scope
    top1: float  # best-ranked intent right, ignoring the fallback
    top3: float
    clarify_rate: float
    direct_accuracy: float  # accuracy among the questions answered without asking back
    macro_f1: float
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, gold, top-1
    confusions: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        return [f"== {self.name} on {self.n} real questions",
                f"   accuracy {self.accuracy:.3f}   top-1 {self.top1:.3f}   top-3 {self.top3:.3f}   "
                f"clarify {self.clarify_rate:.1%}   direct accuracy {self.direct_accuracy:.3f}   "
                f"macro-F1 {self.macro_f1:.3f}"]


def load_real_set(path: Path = REAL_SET) -> list[RealQuestion]:
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [RealQuestion(row["id"], row["question"], row["intent"], row["source"]) for row in rows]


def evaluate(name: str, questions: Sequence[RealQuestion], parse: Callable[[str], Parse]) -> RealReport:
    from sklearn.metrics import f1_score

    parses = [parse(q.text) for q in questions]
    gold = [q.intent for q in questions]
    top1 = [p.ranking[0] if p.ranking else FALLBACK for p in parses]
    acted = [p.intent for p in parses]
    right = [a == g or (a == FALLBACK and g == "out_of_scope") for a, g in zip(acted, gold, strict=True)]
    direct = [(a == g) for a, g in zip(acted, gold, strict=True) if a != FALLBACK]
    report = RealReport(
        name=name, n=len(questions), accuracy=sum(right) / len(questions),
        top1=sum(t == g for t, g in zip(top1, gold, strict=True)) / len(questions),
        top3=sum(g in p.ranking[:3] for p, g in zip(parses, gold, strict=True)) / len(questions),
        clarify_rate=sum(a == FALLBACK for a in acted) / len(questions),
        direct_accuracy=sum(direct) / len(direct) if direct else 0.0,
        macro_f1=f1_score(gold, top1, labels=sorted(set(gold)), average="macro", zero_division=0),
    )
    for q, t in zip(questions, top1, strict=True):
        if t != q.intent:
            report.errors.append((q.text, q.intent, t))
            report.confusions[(q.intent, t)] += 1
    return report


def acted_intent(parsed: dict) -> str:
    """The intent the assistant answers: an unsure out_of_scope is asked back, like action_out_of_scope."""
    from bot.topics import out_of_scope_is_clear, redirect_response

    intent = parsed["intent"]["name"]
    if intent == "out_of_scope" and not (redirect_response(parsed.get("text") or "")
                                         or out_of_scope_is_clear(parsed.get("intent_ranking", []))):
        return FALLBACK
    return intent


def rasa_parser(model: Path) -> Callable[[str], Parse]:
    """Parses with a trained Rasa model the way the server does (fallback included)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> Parse:
        parsed = loop.run_until_complete(agent.parse_message(text))
        ranking = tuple(i["name"] for i in parsed.get("intent_ranking", []) if i["name"] != FALLBACK)
        return Parse(acted_intent(parsed), ranking)

    return parse


def sklearn_parser(model) -> Callable[[str], Parse]:
    """A scikit-learn pipeline's ranking; it never asks back (no fallback threshold)."""

    def parse(text: str) -> Parse:
        probabilities = model.predict_proba([text])[0]
        ranking = tuple(str(model.classes_[i]) for i in probabilities.argsort()[::-1])
        return Parse(ranking[0], ranking)

    return parse
