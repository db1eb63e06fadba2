"""The region gazetteer, the jieba dictionaries derived from it, and the spaCy pipeline built from both."""

from __future__ import annotations

import re
from pathlib import Path

import jieba
import pytest

from bot.nlp import build_spacy
from bot.nlp.regions import (
    CITY,
    JIEBA_REGIONS_PATH,
    PROVINCE,
    canonical_region,
    default_gazetteer,
    jieba_dictionary_in_sync,
)

JIEBA_LINE = re.compile(r"^\S+ \d+ [a-z]+$")
ALLOWED_ABBREVIATIONS = set("鄂湘粤皖闽赣鲁豫冀晋辽桂琼黔滇陕陇渝沪蒙")
AMBIGUOUS_CHARACTERS = set("新青宁黑吉云台川甘京苏浙藏港澳津贵")


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("spacy") / "spacy_zh"
    assert build_spacy.build(output)
    return output


@pytest.fixture(scope="module")
def nlp(pipeline_dir):
    import spacy

    build_spacy.load_jieba_dictionaries()  # what Rasa's JiebaTokenizer does when the model loads
    return spacy.load(pipeline_dir)


def regions_in(nlp, text: str) -> list[tuple[str, str]]:
    return [(ent.text, ent.ent_id_) for ent in nlp(text).ents if ent.label_ == "region"]


def test_gazetteer_lists_34_provinces_and_333_prefectures() -> None:
    gazetteer = default_gazetteer()
    prefectures = [r for r in gazetteer.cities if r.kind != "直辖市"]
    assert len(gazetteer.provinces) == 34
    assert len(prefectures) == 333
    kinds = [r.kind for r in prefectures]
    assert (kinds.count("地级市"), kinds.count("地区"), kinds.count("自治州"), kinds.count("盟")) == (293, 7, 30, 3)
    assert {r.name for r in gazetteer.provinces} >= {"香港特别行政区", "澳门特别行政区", "台湾省"}


def test_municipalities_are_both_province_and_city() -> None:
    gazetteer = default_gazetteer()
    for name in ("北京市", "天津市", "上海市", "重庆市"):
        assert [r.name for r in gazetteer.cities_of(name)] == [name]


def test_only_unambiguous_single_character_abbreviations() -> None:
    singles = {alias for r in default_gazetteer().regions for alias in r.aliases if len(alias) == 1}
    assert singles == ALLOWED_ABBREVIATIONS
    assert not singles & AMBIGUOUS_CHARACTERS


def test_surface_forms_are_unique_except_jilin() -> None:
    owners: dict[str, set[str]] = {}
    for region in default_gazetteer().regions:
        for form in region.surface_forms:
            owners.setdefault(form, set()).add(region.name)
    shared = {form: names for form, names in owners.items() if len(names) > 1}
    assert shared == {"吉林": {"吉林省", "吉林市"}}


@pytest.mark.parametrize(("text", "name", "province", "level"), [
    ("湖北", "湖北省", "湖北省", PROVINCE), ("湖北省", "湖北省", "湖北省", PROVINCE),
    ("鄂", "湖北省", "湖北省", PROVINCE), ("武汉", "武汉市", "湖北省", CITY),
    ("武汉市", "武汉市", "湖北省", CITY), (" 深圳 ", "深圳市", "广东省", CITY),
    ("黔东南州", "黔东南苗族侗族自治州", "贵州省", CITY), ("黔东南", "黔东南苗族侗族自治州", "贵州省", CITY),
    ("海南州", "海南藏族自治州", "青海省", CITY), ("海南", "海南省", "海南省", PROVINCE),
    ("吉林", "吉林省", "吉林省", PROVINCE), ("吉林市", "吉林市", "吉林省", CITY),
    ("北京", "北京市", "北京市", PROVINCE), ("大兴安岭", "大兴安岭地区", "黑龙江省", CITY),
    ("锡林郭勒", "锡林郭勒盟", "内蒙古自治区", CITY), ("深圳地区", "深圳市", "广东省", CITY),
])
def test_canonical_region_maps_names_and_aliases(text: str, name: str, province: str, level: str) -> None:
    region = canonical_region(text)
    assert region is not None
    assert (region.name, region.province, region.level) == (name, province, level)
    assert region.city == (name if level == CITY else None)


