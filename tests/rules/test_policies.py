"""Loader validation (clear errors naming file and key) and city → province → national fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.rules.policies import LIST_KEYS, SCHEMA, PolicyDataError, is_real_place, load_policies_from
from bot.rules.regions import resolve_region


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_real_policy_data_loads_with_every_key_sourced(book):
    national = book.regions["全国"]
    assert set(national.params) == set(SCHEMA)
    assert set(national.lists) == LIST_KEYS
    for policy in book.regions.values():
        for entry in [*policy.params.values(), *policy.lists.values()]:
            assert entry.source.document and entry.source.issuer and entry.source.date, entry.key
            assert entry.note


def test_no_real_place_file_holds_illustrative_numbers(book):
    """Issue #13 point 2: a user in 武汉 must never read an illustrative number as 武汉's rule."""
    for name, policy in book.regions.items():
        if name != "全国":
            assert is_real_place(name)
            assert not any(e.source.illustrative for e in [*policy.params.values(), *policy.lists.values()]), name


def test_test_regions_are_fictional_and_all_illustrative(regional_book):
    for name in ("示例甲省", "示例东市", "示例乙省", "示例南市"):
        assert not is_real_place(name)
        assert all(p.illustrative for p in regional_book.regions[name].params.values()), name


@pytest.mark.parametrize(("name", "level", "parent"), [("武汉市", "city", "湖北省"), ("湖北省", "province", None),
                                                       ("深圳市", "city", "广东省")])
def test_illustrative_numbers_under_a_real_place_name_are_rejected(policy_copy, name, level, parent):
    doc = {"region": name, "level": level, "parameters": {"employee.gap.waiting_months": {
        "value": 3, "示例参数": True, "note": "示例",
        "source": {"document": "示例参数", "issuer": "医保助手项目", "date": "2025-11"}}}}
    if parent:
        (policy_copy / f"{parent}.yml").write_text(yaml.safe_dump(
            {"region": parent, "level": "province"}, allow_unicode=True), encoding="utf-8")
        doc["parent"] = parent
    (policy_copy / f"{name}.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyDataError, match=f"{name}.yml: parameters.employee.gap.waiting_months: 示例参数 under the real place"):
        load_policies_from(policy_copy)


def test_a_real_place_may_hold_its_own_sourced_figure(policy_copy):
    doc = {"region": "湖北省", "level": "province", "parameters": {"employee.gap.waiting_months": {
        "value": 3, "note": "sourced",
        "source": {"document": "某省文件", "issuer": "某省医疗保障局", "date": "2025-01-01"}}}}
    (policy_copy / "湖北省.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert load_policies_from(policy_copy).param("employee.gap.waiting_months", ["湖北省", "全国"]).value == 3


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("示例东市.yml", lambda d: d["parameters"].update({"no.such.key": d["parameters"]["employee.gap.waiting_months"]}),
         "示例东市.yml: parameters.no.such.key: unknown key"),
        ("national.yml", lambda d: d["parameters"]["transfer.out_working_days"].pop("source"),
         "national.yml: parameters.transfer.out_working_days.source: missing source"),
        ("national.yml", lambda d: d["parameters"]["law.registration_days"]["source"].pop("issuer"),
         "national.yml: parameters.law.registration_days.source.issuer: missing"),
        ("national.yml", lambda d: d["parameters"]["transfer.in_working_days"].update(value="五"),
         "national.yml: parameters.transfer.in_working_days.value: expected int, got str"),
        ("示例甲省.yml", lambda d: d["parameters"]["drug.class_b_self_share"].update(value=8),
         "示例甲省.yml: parameters.drug.class_b_self_share.value: out of range"),
        ("national.yml", lambda d: d["parameters"]["law.late_fee_daily_rate"].update(value=None),
         "national.yml: parameters.law.late_fee_daily_rate.value: must not be null"),
        ("national.yml", lambda d: d["parameters"]["law.registration_days"].update(valu=30),
         "national.yml: parameters.law.registration_days: unknown keys ['valu']"),
        ("national.yml", lambda d: d["parameters"]["law.registration_days"].pop("note"),
         "national.yml: parameters.law.registration_days.note: missing note"),
        ("national.yml", lambda d: d["parameters"].pop("transfer.in_working_days"),
         "national.yml: parameters: missing keys ['transfer.in_working_days']"),
        ("示例南市.yml", lambda d: d.update(parent="广西壮族自治区"), "示例南市.yml: parent: unknown province"),
        ("示例南市.yml", lambda d: d.update(regoin="示例南市"), "示例南市.yml: <top>: unknown keys ['regoin']"),
        ("示例南市.yml", lambda d: d.update(region="示例乙"), "示例南市.yml: region: file name must equal"),
        ("示例甲省.yml", lambda d: d["lists"]["procedure.transfer_steps"].update(value="一条"),
         "示例甲省.yml: lists.procedure.transfer_steps.value: expected a list"),
        ("示例东市.yml", lambda d: d["lists"].update({"checklist.旅游": d["lists"]["checklist.异地"]}),
         "示例东市.yml: lists.checklist.旅游: unknown key"),
    ],
)
def test_invalid_policy_files_fail_naming_file_and_key(policy_copy, file, change, expected):
    _edit(policy_copy / file, change)
    with pytest.raises(PolicyDataError) as err:
        load_policies_from(policy_copy)
    assert expected in str(err.value)


