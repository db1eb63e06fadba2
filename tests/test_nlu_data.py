"""The training and held-out data are what the issue asks for: enough, realistic, disjoint."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_INTENTS = [
    "query_balance", "account_usage", "query_payment_records", "lapse", "enrollment", "insurance_types",
    "query_insured_location", "transfer", "remote_care", "chronic_disease", "query_consumption",
    "claim_process", "reimbursement_rate", "coverage_scope", "card_service", "e_voucher", "query_channels",
    "family_account", "designated_institution", "employer_arrears", "maternity", "retirement",
    "human_handoff", "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help",
    "provide_identity", "out_of_scope",
]
MOST_ASKED = ["enrollment", "maternity", "coverage_scope", "remote_care", "claim_process",
              "reimbursement_rate", "lapse", "card_service"]
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")


def plain(example: str) -> str:
    return ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example).strip()


def examples_by_intent(folder: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
                found.setdefault(block["intent"], []).extend(plain(line) for line in lines)
    return found


def test_domain_lists_every_contract_intent() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(CONTRACT_INTENTS) <= set(domain["intents"])


def test_training_data_has_enough_examples_per_intent() -> None:
    counts = {intent: len(lines) for intent, lines in examples_by_intent("data/nlu").items()}
    too_few = {i: counts.get(i, 0) for i in CONTRACT_INTENTS if counts.get(i, 0) < 60}
    assert not too_few
    assert not {i: counts[i] for i in MOST_ASKED if counts[i] < 100}


def test_held_out_set_has_at_least_15_per_intent() -> None:
    counts = {intent: len(lines) for intent, lines in examples_by_intent("tests/nlu").items()}
    assert not {i: counts.get(i, 0) for i in CONTRACT_INTENTS if counts.get(i, 0) < 15}


def test_held_out_sentences_never_appear_in_training() -> None:
    train = {s for lines in examples_by_intent("data/nlu").values() for s in lines}
    test = {s for lines in examples_by_intent("tests/nlu").values() for s in lines}
    assert not train & test


def test_no_sentence_is_labelled_with_two_intents() -> None:
    for folder in ("data/nlu", "tests/nlu"):
        owners = Counter(s for lines in examples_by_intent(folder).values() for s in set(lines))
        assert not [s for s, n in owners.items() if n > 1], folder
