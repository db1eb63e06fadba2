"""Masking and redaction of personal identifiers (身份证号, 手机号, 姓名).

Replies show identifiers masked; free text that may be logged or stored is redacted so that no full
18-character ID number or 11-digit mobile number survives.
"""

from __future__ import annotations

import re

# An ID number not glued to other letters/digits: 17 digits + a digit or X.
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
# A mainland mobile (1[3-9]xxxxxxxxx), optionally with +86/86 and spaces/dashes in the usual 3-4-4 groups.
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")


def mask_id(id_number: str) -> str:
    """'420106199003071234' -> '4201**********1234' (first 4 and last 4 kept)."""
    value = (id_number or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(phone: str) -> str:
    """'13812345678' -> '138****5678'."""
    digits = re.sub(r"\D", "", phone or "")[-11:]
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """'张三' -> '张*', '欧阳娜娜' -> '欧***'; only the first character is shown."""
    value = (name or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def redact_text(text: str) -> str:
    """Replaces every 18-character ID number and 11-digit mobile in free text with its masked form."""
    if not text:
        return text
    redacted = ID_IN_TEXT.sub(lambda m: mask_id(m.group(1)), text)
    return MOBILE_IN_TEXT.sub(lambda m: mask_phone("".join(m.groups())), redacted)


def contains_identifier(text: str) -> bool:
    """True when text still holds a full ID number or mobile (used by tests and log checks)."""
    return bool(ID_IN_TEXT.search(text or "") or MOBILE_IN_TEXT.search(text or ""))
