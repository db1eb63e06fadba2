"""Shared plumbing for the rules: a policy view that records which numbers were used (for sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.rules.policies import NATIONAL, Param, PolicyBook, load_policies
from bot.rules.regions import RegionMatch, resolve_region
from bot.rules.results import Source, merge_sources

CENT = Decimal("0.01")
_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


class RuleInputError(ValueError):
    """Input a user can cause (missing or impossible facts); the message is Chinese and user-facing."""


def money(value: Any) -> Decimal:
    """Decimal rounded to the cent; floats go through str() so 0.1 stays 0.1."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def rate(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass
class PolicyView:
    """Numbers for one region, remembering every entry read so the result can cite it."""

    book: PolicyBook
    region: RegionMatch
    used: list[Param] = field(default_factory=list)
    extra_sources: list[Source] = field(default_factory=list)
    local_keys: set[str] = field(default_factory=set)

    def value(self, key: str) -> Any:
        param = self.book.param(key, self.region.chain)
        self.used.append(param)
        if self.book.is_regional(key, self.region.chain) or param.illustrative:
            self.local_keys.add(key)
        return param.value

    def contact(self, key: str) -> Any:
        """A service contact (hotline) for the text, not a basis of the answer: it is not cited."""
        return self.book.param(key, self.region.chain).value

    def items(self, key: str) -> list[str]:
        """National items then regional additions, with {param.key} placeholders filled in."""
        entries = self.book.items(key, self.region.chain)
        self.extra_sources.extend(e.source for e in entries)
        if any(e.region != NATIONAL for e in entries):
            self.local_keys.add(key)
        return [self._fill(item) for e in entries for item in e.items]

    def _fill(self, text: str) -> str:
        return self.fill(text)

    def fill(self, text: str) -> str:
        """Text with its {param.key} placeholders replaced by this region's values."""
        return _PLACEHOLDER.sub(lambda m: _plain(self.value(m.group(1))), text)

    def sources(self) -> list[Source]:
        return merge_sources([p.source for p in self.used], self.extra_sources)

    def varies_by_region(self) -> bool:
        return bool(self.local_keys)

    def used_illustrative(self, *prefixes: str) -> bool:
        """Whether any number read so far (optionally only keys with these prefixes) is illustrative."""
        return any(p.illustrative for p in self.used if not prefixes or p.key.startswith(prefixes))


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def policy_view(region: str | None, book: PolicyBook | None = None) -> PolicyView:
    book = book or load_policies()
    return PolicyView(book, resolve_region(region, book))


def region_assumption(view: PolicyView) -> list[str]:
    """Say when we could not use local numbers."""
    match = view.region
    if not match.query:
        return ["未说明参保地，按全国规定和常见标准计算"]
    if not match.has_local_rules:
        return [f"暂无「{match.query}」有出处的地方标准，按全国规定和常见标准计算；"
                f"当地标准请问参保地医保部门或拨打{view.contact('contact.medical_hotline')}"]
    return []


def percent(value: Decimal | float) -> str:
    number = Decimal(str(value)) * 100
    return f"{number.normalize():f}%"
