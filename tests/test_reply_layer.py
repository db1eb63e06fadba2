"""One reply layer: the texts users read name facts that live in one place (policy data, product
settings), and every channel fills them the same way."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.records.verification import LOCK_MINUTES, MAX_FAILURES
from bot.replies import fill_facts, response_text
from bot.rules.common import policy_view

ROOT = Path(__file__).resolve().parent.parent
# Facts that must not be typed into a reply: they come from data/policies or the code enforcing them.
TYPED_FACTS = re.compile(r"12393|12333|用工30日|连续失败5次|暂停验证30分钟")
REPLY_SOURCES = ["domain.yml", "data/faq", "actions", "bot"]


def _files() -> list[Path]:
    files: list[Path] = []
    for name in REPLY_SOURCES:
        path = ROOT / name
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", ".yml", ".js", ".html")]
    return files


def _is_a_user_question(path: Path, line: str) -> bool:
    """The FAQ's example questions are what people type (「打12393怎么转人工」), not replies."""
    return "faq" in path.parts and line.lstrip().startswith("-")


def test_no_reply_text_types_a_fact_the_data_holds() -> None:
    typed = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:60]}"
             for path in _files() for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if TYPED_FACTS.search(line) and not line.lstrip().startswith("#")
             and '"""' not in line and not _is_a_user_question(path, line)]
    assert typed == []


def test_every_fact_placeholder_in_the_domain_is_known() -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for variants in responses.values():
        for variant in variants:
            filled = fill_facts(variant.get("text", ""))
            assert not re.search(r"\{[a-z0-9_]+\.[a-z0-9_.]+\}", filled), filled


def test_facts_are_filled_from_their_one_place() -> None:
    hotline = str(policy_view(None).contact("contact.medical_hotline"))
    assert hotline in response_text("utter_busy")
    failed = response_text("utter_verification_failed")
    assert f"{MAX_FAILURES}次" in failed and f"{LOCK_MINUTES}分钟" in failed
    registration = str(policy_view(None).contact("law.registration_days"))
    assert f"用工{registration}日内" in response_text("utter_enrollment")
    assert response_text("utter_new_binding_notice", channel="微信").count("微信") == 1


def test_rasa_renders_domain_responses_with_the_facts(assistant) -> None:
    text = "\n".join(m.get("text", "") for m in assistant.send("再见", assistant.new_sender()))
    assert str(policy_view(None).contact("contact.medical_hotline")) in text and "{" not in text


def test_the_web_page_shows_the_reply_layer_s_busy_text() -> None:
    from bot.channels.webchat import chat_page_html

    assert f'data-busy-text="{response_text("utter_busy")}"' in chat_page_html()
