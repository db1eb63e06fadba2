"""Unsure questions are asked back with numbered topics; non-医保 questions name the service that
answers them; the assistant refuses only when it is sure a question is not about 医保."""

from __future__ import annotations

import re

import pytest

from bot.topics import INTENT_LABELS, out_of_scope_is_clear, redirect_response

pytestmark = pytest.mark.usefixtures("assistant")


def _buttons(messages: list[dict]) -> list[dict]:
    return [button for message in messages for button in message.get("buttons", [])]


def test_an_unclear_question_offers_three_numbered_topics(assistant) -> None:
    messages = assistant.send("那个卡的事", assistant.new_sender())
    buttons = _buttons(messages)
    assert "请选一项" in messages[0]["text"]
    assert len(buttons) == 3
    assert all(b["title"] in INTENT_LABELS.values() and b["payload"].startswith("/") for b in buttons)


def test_choosing_an_offered_topic_answers_it(assistant) -> None:
    sender = assistant.new_sender()
    buttons = _buttons(assistant.send("那个卡的事", sender))
    reply = assistant.texts(buttons[0]["payload"], sender)
    assert reply and "请选一项" not in reply


@pytest.mark.parametrize(("question", "service"), [
    ("我退休了养老金一个月能拿多少", "12333"),
    ("交一年失业险能领几个月失业金", "12333"),
    ("买的百万医疗险怎么理赔", "保险公司"),
    ("公积金怎么提取", "12329"),
])
def test_questions_for_other_services_name_that_service(assistant, question, service) -> None:
    reply = assistant.texts(question, assistant.new_sender())
    assert service in reply
    assert not re.search(r"依据：.*医保", reply)  # no 医保 policy answer


def test_chit_chat_is_declined_politely(assistant) -> None:
    reply = assistant.texts("明天天气怎么样", assistant.new_sender())
    assert "超出了我的服务范围" in reply and "12393" in reply


def test_old_scheme_names_and_traditional_characters_are_understood(assistant) -> None:
    reply = assistant.texts("新農合每年幾月份交費", assistant.new_sender())
    assert "请选一项" not in reply and "超出" not in reply
    assert "居民" in reply or "参保" in reply


def test_redirect_words_pick_the_service() -> None:
    assert redirect_response("工伤住院费谁出") == "utter_redirect_work_injury"
    assert redirect_response("养老金怎么算") == "utter_redirect_pension"
    assert redirect_response("医保报销比例") is None
    assert redirect_response("公司不发产假工资怎么办") == "utter_redirect_labour"
    assert redirect_response("二孩育儿补贴怎么领") == "utter_redirect_family_subsidy"


def test_out_of_scope_refusal_needs_confidence() -> None:
    assert out_of_scope_is_clear([{"name": "out_of_scope", "confidence": 0.9}])
    assert not out_of_scope_is_clear([{"name": "out_of_scope", "confidence": 0.4}])
    assert not out_of_scope_is_clear([{"name": "lapse", "confidence": 0.9}])
