"""Turn what the user wrote (武汉 / 武汉市 / 湖北 / 湖北省 / 鄂) into a lookup chain 市 → 省 → 全国.

bot/nlp/regions.py (`canonical_region(text)`) is preferred when present; without it we match the
policy files' names and aliases, plus a small built-in city → province table for cities that have no
policy file of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.rules.policies import NATIONAL, PolicyBook

# Fallback only (geography, not policy): cities without their own file still reach their province file.
_CITY_PROVINCE_FALLBACK: dict[str, str] = {
    "武汉市": "湖北省", "宜昌市": "湖北省", "襄阳市": "湖北省", "荆州市": "湖北省", "黄石市": "湖北省",
    "十堰市": "湖北省", "孝感市": "湖北省", "黄冈市": "湖北省", "荆门市": "湖北省", "鄂州市": "湖北省",
    "深圳市": "广东省", "广州市": "广东省", "东莞市": "广东省", "佛山市": "广东省", "珠海市": "广东省",
    "汕头市": "广东省", "惠州市": "广东省", "中山市": "广东省", "江门市": "广东省", "湛江市": "广东省",
}
_SUFFIXES = ("省", "市", "自治区", "特别行政区", "地区", "州")


@dataclass(frozen=True)
class RegionMatch:
    query: str | None
    city: str | None
    province: str | None
    chain: list[str]  # policy files to consult, most specific first, always ending in 全国

    @property
    def has_local_rules(self) -> bool:
        return len(self.chain) > 1


def known_city_or_province(name: str) -> bool:
    """The built-in table's cities and provinces (used when the gazetteer is not importable)."""
    wanted = _strip(name.strip())
    return any(wanted in (_strip(city), _strip(province)) for city, province in _CITY_PROVINCE_FALLBACK.items())


def _strip(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _from_nlp(text: str) -> tuple[str | None, str | None] | None:
    """Ask bot.nlp.regions.canonical_region if it exists; accept str, mapping or object answers."""
    try:
        from bot.nlp.regions import canonical_region  # type: ignore[import-not-found]
    except ImportError:
        return None
    found: Any = canonical_region(text)
    if not found:
        return None
    if isinstance(found, str):
        return _split_name(found)
    get = found.get if isinstance(found, dict) else lambda k: getattr(found, k, None)
    city, province = get("city"), get("province")
    if not city and not province:
        return _split_name(get("name") or get("canonical") or "")
    return city, province


def _split_name(name: str) -> tuple[str | None, str | None]:
    """A canonical name is a province if it ends in 省/自治区, otherwise treat it as a city."""
    if not name:
        return None, None
    if name.endswith(("省", "自治区")):
        return None, name
    return name, _CITY_PROVINCE_FALLBACK.get(name)


def _from_files(text: str, book: PolicyBook) -> tuple[str | None, str | None] | None:
    wanted = _strip(text.strip())
    for name, policy in book.regions.items():
        if name == NATIONAL:
            continue
        if wanted in (name, _strip(name), *policy.aliases):
            return (name, policy.parent) if policy.level == "city" else (None, name)
    for city, province in _CITY_PROVINCE_FALLBACK.items():
        if wanted == _strip(city):
            return city, province
    return None


def resolve_region(text: str | None, book: PolicyBook) -> RegionMatch:
    """Map free text to a RegionMatch; unknown or empty text gives the national chain only."""
    if not text or not text.strip():
        return RegionMatch(text, None, None, [NATIONAL])
    city, province = _from_nlp(text) or _from_files(text, book) or (None, None)
    if city and not province:
        province = _CITY_PROVINCE_FALLBACK.get(city)
    start = city if city in book.regions else province
    return RegionMatch(text, city, province, book.chain(start))
