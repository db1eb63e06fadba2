"""The fixed policy answers in domain.yml (issue #13): what a user reads for each corrected point and
for what a trained 12393 agent would add. The computed answers are tested in tests/rules."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.nlp.regions import default_gazetteer
from bot.replies import fill_facts
from tests.support.assistant import ROOT

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def answer(name: str) -> str:
    """The response as users read it: facts filled by the reply layer."""
    return "\n".join(fill_facts(item.get("text", "")) for item in RESPONSES[name])


def test_newborn_answer_gives_the_enrolment_deadline_and_what_follows_it():  # point 3
    text = answer("utter_enrollment")
    assert "出生后90天或3个月内" in text and "自出生之日起享受待遇" in text
    assert "超过期限再参保" in text and "可能有等待期" in text


def test_remote_answers_send_long_term_filers_and_travel_emergencies_to_the_right_class():  # point 5
    remote = answer("utter_remote_care")
    assert "长期备案（异地安置、长期居住、常驻工作）不按临时外出降低比例" in remote
    assert "急诊抢救（含出差、旅游途中急诊）最多降10个百分点" in remote
    voucher = answer("utter_e_voucher")
    assert "异地就医备案" in voucher and "异地就医同样可以使用" not in voucher


def test_family_account_cites_38_for_relatives_and_needs_the_relative_insured():  # point 7
    text = answer("utter_family_account")
    assert "国办发〔2024〕38号把范围扩大到近亲属" in text
    assert "14号，2024年扩至近亲属" not in text
    assert "家人本人要参加基本医保" in text and "为他缴纳居民医保" in text
    assert "跨省共济" in text


def test_maternity_answer_is_not_too_broad_and_spouse_right_is_national():  # point 8
    text = answer("utter_maternity")
    assert "参加职工医保就有生育保险" not in text
    assert "灵活就业" in text and "多数地方不含生育保险" in text
    assert "社会保险法第五十四条" in text and "部分地区可报销配偶" not in text


def test_unchecked_claims_are_gone_or_qualified():  # point 9
    every = "\n".join(answer(name) for name in RESPONSES)
    assert "1-2个月" not in every
    assert "我→服务" not in every and "市民中心" not in every
    for name in ("utter_query_payment_records_general", "utter_query_channels", "utter_e_voucher"):
        assert "以APP实际页面为准" in answer(name), name
    national = (ROOT / "data/policies/national.yml").read_text(encoding="utf-8")
    assert "原则约为当地职工年平均工资的4倍" not in national


@pytest.mark.parametrize(("name", "facts"), [
    ("utter_account_usage", ["门诊共济", "本人缴费基数的2%", "单位缴费全部进入统筹基金", "国办发〔2021〕14号"]),
    ("utter_chronic_disease", ["两病", "医保发〔2019〕54号", "门慢门特"]),
    ("utter_enrollment", ["灵活就业", "户籍限制", "首次参保是否有等待期", "大学生", "学校所在地", "重复参保",
                          "毕业后", "全国最低标准"]),
    ("utter_retirement", ["没有全国统一数字", "12393", "个人参保信息"]),
    ("utter_remote_care", ["看门诊", "定点药店"]),
    ("utter_e_voucher", ["激活", "支付密码"]),
])
def test_what_a_12393_agent_would_add_is_in_the_answers(name, facts):
    text = answer(name)
    for fact in facts:
        assert fact in text, (name, fact)


def test_no_fixed_answer_puts_a_number_under_a_real_place_name():  # point 2
    names = {form for region in default_gazetteer().regions for form in (region.name, *region.aliases)
             if len(form) >= 2}
    for name in RESPONSES:
        for line in answer(name).splitlines():
            for place in names:
                if place in line:
                    assert not re.search(r"\d", line.replace("12393", "").replace("12333", "")), (name, line)
