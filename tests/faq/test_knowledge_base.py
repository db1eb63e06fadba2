"""The FAQ knowledge base: well-formed, sourced, short first, numbers from the policy data."""

from __future__ import annotations

import re

import pytest

from bot.faq import FaqMatcher, load_knowledge_base
from bot.faq.knowledge import DETAILS_LIMIT, SHORT_LIMIT, fill
from bot.faq.render import FIRST_REPLY_LIMIT, first_reply
from bot.rules.common import policy_view
from tests.test_nlu_data import CONTRACT_INTENTS

KB = load_knowledge_base()


def test_at_least_300_entries_under_the_contract_intents() -> None:
    assert len(KB.entries) >= 300
    assert {e.intent for e in KB.entries} <= set(CONTRACT_INTENTS)
    assert len({e.intent for e in KB.entries}) >= 20


@pytest.mark.parametrize("entry", KB.entries, ids=lambda e: e.key)
def test_entry_is_sourced_short_and_fills_from_policy_data(entry) -> None:
    assert 3 <= len(entry.questions) <= 20 and entry.source
    short, details = KB.answer(entry), KB.answer(entry, detailed=True)
    assert len(short.text) <= SHORT_LIMIT and len(details.text) <= DETAILS_LIMIT
    assert len(first_reply(short)) <= FIRST_REPLY_LIMIT
    assert "{" not in short.text + details.text + short.source


def test_hotlines_and_policy_numbers_are_never_typed_into_answers() -> None:
    """12393/12333 and the policy parameters live in data/policies, filled in at answer time."""
    for entry in KB.entries:
        assert not re.search(r"1239[3]|1233[3]", entry.short + entry.details + entry.source), entry.key


def test_answers_use_no_illustrative_numbers() -> None:
    view = policy_view(None)
    for entry in KB.entries:
        fill(view, entry.short + entry.details)
    assert not view.used_illustrative(), [p.key for p in view.used if p.illustrative]


def test_numbers_render_as_people_read_them() -> None:
    view = policy_view(None)
    assert fill(view, "{law.late_fee_daily_rate}") == "万分之五"
    assert fill(view, "{remote.referral_max_cut}个百分点") == "10个百分点"
    assert fill(view, "{outpatient.employee.ratio}") == "50%"
    assert fill(view, "拨打{contact.medical_hotline}") == "拨打12393"


def test_no_question_belongs_to_two_entries_of_one_intent() -> None:
    seen: dict[tuple[str, str], str] = {}
    for entry in KB.entries:
        for question in entry.questions:
            key = (entry.intent, re.sub(r"[\W_]", "", question))
            assert seen.setdefault(key, entry.key) == entry.key, (question, seen[key], entry.key)


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(KB)


def test_every_entry_is_found_by_its_own_questions(matcher) -> None:
    misses = [(q, e.key) for e in KB.entries for q in e.questions
              if (m := matcher.best(q, [e.intent])) is None or m.entry.key != e.key]
    assert len(misses) <= 0.02 * sum(len(e.questions) for e in KB.entries), misses[:10]


@pytest.mark.parametrize(("question", "intent", "expected"), [
    ("医保卡里的钱能提现吗", "account_usage", "account_usage/withdraw_cash"),
    ("社保卡掉了咋补", "card_service", "card_service/lost_card"),
    ("住院要住够三天才能报销吗", "coverage_scope", "coverage_scope/min_stay_myth"),
])
def test_people_s_wording_finds_the_entry(matcher, question, intent, expected) -> None:
    assert matcher.best(question, [intent]).entry.key == expected


def test_unrelated_text_matches_nothing(matcher) -> None:
    assert matcher.best("今天天气不错我们去公园玩吧", ["account_usage"]) is None


def test_the_scheme_asked_about_narrows_the_answer(matcher) -> None:
    """A question about employees' contributions is not answered with the residents' yearly amount."""
    employee = matcher.best("上班的职工社保一个月交多少钱", ["enrollment"])
    resident = matcher.best("新农合一年交多少钱", ["enrollment"])
    assert "居民医保" not in employee.entry.short.split("：")[0]
    assert resident.entry.key == "enrollment/resident_amount"


def test_a_named_place_is_named_in_the_way_to_its_figure() -> None:
    knowledge = load_knowledge_base()
    entry = next(e for e in knowledge.entries if "参保地" in e.varies_by and not any(
        word in knowledge.answer(e).text for word in ("查", "APP", "拨打", "热线", "窗口", "咨询")))
    assert "查本地标准" in first_reply(knowledge.answer(entry))
    named = first_reply(knowledge.answer(entry, place="石家庄市"))
    assert "查石家庄市的标准" in named and "石家庄市区号+12393" in named
