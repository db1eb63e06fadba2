"""Reimbursement: itemised arithmetic, invariants, ranges for unknown facts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.common import RuleInputError
from bot.rules.parsing import parse_amount, parse_care_place
from bot.rules.reimbursement import CARE_PLACES, ReimbursementQuery, estimate_reimbursement
from bot.rules.render import render_text

D = Decimal


def test_message_example_20000_at_a_level_three_hospital(book):
    """「住院花了2万三级医院能报多少」: 职工 and 本地 assumed and said; 居民 attached."""
    result = estimate_reimbursement(ReimbursementQuery(amount=parse_amount("2万"), hospital_level="三级"), book)
    # national 示例参数: 职工 三级 起付线 1000, 80%; optimistic: all 甲类 → (20000−1000)×80%
    assert result.fund_max == D("15200.00")
    # conservative: 30% 乙类 (10% self-paid first), 15% 丙类 → (11000+5400−1000)×80%
    assert result.fund_min == D("12320.00")
    assert (result.out_of_pocket_min, result.out_of_pocket_max) == (D("4800.00"), D("7680.00"))
    assert any("按职工医保" in a for a in result.assumptions)
    assert any("本地" in a for a in result.assumptions)
    resident = result.alternatives[0]
    assert resident.insurance_type == "居民" and resident.fund_max == D("11400.00")  # (20000−1000)×60%
    assert result.narrowing_facts and result.caveat()
    assert "示例参数" in result.source_line()


def test_itemised_lines_add_up_to_the_bill(book):
    query = ReimbursementQuery(amount=20000, insurance_type="职工", hospital_level="三甲",
                               class_a=15000, class_b=4000, class_c=1000)
    result = estimate_reimbursement(query, book)
    assert result.is_exact()
    scenario = result.low
    assert sum(i.amount for i in scenario.items) == D("20000.00")
    by_label = {i.label.split("（")[0]: i.amount for i in scenario.items}
    assert by_label["丙类/目录外费用"] == D("1000.00")
    assert by_label["乙类先行自付"] == D("400.00")
    assert by_label["起付线以下"] == D("1000.00")
    assert scenario.fund_pays == D("14080.00")  # (15000 + 3600 − 1000) × 80%


def test_city_numbers_override_province_and_national(regional_book):
    query = ReimbursementQuery(amount=20000, insurance_type="职工", hospital_level="三级", region="示例东市",
                               class_a=15000, class_b=4000, class_c=1000)
    result = estimate_reimbursement(query, regional_book)
    # fictional 示例东市: 起付线 800, 86%; 示例甲省: 乙类自付 8% → (15000 + 3680 − 800) × 86%
    assert result.fund_min == D("15376.80")
    assert not any("参保地" in f for f in result.narrowing_facts)


def test_annual_cap_limits_the_fund(book):
    query = ReimbursementQuery(amount=500000, insurance_type="职工", hospital_level="三级",
                               class_a=500000, already_reimbursed=390000)
    result = estimate_reimbursement(query, book)
    assert result.fund_max == D("10000.00")  # 400000 cap − 390000 already paid
    assert any(i.label.startswith("超过年度") and i.amount > 0 for i in result.high.items)


def test_deductible_already_met_is_not_charged_again(book):
    query = ReimbursementQuery(amount=10000, insurance_type="职工", hospital_level="二级", class_a=10000,
                               deductible_met=True)
    assert estimate_reimbursement(query, book).fund_max == D("8500.00")


def test_remote_care_without_filing_gives_a_range_of_cuts(book):
    query = ReimbursementQuery(amount=10000, insurance_type="职工", hospital_level="三级", class_a=10000,
                               care_place="异地未备案")
    result = estimate_reimbursement(query, book)
    assert (result.fund_min, result.fund_max) == (D("5400.00"), D("7200.00"))  # 9000 × 60% … 80%
    assert any("降低报销比例" in f for f in result.narrowing_facts)
    assert "22号" in result.source_line()


def test_region_with_exact_cut_needs_no_range(regional_book):
    query = ReimbursementQuery(amount=10000, insurance_type="职工", hospital_level="三级", class_a=10000,
                               care_place="异地转诊", region="乙省")
    result = estimate_reimbursement(query, regional_book)
    assert result.is_exact() and result.fund_max == D("6750.00")  # 9000 × (80% − 5%)


def test_unknown_hospital_level_spans_all_levels(book):
    result = estimate_reimbursement(ReimbursementQuery(amount=20000, insurance_type="职工", class_a=20000), book)
    assert result.fund_max == D("17730.00")  # 一级: (20000−300) × 90%
    assert result.fund_min == D("15200.00")  # 三级
    assert any("医院等级" in f for f in result.narrowing_facts)


def test_outpatient_uses_outpatient_terms(book):
    query = ReimbursementQuery(amount=3000, insurance_type="职工", inpatient=False, class_a=3000)
    assert estimate_reimbursement(query, book).fund_max == D("1100.00")  # (3000 − 800) × 50%


@pytest.mark.parametrize(
    "query",
    [
        ReimbursementQuery(amount=0),
        ReimbursementQuery(amount=-5),
        ReimbursementQuery(amount=100, class_a=80, class_b=30),
        ReimbursementQuery(amount=100, care_place="火星"),
    ],
)
def test_impossible_inputs_get_a_chinese_message(book, query):
    with pytest.raises(RuleInputError):
        estimate_reimbursement(query, book)


money = st.decimals(min_value=D("0.01"), max_value=D("2000000"), places=2)


@st.composite
def queries(draw):
    amount = draw(money)
    split = draw(st.lists(st.decimals(0, 1, places=2), min_size=3, max_size=3))
    total = sum(split) or D(1)
    parts = [(amount * s / total).quantize(D("0.01"), rounding="ROUND_DOWN") for s in split]
    known = draw(st.booleans())
    return ReimbursementQuery(
        amount=amount,
        insurance_type=draw(st.sampled_from([None, "职工", "居民", "新农合"])),
        hospital_level=draw(st.sampled_from([None, "一级", "二级", "三级", "社区"])),
        inpatient=draw(st.booleans()),
        care_place=draw(st.sampled_from([None, *CARE_PLACES])),
        already_reimbursed=draw(st.decimals(0, 600000, places=2)),
        deductible_met=draw(st.booleans()),
        class_a=parts[0] if known else None, class_b=parts[1] if known else None,
        class_c=parts[2] if known else None,
        region=draw(st.sampled_from([None, "武汉", "深圳", "示例东市", "示例南市", "甲省", "乙省", "北京"])),
    )


@settings(max_examples=300, deadline=None)
@given(queries())
def test_out_of_pocket_is_never_negative_nor_above_the_bill(regional_book, query):
    result = estimate_reimbursement(query, regional_book)
    for r in [result, *result.alternatives]:
        for s in r.scenarios:
            assert D(0) <= s.out_of_pocket <= r.amount
            assert s.fund_pays + s.out_of_pocket == r.amount
            assert all(i.amount >= 0 for i in s.items)
        assert r.fund_min <= r.fund_max


@settings(max_examples=100, deadline=None)
@given(money, money)
def test_a_bigger_bill_never_means_a_smaller_fund_payment(book, a, extra):
    def fund(amount):
        return estimate_reimbursement(ReimbursementQuery(amount=amount, insurance_type="职工",
                                                         hospital_level="三级", class_a=amount), book).fund_max
    assert fund(a + extra) >= fund(a)


@pytest.mark.parametrize("region", [None, "武汉", "深圳市", "示例东市"])
def test_estimate_says_in_its_first_line_that_it_is_not_the_local_standard(book, regional_book, region):
    """Issue #13 point 2: the illustrative 起付线/比例 are announced in the first line, not only in 依据."""
    query = ReimbursementQuery(amount=20000, insurance_type="职工", hospital_level="三级", region=region)
    text = render_text(estimate_reimbursement(query, regional_book))
    assert text.splitlines()[0].startswith("【按常见标准估算，非您所在地的实际标准】")
    if region in ("武汉", "深圳市"):
        assert "武汉" not in text.splitlines()[0] and "深圳" not in text.splitlines()[0]
        assert any("12393" in line for line in text.splitlines())


