"""Drug questions are answered from the national catalogue, never guessed."""

from __future__ import annotations

from bot.rules.drugs import EDITION, catalogue, find_drug, mentions_a_drug


def test_catalogue_holds_the_2024_edition() -> None:
    rows = catalogue()
    assert len(rows) == 3826
    assert {row.drug_class for row in rows} == {"甲", "乙"}


def test_metformin_is_class_a_in_tablets_and_class_b_slow_release() -> None:
    answer = find_drug("二甲双胍是不是医保药")
    assert answer.drug == "二甲双胍"
    assert {(row.form, row.drug_class) for row in answer.rows} >= {("口服常释剂型", "甲"), ("缓释控释剂型", "乙")}
    text = answer.text()
    assert EDITION in text and "不是全报" in text


def test_brand_forms_are_found_without_the_dosage_word() -> None:
    assert find_drug("连花清瘟胶囊能报销吗").rows[0].drug_class == "甲"
    assert find_drug("阿托伐他汀钙片在医保范围吗").drug == "阿托伐他汀"


def test_unknown_or_vague_drugs_get_no_class() -> None:
    assert find_drug("XX片在医保用药范围吗") is None
    assert find_drug("住院能报多少") is None
    assert mentions_a_drug("XX片在医保用药范围吗") and not mentions_a_drug("住院能报多少")
