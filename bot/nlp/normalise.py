"""Text normalisation before NLU: the words people type → the words the model and rules know.

Real questions are written with full-width digits and letters, traditional characters, older names
of today's schemes (新农合, 合作医疗 for 居民医保; 生育险; 医保本), common typos (生份证, 报消) and place
names masked with asterisks (广*, 深**). One pass maps them all, and keeps, for every output
character, the input character it came from, so entity spans in the training data can be moved
with the text. The word lists live in data/lexicon/*.yml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicon"
MASKED_PLACE = "某地"
# One Chinese character followed by masking marks: 广*, 深**, 湖×× (digits stay: 138****1234).
_MASKED = re.compile(r"[\u4e00-\u9fff][*×✱]+")
_SPACES = re.compile(r"\s+")
# The channels turn a typed leading "/" into "／" so Rasa never reads a user's text as an
# "/intent{...}" command; folding it back to "/" would undo that.
_KEEP_WIDTH = frozenset("／")


@dataclass(frozen=True)
class Normalised:
    text: str
    origin: tuple[int, ...]  # origin[i] = index in the input of the character that produced text[i]

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """The output span covering the input span [start, end)."""
        new_start = next((i for i, o in enumerate(self.origin) if o >= start), len(self.text))
        new_end = next((i for i, o in enumerate(self.origin) if o >= end), len(self.text))
        return new_start, max(new_start, new_end)


def load_lexicon(folder: Path = LEXICON_DIR) -> dict[str, str]:
    """variant → canonical word, from every data/lexicon/*.yml (`replacements: {canonical: [variants]}`)."""
    mapping: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for canonical, variants in (content.get("replacements") or {}).items():
            for variant in variants:
                if variant in mapping and mapping[variant] != canonical:
                    raise ValueError(f"{path.name}: 「{variant}」 maps to both {mapping[variant]} and {canonical}")
                mapping[str(variant)] = str(canonical)
    return mapping


class TextNormaliser:
    """NFKC → traditional to simplified (OpenCC t2s) → masked places → lexicon, with offsets kept."""

    def __init__(self, lexicon: dict[str, str] | None = None) -> None:
        self._lexicon = load_lexicon() if lexicon is None else dict(lexicon)
        self._t2s = opencc.OpenCC("t2s")
        variants = sorted(self._lexicon, key=len, reverse=True)  # longest first: 新农合 before 农合
        self._pattern = re.compile("|".join(map(re.escape, variants))) if variants else None

    def __call__(self, text: str) -> str:
        return self.normalise(text).text

    def normalise(self, text: str) -> Normalised:
        chars, origin = self._width_and_script(text)
        chars, origin = self._substitute(_MASKED, lambda _: MASKED_PLACE, chars, origin)
        if self._pattern is not None:
            chars, origin = self._substitute(self._pattern, lambda m: self._lexicon[m.group(0)], chars, origin)
        chars, origin = self._substitute(_SPACES, lambda _: " ", chars, origin)
        return Normalised("".join(chars), tuple(origin))

    def _width_and_script(self, text: str) -> tuple[list[str], list[int]]:
        chars: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            for piece in char if char in _KEEP_WIDTH else unicodedata.normalize("NFKC", char):
                chars.append(piece)
                origin.append(index)
        converted = self._t2s.convert("".join(chars))
        if len(converted) == len(chars):
            return list(converted), origin
        # A phrase conversion changed the length: convert character by character instead.
        return [self._t2s.convert(c) or c for c in chars], origin

    @staticmethod
    def _substitute(pattern: re.Pattern, replacement, chars: list[str], origin: list[int]
                    ) -> tuple[list[str], list[int]]:
        text = "".join(chars)
        out_chars: list[str] = []
        out_origin: list[int] = []
        position = 0
        for match in pattern.finditer(text):
            out_chars += chars[position:match.start()]
            out_origin += origin[position:match.start()]
            new = replacement(match)
            source = origin[match.start()] if match.start() < len(origin) else len(origin)
            out_chars += list(new)
            out_origin += [source] * len(new)
            position = match.end()
        out_chars += chars[position:]
        out_origin += origin[position:]
        return out_chars, out_origin


@lru_cache(maxsize=1)
def default_normaliser() -> TextNormaliser:
    return TextNormaliser()
