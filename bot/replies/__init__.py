"""The reply layer: every text a user reads comes from the domain's responses (domain.yml) or the FAQ
data, with the facts it names filled in from the one place each fact lives.

A fact is written in a text as a dotted placeholder — {contact.medical_hotline}, {law.registration_days},
{verification.max_failures} — and filled here: policy facts from data/policies (national values),
product settings from the module that enforces them. Rasa's own placeholders ({minutes}, {ticket}) have
no dot and are left for Rasa to fill from the message.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.records.verification import LOCK_MINUTES, MAX_FAILURES
from bot.rules.common import policy_view

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
FACT_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+\.[a-z0-9_.]+)\}")
# Settings the product enforces (not policy): the texts that explain them read them from their code.
PRODUCT_FACTS: dict[str, Any] = {
    "verification.max_failures": MAX_FAILURES,
    "verification.lock_minutes": LOCK_MINUTES,
}
_DIGITS = "零一二三四五六七八九"


def format_fact(key: str, value: object) -> str:
    """A value as a sentence writes it: shares as 50%, ratio cuts as the number of points, a daily
    rate of 0.0005 as 万分之五."""
    if isinstance(value, float) and key.endswith("rate") and round(value * 10000) in range(1, 10):
        return "万分之" + _DIGITS[round(value * 10000)]
    if isinstance(value, float) and key.endswith("cut"):
        return f"{value * 100:g}"  # the text says 「个百分点」
    if isinstance(value, float) and key.endswith(("ratio", "share")):
        return f"{value * 100:g}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def fact(key: str) -> Any:
    """One fact's value: a product setting, else the national policy data (KeyError if neither)."""
    if key in PRODUCT_FACTS:
        return PRODUCT_FACTS[key]
    return policy_view(None).contact(key)


def fill_facts(text: str) -> str:
    """The text with its dotted placeholders filled."""
    return FACT_PLACEHOLDER.sub(lambda m: format_fact(m.group(1), fact(m.group(1))), text)


@lru_cache(maxsize=1)
def _domain_responses() -> dict[str, list[dict]]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")).get("responses") or {}


def response_text(name: str, **values: object) -> str:
    """The first text of a domain response, facts filled, then {name}-style values (for texts sent
    outside Rasa: channel replies when the servers are busy, rate limits, reminders)."""
    text = fill_facts(_domain_responses()[name][0]["text"])
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def filled_responses(responses: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """A copy of the domain's responses with every fact placeholder filled."""
    return {name: [{**variant, **({"text": fill_facts(variant["text"])} if "text" in variant else {})}
                   for variant in variants]
            for name, variants in responses.items()}
