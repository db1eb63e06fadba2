"""What an operator may assign to a queued question: the domain's intents and the FAQ entries' keys."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Intents that are dialogue control, not something a question can be about.
NOT_TOPICS = frozenset({"affirm", "deny", "provide_identity", "more_details", "unbind"})


@lru_cache(maxsize=1)
def intents(domain_path: Path = ROOT / "domain.yml") -> tuple[str, ...]:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    return tuple(name for name in domain.get("intents", []) if isinstance(name, str) and name not in NOT_TOPICS)


@lru_cache(maxsize=1)
def faq_keys(faq_dir: Path = ROOT / "data" / "faq") -> tuple[str, ...]:
    """Every entry's key, 'intent/id', in file order."""
    keys: list[str] = []
    for path in sorted(faq_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys += [f"{data['intent']}/{entry['id']}" for entry in data.get("entries", []) if "intent" in data]
    return tuple(keys)
