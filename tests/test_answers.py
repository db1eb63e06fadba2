"""Specific answers first, details on request, follow-ups on the same topic, drugs from the catalogue:
through the real model and action server, as a user sees them."""

from __future__ import annotations

import pytest

from bot.faq.render import FIRST_REPLY_LIMIT

pytestmark = pytest.mark.usefixtures("assistant")


def _reply(messages: list[dict]) -> tuple[str, list[str]]:
    text = "\n".join(m.get("text", "") for m in messages)
    return text, [b["title"] for m in messages for b in m.get("buttons", [])]


def test_a_specific_question_gets_its_specific_short_answer(assistant) -> None:
    text, buttons = _reply(assistant.send("医保卡里的钱能取出来吗", assistant.new_sender()))
    assert text.startswith("不能") and "依据" in text
    assert len(text) <= FIRST_REPLY_LIMIT
    assert buttons == ["看详细和依据", "转人工"]


def test_details_expand_the_last_answer(assistant) -> None:
    sender = assistant.new_sender()
    short, _ = _reply(assistant.send("医保卡里的钱能取出来吗", sender))
    details, _ = _reply(assistant.send("详细", sender))
    assert details != short and "依据" in details and len(details) > 40


def test_details_by_number_payload(assistant) -> None:
    sender = assistant.new_sender()
    assistant.send("社保卡丢了怎么补办", sender)
    details, _ = _reply(assistant.send("/more_details", sender))
    assert "挂失" in details and "依据" in details


def test_details_without_an_answer_says_what_to_do(assistant) -> None:
    text, _ = _reply(assistant.send("/more_details", assistant.new_sender()))
    assert "简短回答" in text


@pytest.mark.parametrize(("question", "expected"), [
    ("住院要住够三天才能报销吗", "没有规定住院必须满几天"),
    ("异地就医怎么备案", "备案"),
    ("新农合每年几月交", "参保"),
])
def test_real_phrasings_get_the_point_asked(assistant, question, expected) -> None:
    text, _ = _reply(assistant.send(question, assistant.new_sender()))
    assert expected in text and len(text) <= FIRST_REPLY_LIMIT


def test_metformin_is_answered_from_the_catalogue(assistant) -> None:
    text, _ = _reply(assistant.send("二甲双胍是不是医保药", assistant.new_sender()))
    assert "甲类" in text and "2024年版" in text and "医保发〔2024〕33号" in text


def test_an_unknown_drug_gets_no_guessed_class(assistant) -> None:
    text, _ = _reply(assistant.send("XX片在医保用药范围吗", assistant.new_sender()))
    assert "没有查到" in text and "甲类" not in text


def test_a_computation_still_uses_the_numbers_given(assistant) -> None:
    text, _ = _reply(assistant.send("住院花了3万能报多少", assistant.new_sender()))
    assert "3万" in text or "30000" in text or "30,000" in text


def test_a_vague_topic_question_offers_the_topic_s_questions_then_answers_the_pick(assistant) -> None:
    sender = assistant.new_sender()
    messages = assistant.send("咨询下生育的问题", sender)
    text, _ = _reply(messages)
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert "回复数字" in text and len(text) <= FIRST_REPLY_LIMIT
    assert 2 <= len(buttons) <= 4 and all(b["payload"] == b["title"] for b in buttons)
    picked, _ = _reply(assistant.send(buttons[0]["payload"], sender))
    assert "依据" in picked and "回复数字" not in picked
    general, _ = _reply(assistant.send("详细", assistant.new_sender()))
    assert general


def test_facts_given_after_an_estimate_refine_it(assistant) -> None:
    """The issue's example: 3万 → 三级医院 → 居民医保 → 外地, each reply a new estimate with that fact."""
    sender = assistant.new_sender()
    first, _ = _reply(assistant.send("住院花了3万能报多少", sender))
    assert "30000" in first
    hospital, _ = _reply(assistant.send("三级医院", sender))
    assert "30000" in hospital and "三级" in hospital
    resident, _ = _reply(assistant.send("我是居民医保", sender))
    assert "30000" in resident and "居民" in resident
    elsewhere, _ = _reply(assistant.send("那在外地住院呢", sender))
    assert "30000" in elsewhere and ("异地" in elsewhere or "外地" in elsewhere)
    assert elsewhere != resident


@pytest.mark.parametrize("question", [
    "住院花了3万三级医院能报多少", "我职工医保断了2个月", "我职工医保断了5个月", "居民医保断了14个月怎么办",
    "医保断了3个月", "单位欠了3000元医保从今年3月开始",
])
def test_computed_answers_are_short_first_and_complete_on_details(assistant, question) -> None:
    """A computed answer fits a phone screen with its numbered next steps; 「详细」 computes the same
    question again in full (the breakdown, the steps, the sources)."""
    sender = assistant.new_sender()
    first, buttons = _reply(assistant.send(question, sender))
    shown = first + "".join(f"\n回复{i} {title}" for i, title in enumerate(buttons, start=1))
    assert len(shown) <= FIRST_REPLY_LIMIT and buttons[:1] == ["看详细和依据"]
    details, _ = _reply(assistant.send("/more_details", sender))
    assert len(details) > len(first) and "依据" in details
    assert first.splitlines()[0].split("：")[0] in details  # the same case, not a general overview


def test_details_of_an_estimate_break_it_down(assistant) -> None:
    sender = assistant.new_sender()
    assistant.send("住院花了2万三级医院能报多少", sender)
    details, _ = _reply(assistant.send("/more_details", sender))
    assert "分项估算" in details and "20000.00" in details and "12320.00" in details


@pytest.mark.parametrize(("question", "follow_up", "expected"), [
    ("社保卡丢了怎么补办", "要带什么", "身份证"),
    ("生孩子能报销吗", "要带什么材料", "出生医学证明"),
    ("转移医保关系怎么办", "要多久", "工作日"),
    ("医保断缴了怎么办", "能补吗", "补缴"),
])
def test_elliptical_follow_ups_carry_the_topic(assistant, question, follow_up, expected) -> None:
    """Issue 12 point 2: 「要带什么」「要多久」「能补吗」 right after an answer are about that answer."""
    sender = assistant.new_sender()
    assistant.send(question, sender)
    text, _ = _reply(assistant.send(follow_up, sender))
    assert expected in text and "回复数字" not in text and "我不太确定" not in text


def test_a_city_in_the_question_is_named_where_the_local_figure_is_found(assistant) -> None:
    text, _ = _reply(assistant.send("石家庄职工医保住院报销比例是多少", assistant.new_sender()))
    assert "石家庄市" in text and "12393" in text