# Issue #13 point 5: 医保发〔2022〕22号 classes of remote care.
@pytest.mark.parametrize(("text", "place"), [
    ("我退休后在三亚异地安置，住院花了2万能报多少", "异地长期"),
    ("常驻外地工作已经备案了，住院2万", "异地长期"),
    ("在外地旅游突发急诊住院花了1万", "异地转诊"),
    ("转诊到省外医院住院花了3万", "异地转诊"),
    ("出差在外地住院花了1万", "异地临时"),
    ("没备案在外地住院花了1万", "异地未备案"),
    ("急诊住院花了1万", None),  # an emergency at home is local care
    ("住院花了2万三级医院能报多少", None),
])
def test_care_place_is_read_into_the_22_classes(text, place):
    assert parse_care_place(text) == place


def test_long_term_filers_get_no_temporary_cut(book):
    base = dict(amount=10000, insurance_type="职工", hospital_level="三级", class_a=10000)
    local = estimate_reimbursement(ReimbursementQuery(**base), book)
    long_term = estimate_reimbursement(ReimbursementQuery(**base, care_place="异地长期"), book)
    assert long_term.is_exact() and long_term.fund_max == local.fund_max == D("7200.00")
    assert any("不按临时外出降低" in r for r in long_term.reasons)


def test_an_emergency_while_travelling_is_in_the_10_point_class(book):
    query = ReimbursementQuery(amount=10000, insurance_type="职工", hospital_level="三级", class_a=10000,
                               care_place=parse_care_place("在外地旅游突发急诊住院"))
    result = estimate_reimbursement(query, book)
    assert (result.fund_min, result.fund_max) == (D("6300.00"), D("7200.00"))  # 9000 × 70% … 80%
    assert "降低10个百分点" in render_text(result) and "20个百分点" not in render_text(result)


def test_cuts_are_written_in_percentage_points(book):
    query = ReimbursementQuery(amount=10000, insurance_type="职工", hospital_level="三级", class_a=10000,
                               care_place="异地临时")
    text = render_text(estimate_reimbursement(query, book))
    assert "异地报销比例降低20个百分点" in text and "降20%" not in text