def test_int_is_accepted_where_a_float_is_expected(policy_copy):
    _edit(policy_copy / "national.yml", lambda d: d["parameters"]["drug.class_b_self_share"].update(value=0))
    book = load_policies_from(policy_copy)
    assert book.param("drug.class_b_self_share", ["全国"]).value == 0.0


@pytest.mark.parametrize(
    ("text", "chain"),
    [
        ("示例东市", ["示例东市", "示例甲省", "全国"]),
        ("东市", ["示例东市", "示例甲省", "全国"]),
        ("甲省", ["示例甲省", "全国"]),
        ("示例南市", ["示例南市", "示例乙省", "全国"]),
        ("武汉", ["全国"]),  # real places have no file until a sourced local figure exists
        ("深圳市", ["全国"]),
        ("北京", ["全国"]),
        (None, ["全国"]),
        ("", ["全国"]),
    ],
)
def test_region_text_resolves_to_fallback_chain(regional_book, text, chain):
    assert resolve_region(text, regional_book).chain == chain


def test_lookup_falls_back_city_then_province_then_national(regional_book):
    book = regional_book
    chain = book.chain("示例东市")
    assert book.param("inpatient.employee.level3.ratio", chain).region == "示例东市"
    assert book.param("drug.class_b_self_share", chain).region == "示例甲省"
    assert book.param("transfer.out_working_days", chain).region == "全国"
    assert book.param("drug.class_b_self_share", book.chain("示例南市")).value == 0.05


def test_null_national_value_stays_null_without_a_regional_one(regional_book):
    book = regional_book
    assert book.param("employee.gap.waiting_months", book.chain("示例甲省")).value is None
    assert book.param("employee.gap.waiting_months", book.chain("示例东市")).value == 3
    assert book.is_regional("employee.gap.waiting_months", ["全国"])
    assert not book.is_regional("transfer.out_working_days", ["全国"])


def test_regional_lists_add_to_national_ones(regional_book):
    book = regional_book
    entries = book.items("procedure.transfer_steps", book.chain("示例东市"))
    assert [e.region for e in entries] == ["全国", "示例甲省"]
    assert len(book.items("procedure.transfer_steps", book.chain("示例南市"))) == 1


@pytest.mark.parametrize(
    ("text", "chain"),
    [("东市", ["示例东市", "示例甲省", "全国"]), ("示例甲省", ["示例甲省", "全国"]), ("乙省", ["示例乙省", "全国"]),
     ("深圳市", ["全国"]), ("北京", ["全国"])],
)
def test_internal_fallback_works_without_the_nlp_gazetteer(regional_book, monkeypatch, text, chain):
    import bot.rules.regions as regions

    monkeypatch.setattr(regions, "_from_nlp", lambda _text: None)
    assert resolve_region(text, regional_book).chain == chain
