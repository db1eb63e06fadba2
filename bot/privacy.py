"""Masking and redaction of personal identifiers (身份证号, 手机号, 姓名).

Replies show identifiers masked; free text that may be logged or stored is redacted so that no full
18-character ID number or 11-digit mobile number survives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# An ID number not glued to other letters/digits: 17 digits + a digit or X, with any spaces or dashes
# between them. The verifier accepts exactly that (NFKC, then spaces and dashes removed:
# bot.records.verification.normalise_id_number), so redaction must find every spelling it accepts.
# \d, not [0-9]: digits NFKC leaves alone (Arabic-Indic ٠, …) are digits to str.isdigit() as well.
# In JSON log lines (Rasa's structlog at DEBUG) Chinese text is escaped, so "是420106…" arrives as
# "\u662f420106…": a number right after a \uXXXX escape is not glued to a letter.
ID_IN_TEXT = re.compile(r"(?:(?<![\dA-Za-z])|(?<=\\u[0-9A-Fa-f]{4}))(\d(?:[\s-]*\d){16}[\s-]*[\dXx])(?![\dA-Za-z])")
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
    """Replaces every ID number and mobile in free text with its masked form, however it is written:
    full-width digits or Ｘ, spaces or dashes inside. The one redaction used by the tracker store,
    both servers' logs, tickets and the event broker."""
    if not text:
        return text
    text = _replace(text, ID_IN_TEXT, lambda m: mask_id(_digits_and_x(m.group(1))))
    return _replace(text, MOBILE_IN_TEXT, lambda m: mask_phone("".join(m.groups())))


def contains_identifier(text: str) -> bool:
    """True when text still holds a full ID number or mobile (used by tests and log checks)."""
    view = normalised_view(text or "")
    return bool(ID_IN_TEXT.search(view) or MOBILE_IN_TEXT.search(view))


# Only these change what the patterns see: a digit that is not ASCII (full-width ４ …), Ｘ/ｘ, and the
# dashes NFKC turns into "-". Other text (Chinese, its full-width punctuation) is matched as it is,
# which keeps the common case fast: the tracker store redacts every string of every event.
_NEEDS_VIEW = re.compile(r"[\uff38\uff58\uff0d\ufe63]|(?![0-9])\d")


def normalised_view(text: str) -> str:
    """NFKC character by character where that keeps one character (full-width ４ → 4, Ｘ → X,
    － → -, ideographic space → space), so positions in the view are positions in the text."""
    if text.isascii() or not _NEEDS_VIEW.search(text):
        return text
    return "".join(n if len(n := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in text)


def _replace(text: str, pattern: re.Pattern[str], masked: Callable[[re.Match[str]], str]) -> str:
    view = normalised_view(text)
    parts, end = [], 0
    for match in pattern.finditer(view):
        parts += [text[end:match.start()], masked(match)]
        end = match.end()
    return "".join(parts) + text[end:] if parts else text


def _digits_and_x(text: str) -> str:
    return re.sub(r"[^\dXx]", "", text)
