"""Read the facts the rules need out of entity text: 「2万」「五千块」「4个月」「两年」「三甲」「新农合」."""

from __future__ import annotations

import re
from decimal import Decimal

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一壹二两俩三四五六七八九十百千万"
_NUMBER = rf"(\d+(?:\.\d+)?|[{_CN}]+)"

_INSURANCE_TYPES = {
    "职工": ("职工", "城镇职工", "灵活就业", "单位", "在职", "退休"),
    "居民": ("居民", "城乡居民", "城镇居民", "新农合", "农合", "合疗", "农村合作医疗", "学生", "少儿"),
}
_LEVELS = {"三级": ("三级", "三甲", "三乙", "省级医院", "大医院"), "二级": ("二级", "二甲", "二乙", "县医院"),
           "一级": ("一级", "社区", "卫生院", "卫生服务中心", "诊所")}


def _cn_below_10000(text: str) -> int:
    total, digit, last_unit = 0, None, 1
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            last_unit = _UNITS[char]
            total += (1 if digit is None else digit) * last_unit
            digit = None
    if digit is not None:  # colloquial 三千五 = 3500: a trailing digit counts in the next lower unit
        total += digit * (last_unit // 10 if last_unit > 1 and len(text) > 1 else 1)
    return total


def cn_to_int(text: str) -> int | None:
    """Chinese numerals to int: 十四 → 14, 两万 → 20000, 一万五 → 15000, 三千五 → 3500."""
    if not text or any(c not in _CN for c in text):
        return None
    if "万" in text:
        high, _, low = text.partition("万")
        low_value = _cn_below_10000(low) if low else 0
        if low and len(low) == 1 and low in _DIGITS:  # 一万五 = 15000
            low_value = _DIGITS[low] * 1000
        return (_cn_below_10000(high) if high else 1) * 10000 + low_value
    return _cn_below_10000(text)


def _to_decimal(text: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    value = cn_to_int(text)
    return None if value is None else Decimal(value)


def parse_amount(text: str | None) -> Decimal | None:
    """「2万」→20000, 「1.5万」→15000, 「3000元」→3000, 「五千块」→5000; None if no amount found."""
    if not text:
        return None
    compact = text.replace(",", "").replace("，", "").replace(" ", "")
    match = re.search(_NUMBER + r"(万|千|k|K|w|W)?(\d(?!\d))?", compact)
    if not match:
        return None
    number = _to_decimal(match.group(1))
    if number is None:
        return None
    scale = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}.get(match.group(2) or "", 1)
    value = number * scale + (Decimal(match.group(3)) * scale / 10 if match.group(3) and scale > 1 else 0)
    return value.to_integral_value() if value == value.to_integral_value() else value


def parse_duration_months(text: str | None) -> int | None:
    """「4个月」→4, 「半年」→6, 「两年」→24, 「一年半」→18, 「十四个月」→14."""
    if not text:
        return None
    match = re.search(_NUMBER + r"\s*个?\s*(年|月)(半)?", text)
    if match:
        number = _to_decimal(match.group(1))
        if number is None:
            return None
        months = number * 12 if match.group(2) == "年" else number
        return int(months + (6 if match.group(3) else 0))
    return 6 if "半年" in text else None


_LAPSE_BEFORE = re.compile(r"(断|停|中断|没交|没缴|未交|未缴|欠|漏交|漏缴|没续)[^，。,.？?！!]{0,3}$")
_LAPSE_AFTER = re.compile(r"^[^，。,.？?！!]{0,2}(没交|没缴|未交|未缴|没续|断|停)")
_PAID_BEFORE = re.compile(r"(交了|缴了|交满|缴满|交够|缴够|已交|已缴|参保|缴费|工作了|上班)[^，。,.？?！!]{0,2}$")


def lapse_duration_months(text: str | None) -> int | None:
    """How long the insurance has lapsed, when the text says so: 「断了4个月」「半年没交」→ months;
    「交了10年断交了」 says how long it was paid, not the gap → None."""
    if not text:
        return None
    for match in re.finditer(_NUMBER + r"\s*个?\s*(年|月)(半)?|半年", text):
        before, after = text[max(0, match.start() - 6):match.start()], text[match.end():match.end() + 4]
        if _LAPSE_BEFORE.search(before) or (_LAPSE_AFTER.search(after) and not _PAID_BEFORE.search(before)):
            return parse_duration_months(match.group(0))
    return None


def normalise_insurance_type(text: str | None) -> str | None:
    """职工 / 居民 / None (unknown). 灵活就业 joins 职工医保; 新农合/合疗 are now 居民医保."""
    if not text:
        return None
    for canonical, words in _INSURANCE_TYPES.items():
        if any(word in text for word in words):
            return canonical
    return None


def normalise_hospital_level(text: str | None) -> str | None:
    """三级 / 二级 / 一级 / None; 三甲 counts as 三级, 社区 as 一级."""
    if not text:
        return None
    for canonical, words in _LEVELS.items():
        if any(word in text for word in words):
            return canonical
    return None


_SWITCH_WORDS = ("转居民", "改交居民", "交居民医保", "换成居民", "转成居民", "转职工", "居民转职工", "职工转居民",
                 "改交职工", "辞职后交居民", "失业后交居民")
_TRANSFER_WORDS = ("转移", "转入", "转出", "换城市", "换了城市", "去外地工作", "到外地工作", "跨省", "调到",
                   "异地工作", "换工作到")


def parse_gap_change(text: str | None) -> str | None:
    """「从职工转居民」→ 职工居民互转 (43号②); 「换城市工作转移医保」→ 转移接续 (43号①); else None."""
    from bot.rules.lapse import GAP_SWITCH, GAP_TRANSFER

    if not text:
        return None
    if any(word in text for word in _SWITCH_WORDS):
        return GAP_SWITCH
    if any(word in text for word in _TRANSFER_WORDS):
        return GAP_TRANSFER
    return None


_LONG_TERM_WORDS = ("异地安置", "安置", "长期居住", "常住", "常驻", "长期备案", "长期在外地", "跟子女", "随子女")
_URGENT_WORDS = ("急诊", "抢救", "急救", "突发")
_UNFILED_WORDS = ("没备案", "未备案", "没有备案")
_AWAY_WORDS = ("异地", "外地", "外省", "出差", "旅游", "旅行", "探亲", "在外")


def parse_care_place(text: str | None) -> str | None:
    """Where the care happened, in the classes of 医保发〔2022〕22号 (reimbursement.CARE_PLACES):
    long-term filers (异地安置/长期居住/常驻工作: no cut), referral or an emergency while away (≤ 10
    points), unfiled, other temporary care away (≤ 20 points); None = at home."""
    if not text:
        return None
    away = any(word in text for word in _AWAY_WORDS)
    if any(word in text for word in _LONG_TERM_WORDS) and (away or "备案" in text):
        return "异地长期"
    if "转诊" in text or (away and any(word in text for word in _URGENT_WORDS)):
        return "异地转诊"
    if any(word in text for word in _UNFILED_WORDS):
        return "异地未备案"
    return "异地临时" if away else None
