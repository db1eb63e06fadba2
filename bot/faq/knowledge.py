"""Loading data/faq/<intent>.yml: entries with a short answer, details and a source.

Numbers the policy data holds are written in the entries as {param.key} placeholders and filled from
data/policies here, so a number lives in one place (a changed hotline or working-day count changes
every answer that uses it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.replies import format_fact
from bot.rules.common import PolicyView, policy_view

_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")

FAQ_DIR = Path(__file__).resolve().parents[2] / "data" / "faq"
SHORT_LIMIT = 150
LOCAL_LOOKUP = "查本地标准：参保地医保局官网、国家医保服务平台APP，或拨打区号+{contact.medical_hotline}"
# When the question names the place, the way to its figure names it too.
PLACE_LOOKUP = "查{place}的标准：{place}医保局官网、国家医保服务平台APP，或拨打{place}区号+{contact.medical_hotline}"
DETAILS_LIMIT = 600


class FaqDataError(ValueError):
    """A FAQ file that breaks the format of data/faq/README.md."""


@dataclass(frozen=True)
class FaqEntry:
    intent: str
    slug: str
    questions: tuple[str, ...]
    short: str
    details: str
    source: str
    varies_by: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The entry's name, e.g. enrollment/leave_job_continue."""
        return f"{self.intent}/{self.slug}"


@dataclass(frozen=True)
class FaqAnswer:
    """What the reply layer renders for an entry."""

    entry: FaqEntry
    text: str  # short or details
    source: str
    varies_by: tuple[str, ...]
    local_lookup: str = ""  # where to find the local figure, for answers that depend on the place
    place: str | None = None  # the region the question named


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[FaqEntry, ...]

    def by_key(self, key: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def answer(self, entry: FaqEntry, detailed: bool = False, place: str | None = None) -> FaqAnswer:
        """The entry's text with its facts filled; `place` is the region the question named, if any."""
        view = policy_view(None)
        lookup = PLACE_LOOKUP.replace("{place}", place) if place else LOCAL_LOOKUP
        return FaqAnswer(entry, fill(view, entry.details if detailed else entry.short), fill(view, entry.source),
                         entry.varies_by, fill(view, lookup), place)


def fill(view: PolicyView, text: str) -> str:
    """The text with its {param.key} placeholders filled from the national policy data."""
    return _PLACEHOLDER.sub(lambda m: format_fact(m.group(1), view.value(m.group(1))), text)


def _entry(path: Path, intent: str, raw: dict) -> FaqEntry:
    missing = [k for k in ("id", "questions", "short", "details", "source") if not raw.get(k)]
    if missing:
        raise FaqDataError(f"{path.name}: entry {raw.get('id', '?')}: missing {missing}")
    return FaqEntry(intent=intent, slug=str(raw["id"]), questions=tuple(str(q).strip() for q in raw["questions"]),
                    short=str(raw["short"]).strip(), details=str(raw["details"]).strip(),
                    source=str(raw["source"]).strip(), varies_by=tuple(raw.get("varies_by") or ()))


def load_knowledge_base_from(folder: Path) -> KnowledgeBase:
    entries: list[FaqEntry] = []
    for path in sorted(folder.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intent = content.get("intent")
        if intent != path.stem:
            raise FaqDataError(f"{path.name}: intent must equal the file name, got {intent!r}")
        entries += [_entry(path, intent, raw) for raw in content.get("entries") or []]
    keys = [e.key for e in entries]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise FaqDataError(f"duplicate FAQ ids: {sorted(duplicates)}")
    return KnowledgeBase(tuple(entries))


@lru_cache(maxsize=1)
def load_knowledge_base() -> KnowledgeBase:
    return load_knowledge_base_from(FAQ_DIR)
