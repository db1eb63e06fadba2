"""Conversations through the real model, action server and SQLite records: what a user sees."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
import yaml

from tests.support.assistant import ROOT

pytestmark = pytest.mark.usefixtures("assistant")

ID_NUMBER = re.compile(r"(?<![\dA-Za-z*.])\d{17}[\dXx](?![\dA-Za-z])")
MOBILE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?!\d)")


def personas() -> list[dict]:
    data = yaml.safe_load((ROOT / "data/demo/personas.yml").read_text(encoding="utf-8"))
    return data["personas"] if isinstance(data, dict) else data


def persona_with(story_word: str) -> dict:
    return next(p for p in personas() if story_word in json.dumps(p, ensure_ascii=False))


def verify(assistant, sender: str, person: dict) -> str:
    assistant.texts("验证身份", sender)
    assistant.texts(person["name"], sender)
    assistant.texts(person["phone"][-4:], sender)
    return assistant.texts(person["id_number"], sender)


def test_lapse_question_gets_the_lapse_answer_with_source(assistant) -> None:
    reply = assistant.texts("我的医保断缴了怎么办", assistant.new_sender())
    assert "补缴" in reply and "依据" in reply


def test_unverified_user_never_sees_balance(assistant) -> None:
    sender = assistant.new_sender()
    reply = assistant.texts("我的医保余额还有多少", sender)
    assert "验证身份" in reply
    assert not re.search(r"\d+\.\d{2}\s*元", reply)


def test_verified_user_sees_own_balance_masked_and_dated(assistant) -> None:
    sender, person = assistant.new_sender(), personas()[0]
    assert "验证成功" in verify(assistant, sender, person)
    reply = assistant.texts("我的医保余额还有多少", sender)
    assert "元" in reply and "截至" in reply
    assert person["id_number"] not in reply and person["phone"] not in reply


def test_verified_user_sees_month_grid_and_insured_place(assistant) -> None:
    sender, person = assistant.new_sender(), personas()[0]
    verify(assistant, sender, person)
    records = assistant.texts("查一下我的缴费记录", sender)
    assert re.search(r"\d{4}年：[■□·]{12}", records)
    place = assistant.texts("我的参保地在哪", sender)
    assert "参保地" in place


def test_offer_accepted_answers_the_pending_question(assistant) -> None:
    sender, person = assistant.new_sender(), personas()[0]
    assistant.texts("余额还剩多少", sender)
    assistant.texts("好的", sender)
    assistant.texts(person["name"], sender)
    assistant.texts(person["phone"][-4:], sender)
    reply = assistant.texts(person["id_number"], sender)
    assert "验证成功" in reply and "余额" in reply


def test_wrong_id_checksum_is_explained(assistant) -> None:
    sender, person = assistant.new_sender(), personas()[0]
    assistant.texts("验证身份", sender)
    assistant.texts(person["name"], sender)
    assistant.texts(person["phone"][-4:], sender)
    bad = person["id_number"][:-1] + ("0" if person["id_number"][-1] != "0" else "1")
    reply = assistant.texts(bad, sender)
    assert "校验" in reply


def test_unknown_person_and_wrong_name_get_the_same_answer(assistant) -> None:
    person = personas()[0]
    replies = []
    for name, id_number in ((person["name"] + "某", person["id_number"]), ("王不存在", "11010519491231002X")):
        sender = assistant.new_sender()
        assistant.texts("验证身份", sender)
        assistant.texts(name, sender)
        assistant.texts(person["phone"][-4:], sender)
        replies.append(assistant.texts(id_number, sender))
    assert replies[0] == replies[1]
    assert "不一致" in replies[0]


def test_five_failures_lock_verification(assistant) -> None:
    sender, person = assistant.new_sender(), personas()[0]
    assistant.texts("验证身份", sender)
    for _ in range(5):
        assistant.texts("李四", sender)
        assistant.texts("0000", sender)
        reply = assistant.texts(person["id_number"], sender)
    assert "暂停" in reply
    assistant.texts(person["name"], sender)
    assistant.texts(person["phone"][-4:], sender)
    assert "验证成功" not in assistant.texts(person["id_number"], sender)


def test_tracker_store_holds_no_raw_id_or_phone(assistant, tracker_db_path) -> None:
    sender, person = assistant.new_sender("scan"), personas()[0]
    verify(assistant, sender, person)
    assistant.texts(f"我手机号是{person['phone']}", sender)
    rows = sqlite3.connect(tracker_db_path).execute("select data from events").fetchall()
    stored = "\n".join(row[0] for row in rows)
    assert person["name"] in stored or "验证" in stored  # the scan looked at real data
    assert not ID_NUMBER.search(stored), ID_NUMBER.search(stored)
    assert not MOBILE.search(stored), MOBILE.search(stored)
    tracker = assistant.tracker(sender)
    assert tracker.get_slot("id_number") in (None, "") or "*" in tracker.get_slot("id_number")


def test_family_member_data_needs_an_authorisation(assistant) -> None:
    parent = persona_with("授权")
    sender = assistant.new_sender()
    verify(assistant, sender, parent)
    allowed = assistant.texts("帮我查一下我孩子的医保余额", sender)
    assert "余额" in allowed and ("子女" in allowed or "孩子" in allowed or "的医保" in allowed)
    stranger = next(p for p in personas() if p is not parent and "授权" not in json.dumps(p, ensure_ascii=False))
    sender2 = assistant.new_sender()
    verify(assistant, sender2, stranger)
    denied = assistant.texts("查一下我妈妈的医保余额", sender2)
    assert "授权" in denied


def test_the_rules_issue_examples_get_computed_numbers_and_a_source(assistant) -> None:
    lapse = assistant.texts("我职工医保断了4个月", assistant.new_sender())
    assert "4个月" in lapse and "补缴" in lapse and "依据" in lapse and "43号" in lapse
    assert "0–6个月" in lapse and "补缴≠补报" in lapse  # over 3 months: 43号 ③
    estimate = assistant.texts("住院花了2万三级医院能报多少", assistant.new_sender())
    # national 示例参数 (docs/rules.md): 职工 fund 12320.00–15200.00 元, own 4800.00–7680.00 元
    assert "12320.00" in estimate and "15200.00" in estimate and "依据" in estimate
    assert "各地政策可能不同" in estimate
    assert estimate.lstrip().startswith("【按常见标准估算，非您所在地的实际标准】")


def test_short_employee_gap_is_never_answered_with_no_backpay(assistant) -> None:
    """Issue #13 point 1: a 职工 gap of ≤ 3 months may be covered (43号 ① ②): no 补缴≠补报."""
    reply = assistant.texts("我职工医保断了2个月", assistant.new_sender())
    assert "不要求此前连续参保年限" in reply and "连续参保满2年" in reply
    assert "补缴≠补报" not in reply and "不予支付" not in reply


def test_verified_user_with_a_two_month_gap_is_not_told_the_gap_is_lost(assistant) -> None:
    sender, person = assistant.new_sender(), persona_with("断缴2个月")
    assert "验证成功" in verify(assistant, sender, person)
    reply = assistant.texts("我的医保断缴了怎么办", sender)
    assert "根据您的缴费记录" in reply and "中断期间" in reply
    assert "补缴≠补报" not in reply and "不予支付" not in reply


def test_an_estimate_for_a_demo_city_shows_no_local_number(assistant) -> None:
    """Issue #13 point 2: 武汉 has no sourced figure, so the answer says it is an estimate and where to ask."""
    reply = assistant.texts("我在武汉住院花了2万三级医院能报多少", assistant.new_sender())
    assert reply.lstrip().startswith("【按常见标准估算，非您所在地的实际标准】")
    assert "12320.00" in reply and "12393" in reply
