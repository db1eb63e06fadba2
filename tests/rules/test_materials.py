"""Material checklists built from data/policies, personalised by case and relation."""

from __future__ import annotations

import pytest

from bot.rules.materials import CLAIM_CASES, claim_materials, normalise_cases, transfer_materials


@pytest.mark.parametrize("case", CLAIM_CASES)
def test_every_claim_case_adds_its_own_items_to_the_base_list(book, case):
    base = claim_materials(["门诊"], book=book).items[:3]
    result = claim_materials([case], book=book)
    assert result.items[:3] == base
    assert len(result.items) > 3
    assert result.caveat() and "以参保地医保部门要求为准" in result.reasons[0]


def test_user_words_map_to_cases():
    assert normalise_cases(["车祸住院", "在外地"]) == ["住院", "意外伤害", "异地"]
    assert normalise_cases(["生孩子"]) == ["生育"]


def test_a_child_claim_by_a_parent_adds_minor_and_proxy_items(book):
    result = claim_materials(["住院"], relation="儿子", book=book)
    assert result.cases == ["住院", "未成年"]
    assert "监护人身份证件" in result.items and "代办人身份证件" in result.items


def test_a_spouse_applying_adds_only_proxy_items(book):
    result = claim_materials(["门诊"], relation="老婆", book=book)
    assert "代办人身份证件" in result.items and "监护人身份证件" not in result.items


def test_items_are_not_repeated_and_regional_items_are_added(regional_book):
    result = claim_materials(["异地", "外地", "住院"], region="示例东市", book=regional_book)
    assert len(result.items) == len(set(result.items))
    assert any(item.startswith("示例：") for item in result.items)
    assert not any(item.startswith("示例：") for item in claim_materials(["异地"], book=regional_book).items)
    assert not any(item.startswith("示例：") for item in claim_materials(["异地"], "武汉", book=regional_book).items)


def test_accident_checklist_cites_article_30(book):
    assert "第三十条" in claim_materials(["意外伤害"], book=book).source_line()


def test_no_case_defaults_to_hospital_and_says_so(book):
    result = claim_materials([], book=book)
    assert result.cases == ["住院"] and result.assumptions


def test_transfer_checklist_comes_from_43(book):
    result = transfer_materials(book=book)
    assert "有效身份证件" in result.items
    assert "43号" in result.source_line()
