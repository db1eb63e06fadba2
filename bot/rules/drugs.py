"""Is a drug in the national 医保药品目录, and in which class: looked up, never guessed.

The catalogue is data/drugs/national_catalogue_2024.csv (its README says which edition and where it
comes from). A drug named in the message is found by its catalogue name; a drug the catalogue does
not list is not given a class.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "drugs" / "national_catalogue_2024.csv"
EDITION = "2024年版"
DOCUMENT = "《国家基本医疗保险、工伤保险和生育保险药品目录（2024年）》（医保发〔2024〕33号）"
MIN_NAME_CHARS = 2
# Dosage words that end many catalogue names (连花清瘟片(胶囊、颗粒)): people name the drug without them.
_FORM_SUFFIXES = ("缓释片", "分散片", "肠溶片", "咀嚼片", "泡腾片", "软胶囊", "滴丸", "口服液", "注射液", "注射剂",
                  "颗粒", "胶囊", "糖浆", "合剂", "片", "丸", "散", "膏", "贴", "酊", "栓")
_PARENTHESES = re.compile(r"[(（][^)）]*[)）]")


@dataclass(frozen=True)
class CatalogueRow:
    name: str
    drug_class: str  # 甲 or 乙
    form: str
    restriction: str
    section: str

    @property
    def aliases(self) -> tuple[str, ...]:
        names: list[str] = []
        for part in self.name.split("；"):
            bare = _PARENTHESES.sub("", part).strip()
            names += [part.strip(), bare, _without_form(bare)]
        return tuple(dict.fromkeys(n for n in names if len(n) >= MIN_NAME_CHARS))


def _without_form(name: str) -> str:
    for suffix in _FORM_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_NAME_CHARS:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class DrugAnswer:
    drug: str
    rows: tuple[CatalogueRow, ...]

    def text(self) -> str:
        parts = [f"{row.form or row.section}：{row.drug_class}类" + (f"（限{_restriction(row)}）" if row.restriction else "")
                 for row in self.rows]
        classes = {row.drug_class for row in self.rows}
        meaning = []
        if "甲" in classes:
            meaning.append("甲类不用先自付，按起付线和报销比例报销（不是全报）")
        if "乙" in classes:
            meaning.append("乙类先按省里规定自付一部分，其余再按比例报销")
        return (f"能报。「{self.drug}」在国家医保药品目录（{EDITION}）内：" + "；".join(parts) + "。"
                + "；".join(meaning) + "。目录每年调整，以国家医保服务平台APP「药品目录查询」或参保地为准。")


def _restriction(row: CatalogueRow) -> str:
    text = row.restriction.strip()
    return text[1:] if text.startswith("限") else text


@lru_cache(maxsize=1)
def catalogue() -> tuple[CatalogueRow, ...]:
    with CATALOGUE.open(encoding="utf-8") as handle:
        return tuple(CatalogueRow(r["name"], r["class"], r["form"], r["restriction"], r["section"])
                     for r in csv.DictReader(handle))


@lru_cache(maxsize=1)
def _alias_index() -> tuple[tuple[str, CatalogueRow], ...]:
    return tuple((alias, row) for row in catalogue() for alias in row.aliases)


def find_drug(text: str) -> DrugAnswer | None:
    """The catalogue rows of the most specific drug name that appears in the text."""
    matches = [(alias, row) for alias, row in _alias_index() if alias in text]
    if not matches:
        return None
    longest = max(len(alias) for alias, _ in matches)
    best = [(alias, row) for alias, row in matches if len(alias) == longest]
    drug = best[0][0]
    rows = tuple(dict.fromkeys(row for alias, row in best if alias == drug))
    return DrugAnswer(drug, rows)


_DRUG_WORDS = re.compile(r"药|片|胶囊|颗粒|丸|注射液|口服液|软膏|针剂")


def mentions_a_drug(text: str) -> bool:
    """The question is about a medicine (so an unknown name gets 「not found」, not a generic answer)."""
    return bool(_DRUG_WORDS.search(text))
