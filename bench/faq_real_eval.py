"""Does the assistant pick the FAQ entry a real question asks for?

    python -m bench.faq_real_eval [GOLD.tsv]

GOLD (default bench/grading/entry_gold_round3.tsv) holds real questions of the development set with
the entry an annotator judged to answer the point asked (`best`), others that answer it as well
(`also_ok`), or NONE when no entry does. Each question is parsed by the shipped model and the entry is
chosen as actions/answer.py chooses it; the script prints how often the chosen entry is right, wrong,
or missing (a topic menu or a general answer instead), and lists the misses. A development measure:
the graded answers (bench/answer_quality.py) on questions nobody tuned to are the verdict.
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT / "bench" / "grading" / "entry_gold_round3.tsv"
FALLBACK = "nlu_fallback"


def main() -> None:
    from rasa.core.agent import Agent

    from actions.answer import choose_entry, entry_when_unsure
    from bench.real_questions import acted_intent
    from tests.support.assistant import train_model

    gold_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_GOLD
    with gold_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    agent = Agent.load(str(train_model.ensure_model()))
    loop = asyncio.new_event_loop()
    outcome: Counter[str] = Counter()
    misses = []
    for row in rows:
        parsed = loop.run_until_complete(agent.parse_message(row["question"]))
        intent = acted_intent(parsed)
        ok = {row["best"], *filter(None, (row.get("also_ok") or "").split(","))} - {"NONE"}
        if intent == "out_of_scope":
            chosen = intent
        elif intent == FALLBACK:  # asked back, unless one entry of its likeliest topics is clear
            match = entry_when_unsure(row["question"], parsed.get("intent_ranking", []))
            chosen = match.entry.key if match else FALLBACK
        else:
            match = choose_entry(row["question"], intent, parsed.get("intent_ranking", []))
            chosen = match.entry.key if match else f"menu:{intent}"
        if not ok:
            kind = "no entry exists: " + ("refused/clarified" if chosen in (FALLBACK, "out_of_scope")
                                          else "menu" if chosen.startswith("menu:") else "answered anyway")
        elif chosen in ok:
            kind = "right entry"
        elif chosen.startswith("menu:") or chosen in (FALLBACK, "out_of_scope"):
            kind = "entry exists: menu, clarify or refuse"
        else:
            kind = "entry exists: wrong entry"
        outcome[kind] += 1
        if kind != "right entry":
            misses.append((kind, row["id"], row["question"], chosen, row["best"]))
    total = len(rows)
    for kind, count in sorted(outcome.items()):
        print(f"{kind:42s} {count:4d}  {count / total:6.1%}")
    for kind, *rest in sorted(misses):
        print(f"[{kind}] " + " | ".join(rest))


if __name__ == "__main__":
    main()
