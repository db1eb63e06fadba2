"""Held-out NLU quality gate: the shipped model must reach intent macro-F1 0.93 and region F1 0.90."""

from __future__ import annotations

from bench.nlu_eval import load_examples, rasa_predictions, score
from tests.support.assistant import ROOT


def test_held_out_intent_macro_f1_and_region_f1(trained_model) -> None:
    examples = load_examples(ROOT / "tests" / "nlu")
    report = score("shipped", examples, *rasa_predictions(trained_model, examples))
    worst = sorted(report.per_intent.items(), key=lambda item: item[1][2])[:5]
    print(f"macro-F1 {report.macro_f1:.3f} region F1 {report.region_f1:.3f}; weakest: {worst}")
    assert report.macro_f1 >= 0.93, worst
    assert report.region_f1 >= 0.90
