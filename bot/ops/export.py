"""Labelled review items as files a maintainer reviews and moves into the training data.

Each export is a folder under review/ (OPS_EXPORT_DIR):
- nlu.yml — Rasa NLU training data (`version: "3.1"`, `nlu:` with one block per intent); its
  examples go into data/nlu/<intent>.yml.
- faq.yml — for each FAQ entry key, the questions to add to that entry's `questions:` in
  data/faq/<intent>.yml; and the questions that need a new answer written.
Then `make model` retrains. The question texts were redacted when they were recorded.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from bot.ops import queue
from bot.records.clock import now as china_now

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Export:
    name: str  # the folder's name, e.g. 20261201-083000
    folder: Path
    items: int

    @property
    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.yml"))


def export_dir() -> Path:
    return Path(os.environ.get("OPS_EXPORT_DIR") or ROOT / "review")


def export_labelled(session: Session, operator: str, base: Path | None = None) -> Export | None:
    """Writes every labelled item not yet exported and marks them exported; None when there is none."""
    items = queue.labelled(session)
    if not items:
        return None
    moment = china_now()
    folder = _new_folder(base or export_dir(), moment.strftime("%Y%m%d-%H%M%S"))
    header = f"# 医保助手审核导出 {moment:%Y-%m-%d %H:%M}，操作员 {operator}，{len(items)} 条\n"
    (folder / "nlu.yml").write_text(header + nlu_yaml(items), encoding="utf-8")
    (folder / "faq.yml").write_text(header + faq_yaml(items), encoding="utf-8")
    queue.mark_exported(session, [item.id for item in items])
    return Export(folder.name, folder, len(items))


def nlu_yaml(items: list[queue.ReviewItem]) -> str:
    """Rasa NLU format, examples grouped by intent (data/nlu/<intent>.yml takes them as they are)."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.label_intent and item.question not in by_intent[item.label_intent]:
            by_intent[item.label_intent].append(item.question)
    lines = ["# 把各意图的例句移入 data/nlu/<意图>.yml，然后 make model 重新训练", 'version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {_one_line(text)}" for text in by_intent[intent]]
    return "\n".join(lines) + "\n"


def faq_yaml(items: list[queue.ReviewItem]) -> str:
    entries: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.label_faq_key:
            entries[item.label_faq_key].append(item.question)
    body = {"questions_for_entries": dict(sorted(entries.items())),
            "new_answer_needed": [item.question for item in items if item.new_answer_needed]}
    note = ("# questions_for_entries：把问题加到 data/faq/<意图>.yml 中该条目的 questions 下；\n"
            "# new_answer_needed：这些问题还没有合适的答案，需要编写新条目。\n")
    return note + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def read_export(name: str, file: str, base: Path | None = None) -> str | None:
    """One file of an export, for download; None for anything else (no path tricks)."""
    root = base or export_dir()
    if file not in ("nlu.yml", "faq.yml") or not name.replace("-", "").isdigit():
        return None
    path = root / name / file
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _new_folder(base: Path, stem: str) -> Path:
    for suffix in range(100):
        folder = base / (stem if suffix == 0 else f"{stem}-{suffix}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"too many exports named {stem}")


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "｜")