@pytest.mark.parametrize("text", ["新", "老家", "本地", "外地", "", "新农合", "医保"])
def test_canonical_region_rejects_non_regions(text: str) -> None:
    assert canonical_region(text) is None


def test_jieba_regions_dictionary_is_in_sync_with_gazetteer() -> None:
    assert jieba_dictionary_in_sync(), "run: python -m bot.nlp.regions --write-jieba"
    words = {line.split()[0] for line in JIEBA_REGIONS_PATH.read_text(encoding="utf-8").splitlines()}
    assert set(default_gazetteer().surface_forms()) <= words


def test_jieba_dictionaries_are_well_formed() -> None:
    files = sorted(build_spacy.JIEBA_DIR.glob("*"))
    assert {f.name for f in files} >= {"medical_terms.txt", "regions.txt"}
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert all(JIEBA_LINE.match(line) for line in lines), path
        assert len({line.split()[0] for line in lines}) == len(lines), path


def test_medical_terms_cover_the_domain() -> None:
    path = build_spacy.JIEBA_DIR / "medical_terms.txt"
    terms = {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()}
    assert len(terms) >= 80
    assert terms >= {"异地就医", "转移接续", "断缴", "补缴", "个人账户", "统筹账户", "门诊慢特病", "电子凭证",
                     "医保码", "家庭共济", "亲情账户", "灵活就业", "起付线", "封顶线", "定点医院", "定点药店",
                     "新农合", "合疗", "医保本", "社保卡", "三甲", "三级", "生育津贴", "备案", "12393"}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("我在湖北武汉工作", [("湖北", "湖北省"), ("武汉", "武汉市")]),
    ("鄂州的医保", [("鄂州", "鄂州市")]),
    ("去深圳市看病", [("深圳市", "深圳市")]),
    ("黔东南州怎么备案", [("黔东南州", "黔东南苗族侗族自治州")]),
    ("新农合怎么交", []),
    ("黑龙江哈尔滨", [("黑龙江", "黑龙江省"), ("哈尔滨", "哈尔滨市")]),
    ("辽宁大连的社保卡", [("辽宁", "辽宁省"), ("大连", "大连市")]),
    ("鄂A的车在粤B能报吗", [("鄂", "湖北省"), ("粤", "广东省")]),
    ("老家恩施州 现在在上海", [("恩施州", "恩施土家族苗族自治州"), ("上海", "上海市")]),
    ("大理石地板和中山装", []),
    ("异地就医备案要去医保局吗", []),
])
def test_pipeline_finds_regions(nlp, sentence: str, expected: list[tuple[str, str]]) -> None:
    assert regions_in(nlp, sentence) == expected


def test_entity_offsets_fall_on_jieba_token_boundaries(nlp) -> None:
    for sentence in ["我在湖北武汉工作", "鄂州的医保", "去深圳市看病", "黔东南州怎么备案", "黑龙江哈尔滨",
                     "从西双版纳转到昆明市", "在吉林市交的职工医保转回吉林省"]:
        boundaries = {edge for _, start, end in jieba.tokenize(sentence) for edge in (start, end)}
        ents = nlp(sentence).ents
        assert ents, sentence
        assert all(e.start_char in boundaries and e.end_char in boundaries for e in ents), sentence


def test_every_name_and_alias_is_found_in_a_sentence(nlp) -> None:
    missed = [form for form in default_gazetteer().surface_forms()
              if (form, ) != tuple(e.text for e in nlp(f"我在{form}看病").ents)]
    assert not missed


def test_rasa_spacy_nlp_loads_the_saved_path(pipeline_dir: Path) -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    model = SpacyNLP.load_model(str(pipeline_dir))
    SpacyNLP.ensure_proper_language_model(model.model)
    assert model.model.pipe_names == ["entity_ruler"]
    assert [e.text for e in model.model("我在武汉市住院").ents] == ["武汉市"]


def test_build_is_skipped_when_up_to_date_and_deterministic(pipeline_dir: Path, tmp_path: Path) -> None:
    assert not build_spacy.build(pipeline_dir)
    again = tmp_path / "again"
    assert build_spacy.build(again)
    for name in ("config.cfg", "meta.json", "entity_ruler/patterns.jsonl", build_spacy.DIGEST_FILE):
        assert (again / name).read_bytes() == (pipeline_dir / name).read_bytes(), name
