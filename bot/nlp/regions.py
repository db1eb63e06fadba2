"""The region gazetteer (data/regions/china.yml): load it, map what users write to a canonical region,
and write the jieba user dictionary derived from it.

    python -m bot.nlp.regions --write-jieba   # regenerate data/jieba/regions.txt
    python -m bot.nlp.regions --check-jieba   # exit 1 if regions.txt is out of date
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GAZETTEER_PATH = ROOT / "data" / "regions" / "china.yml"
JIEBA_REGIONS_PATH = ROOT / "data" / "jieba" / "regions.txt"
PROVINCE, CITY = "province", "city"
# Frequency floor for region words in the jieba dictionary: high enough that a region name is cut
# as one word, low enough not to split longer dictionary words that contain it (大理石, 中山装).
JIEBA_MIN_FREQ = 1000
JIEBA_POS = "ns"
# jieba's stock dictionary holds a few "province + city" compounds (辽宁大连, 云南昆明) that would hide
# both regions; regions.txt removes them (frequency 0). Idioms stay.
_KEEP_COMPOUNDS = frozenset({"山南海北"})
_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省份", "省", "市", "州", "盟")


@dataclass(frozen=True)
class Region:
    """One province-level or prefecture-level division."""

    name: str
    aliases: tuple[str, ...]
    level: str  # PROVINCE or CITY
    kind: str  # 省 / 自治区 / 直辖市 / 特别行政区 / 地级市 / 地区 / 自治州 / 盟
    province: str  # the province-level name; equals name for a province

    @property
    def city(self) -> str | None:
        return self.name if self.level == CITY else None

    @property
    def surface_forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Gazetteer:
    regions: tuple[Region, ...]

    @property
    def provinces(self) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.level == PROVINCE)

    @property
    def cities(self) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.level == CITY)

    def surface_forms(self) -> list[str]:
        """Every name and alias once, in gazetteer order (deterministic)."""
        return list(dict.fromkeys(form for region in self.regions for form in region.surface_forms))

    def cities_of(self, province: str) -> tuple[Region, ...]:
        return tuple(r for r in self.cities if r.province == province)


def _region(entry: dict, level: str, province: str) -> Region:
    return Region(name=entry["name"], aliases=tuple(entry.get("aliases") or ()), level=level,
                  kind=entry["kind"], province=province)


def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions: list[Region] = []
    for entry in data["provinces"]:
        regions.append(_region(entry, PROVINCE, entry["name"]))
        regions.extend(_region(city, CITY, entry["name"]) for city in entry.get("cities") or ())
    return Gazetteer(tuple(regions))


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()


@lru_cache(maxsize=1)
def _index() -> dict[str, Region]:
    """Surface form -> region. A form shared by a province and a city (吉林, 北京) means the
    province: the more general reading is the safer one for policy lookups."""
    index: dict[str, Region] = {}
    for region in default_gazetteer().regions:
        for form in region.surface_forms:
            if form not in index or (region.level == PROVINCE and index[form].level == CITY):
                index[form] = region
    return index


def canonical_region(text: str) -> Region | None:
    """湖北 / 湖北省 / 鄂 -> 湖北省; 武汉 / 武汉市 -> 武汉市 (province 湖北省); unknown -> None."""
    wanted = (text or "").strip()
    index = _index()
    if wanted in index:
        return index[wanted]
    for suffix in _SUFFIXES:  # 深圳地区, 湖北省份: a known stem of two or more characters plus a suffix
        stem = wanted.removesuffix(suffix)
        if stem != wanted and len(stem) >= 2 and stem in index:
            return index[stem]
    return None


def _jieba_default_freqs() -> dict[str, int]:
    import jieba

    freqs: dict[str, int] = {}
    with jieba.get_dict_file() as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 2:
                freqs[parts[0]] = int(parts[1])
    return freqs


def _is_compound(word: str, forms: set[str]) -> bool:
    return any(word[:i] in forms and word[i:] in forms for i in range(1, len(word)))


def compound_region_words(forms: list[str], defaults: dict[str, int]) -> list[str]:
    """Stock jieba words made of two region forms (辽宁大连), sorted for a stable file."""
    known = set(forms)
    return sorted(w for w in defaults if w not in known and w not in _KEEP_COMPOUNDS
                  and len(w) >= 3 and _is_compound(w, known))


def jieba_dictionary_text(gazetteer: Gazetteer | None = None) -> str:
    """regions.txt content: `word freq ns` per name and alias (keeping jieba's own frequency when it
    is higher), then `word 0 ns` lines that delete compounds hiding two regions."""
    forms = (gazetteer or default_gazetteer()).surface_forms()
    defaults = _jieba_default_freqs()
    lines = [f"{form} {max(defaults.get(form, 0), JIEBA_MIN_FREQ)} {JIEBA_POS}" for form in forms]
    lines += [f"{word} 0 {JIEBA_POS}" for word in compound_region_words(forms, defaults)]
    return "\n".join(lines) + "\n"


def jieba_dictionary_in_sync(path: Path = JIEBA_REGIONS_PATH) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == jieba_dictionary_text()


def write_jieba_dictionary(path: Path = JIEBA_REGIONS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(jieba_dictionary_text(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write-jieba", action="store_true", help="regenerate data/jieba/regions.txt")
    group.add_argument("--check-jieba", action="store_true", help="fail if regions.txt is stale")
    args = parser.parse_args(argv)
    if args.write_jieba:
        print(f"wrote {write_jieba_dictionary()}")
        return 0
    in_sync = jieba_dictionary_in_sync()
    print("regions.txt is in sync" if in_sync else "regions.txt is stale: run --write-jieba")
    return 0 if in_sync else 1


if __name__ == "__main__":
    sys.exit(main())
