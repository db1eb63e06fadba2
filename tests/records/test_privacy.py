"""Masking and redaction: what a user or a log may see of an identifier."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from bot.privacy import contains_identifier, mask_id, mask_name, mask_phone, redact_text

ID = "420102198506120310"


def test_mask_id_keeps_first_and_last_four() -> None:
    assert mask_id(ID) == "4201**********0310"
    assert mask_id("42010019580311042X") == "4201**********042X"


def test_mask_phone_keeps_prefix_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_mask_name_shows_only_the_surname_character() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_redact_text_masks_id_and_mobile_in_a_sentence() -> None:
    text = f"我叫张伟身份证{ID}手机13871234567帮我查余额"
    assert redact_text(text) == "我叫张伟身份证4201**********0310手机138****4567帮我查余额"


def test_redact_text_handles_lowercase_x_and_spaced_mobile() -> None:
    redacted = redact_text("号码42010019580311042x 电话 138 7123 4567")
    assert not contains_identifier(redacted)
    assert "4201**********042x" in redacted and "138****4567" in redacted


def test_redact_text_leaves_amounts_dates_and_long_order_numbers() -> None:
    text = "2025年3月花了12345元，订单号123456789012345678901，电话12393"
    assert redact_text(text) == text


@given(st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.integers(0, 999), st.text(alphabet="医保余额查询我的是，。 ", max_size=8))
def test_no_valid_id_number_survives_redaction(born, serial, filler) -> None:
    body = f"420106{born:%Y%m%d}{serial:03d}"
    number = body + ric.calc_check_digit(body + "0")
    redacted = redact_text(f"{filler}{number}{filler}")
    assert number not in redacted
    assert not re.search(r"\d{17}[\dX]", redacted)


@pytest.mark.parametrize("spelling", [
    "420106-19920218-0525", "420106 1992 0218 0525", "４２０１０６１９９２０２１８０５２５", "420106－19920218－0525",
    "4201 0619 9202 1805 25", "42010619920218052５", "\u3000420106199202180525\u3000",
])
def test_redaction_finds_every_spelling_the_verifier_accepts(spelling: str) -> None:
    from bot.records.verification import normalise_id_number

    assert normalise_id_number(spelling) == "420106199202180525"  # the verifier would accept it ...
    redacted = redact_text(f"我的身份证是{spelling}，请帮我查")
    assert "420106199202180525" not in normalise_id_number(redacted)  # ... so it is never kept
    assert "4201**********0525" in redacted and not contains_identifier(redacted)


def test_redaction_finds_numbers_in_json_escaped_log_lines() -> None:
    # Rasa's structlog at DEBUG writes JSON with Chinese escaped: 是 becomes \u662f, glued to the number.
    line = '{"parse_data_text": "\\u6211\\u662f420106199202180525", "event": "processor.message.parse"}'
    assert "420106199202180525" not in redact_text(line) and "4201**********0525" in redact_text(line)
    assert redact_text("abc420106199202180525") == "abc420106199202180525"  # glued to letters: not an ID
