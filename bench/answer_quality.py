"""First replies to real questions, for grading, and the grades' summary.

    python -m bench.answer_quality replies --sample 120 --out bench/out/replies.tsv [--exclude R.tsv …]
    python -m bench.answer_quality summary bench/out/grades_a.tsv bench/out/grades_b.tsv

`replies` sends each sampled question of the real-question set (tests/nlu/real) as a new user to the
shipped model and a real action server (seeded demo records) and writes the first reply as a user
would read it (buttons as 回复N lines). Two graders who did not write the answers grade each reply
0/1/2: 2 = answers the point asked, 1 = right topic but generic or buried (or a clarification that
offers the right topic), 0 = wrong topic, refused or unhelpful. `summary` prints each grader's mean and
share of 2s, their agreement, and the first-reply lengths.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
from pathlib import Path

from bench.real_questions import load_real_set
from bot.channels.numbered import render_message_texts

ROOT = Path(__file__).resolve().parent.parent


def _ids_in(paths: list[Path]) -> set[str]:
    ids: set[str] = set()
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            ids |= {row["id"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
    return ids


def generate_replies(sample: int, seed: int, out: Path, exclude: list[Path] | None = None,
                     only: list[Path] | None = None) -> None:
    from bot.records.__main__ import migrate
    from bot.records.__main__ import seed as seed_records
    from bot.runtime.tracker_store import RedactingSQLTrackerStore
    from tests.support.assistant import load_assistant, rasa_env, start_action_server, train_model

    questions = load_real_set()
    random.Random(seed).shuffle(questions)
    if exclude:  # a fresh sample: none of the questions graded (and tuned to) before
        excluded = _ids_in(exclude)
        questions = [q for q in questions if q.id not in excluded]
    if only:  # the same questions as an earlier round, for a comparison
        kept = _ids_in(only)
        questions = [q for q in questions if q.id in kept]
    folder = Path(tempfile.mkdtemp(prefix="answer-quality-"))
    records = f"sqlite:///{folder / 'records.db'}"
    migrate(records)
    seed_records(records)
    process, url = start_action_server(rasa_env(DATABASE_URL=records), folder / "actions.log")
    try:
        bot = load_assistant(train_model.ensure_model(), url,
                             RedactingSQLTrackerStore(host=f"sqlite:///{folder / 'tracker.db'}"))
        rows = []
        for index, question in enumerate(questions[:sample]):
            text, _ = render_message_texts(bot.send(question.text, f"grading-{index}"))
            rows.append((question.id, question.text, question.intent, text.replace("\t", " ")))
    finally:
        process.terminate()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        handle.write("id\tquestion\tintent\treply\n")
        for row in rows:
            handle.write("\t".join(part.replace("\n", "⏎") for part in row) + "\n")
    lengths = [len(row[3]) for row in rows]
    print(f"{len(rows)} replies → {out}; first-reply length median {statistics.median(lengths):.0f}, "
          f"max {max(lengths)}, over 300: {sum(n > 300 for n in lengths)}")


def _grades(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: int(row["grade"]) for row in csv.DictReader(handle, delimiter="\t")}


def summary(paths: list[Path]) -> None:
    graders = [_grades(path) for path in paths]
    for path, grades in zip(paths, graders, strict=True):
        values = list(grades.values())
        print(f"{path.name}: n={len(values)} mean {statistics.mean(values):.2f}  "
              f"graded 2: {sum(v == 2 for v in values) / len(values):.0%}  graded 0: {sum(v == 0 for v in values)}")
    if len(graders) == 2:
        common = graders[0].keys() & graders[1].keys()
        agree = sum(graders[0][k] == graders[1][k] for k in common) / len(common)
        both = [(graders[0][k] + graders[1][k]) / 2 for k in common]
        print(f"agreement {agree:.0%}; mean of both {statistics.mean(both):.2f}; "
              f"both graded 2: {sum(graders[0][k] == graders[1][k] == 2 for k in common) / len(common):.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    replies = sub.add_parser("replies")
    replies.add_argument("--sample", type=int, default=120)
    replies.add_argument("--seed", type=int, default=2026)
    replies.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "replies.tsv")
    replies.add_argument("--exclude", type=Path, nargs="*", help="replies files whose questions to leave out")
    replies.add_argument("--only", type=Path, nargs="*", help="replies files whose questions to use")
    grades = sub.add_parser("summary")
    grades.add_argument("paths", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "replies":
        generate_replies(args.sample, args.seed, args.out, args.exclude, args.only)
    else:
        summary(args.paths)


if __name__ == "__main__":
    main()
