"""Load and validate data/policies/*.yml and look numbers up with city → province → national fallback.

Every number and list the rules use lives in the YAML files with its source; this module only knows
the keys and their types (SCHEMA / LIST_KEYS), never the values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.rules.results import Source

POLICY_DIR = Path(__file__).resolve().parents[2] / "data" / "policies"
NATIONAL = "全国"
ILLUSTRATIVE_KEY = "示例参数"

# key -> (python type, may be null). null in national.yml means "no national number: set locally".
_LEVELS = ("level1", "level2", "level3")
SCHEMA: dict[str, tuple[type, bool]] = {
    "contact.medical_hotline": (int, False),
    "contact.hrss_hotline": (int, False),
    "law.late_fee_daily_rate": (float, False),
    "law.fine_min_multiple": (int, False),
    "law.fine_max_multiple": (int, False),
    "law.registration_days": (int, False),
    "resident.waiting.fixed_months": (int, False),
    "resident.waiting.months_per_lapsed_year": (int, False),
    "resident.waiting.lapsed_years_in_fixed": (int, False),
    "resident.waiting.months_off_per_paid_back_year": (int, False),
    "resident.waiting.long_lapse_years": (int, False),
    "resident.waiting.long_lapse_min_months": (int, False),
    "resident.incentive.continuous_years": (int, False),
    "resident.incentive.step_min_yuan": (int, False),
    "resident.incentive.max_total_share": (float, False),
    "resident.late_payment_end_month": (int, True),
    "resident.funding.year": (int, False),
    "resident.funding.individual_yuan": (int, False),
    "resident.funding.subsidy_min_yuan": (int, False),
    "serious_illness.deductible_income_share": (float, False),
    "serious_illness.ratio": (float, False),
    "employee.individual_share": (float, False),
    "employee.employer_guide_share": (float, False),
    "pension.individual_share": (float, False),
    "pension.employer_share": (float, False),
    "employee.gap.retro_window_months": (int, False),
    "employee.gap.max_waiting_months": (int, False),
    "employee.gap.switch_min_continuous_years": (int, False),
    "employee.gap.waiting_months": (int, True),
    "employee.suspend_after_unpaid_months": (int, False),
    "transfer.out_working_days": (int, False),
    "transfer.in_working_days": (int, False),
    "drug.class_b_self_share": (float, False),
    "remote.referral_max_cut": (float, False),
    "remote.other_temporary_max_cut": (float, False),
    "remote.referral_cut": (float, True),
    "remote.other_temporary_cut": (float, True),
    "estimate.low.class_b_share": (float, False),
    "estimate.low.class_c_share": (float, False),
    **{f"inpatient.{t}.{lv}.{k}": (int if k == "deductible" else float, False)
       for t in ("employee", "resident") for lv in _LEVELS for k in ("deductible", "ratio")},
    **{f"inpatient.{t}.annual_cap": (int, False) for t in ("employee", "resident")},
    **{f"outpatient.{t}.{k}": (float if k == "ratio" else int, False)
       for t in ("employee", "resident") for k in ("deductible", "ratio", "annual_cap")},
}
# Keys whose value is a share of something and must lie in [0, 1].
SHARE_SUFFIXES = ("ratio", "share", "cut", "rate")

CHECKLIST_CASES = ("基本", "住院", "门诊", "异地", "意外伤害", "生育", "未成年", "转移", "代办")
LIST_KEYS: frozenset[str] = frozenset(
    [f"checklist.{case}" for case in CHECKLIST_CASES]
    + ["procedure.transfer_steps", "procedure.arrears_complaint_route", "procedure.arrears_lost_benefits",
       "procedure.arrears_resign"]
)

TOP_KEYS = {"region", "level", "parent", "aliases", "description", "parameters", "lists"}
ENTRY_KEYS = {"value", "unit", "source", "note", ILLUSTRATIVE_KEY}
SOURCE_REQUIRED = ("document", "issuer", "date")
SOURCE_OPTIONAL = ("article", "url")
LEVELS = ("national", "province", "city")


class PolicyDataError(ValueError):
    """A policy file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Param:
    key: str
    value: Any
    source: Source
    note: str
    region: str  # which file the value came from

    @property
    def illustrative(self) -> bool:
        return self.source.illustrative


@dataclass(frozen=True)
class ListEntry:
    key: str
    items: tuple[str, ...]
    source: Source
    note: str
    region: str


@dataclass
class RegionPolicy:
    name: str
    level: str
    parent: str | None
    aliases: tuple[str, ...]
    params: dict[str, Param] = field(default_factory=dict)
    lists: dict[str, ListEntry] = field(default_factory=dict)


def _fail(path: Path, key: str, problem: str) -> PolicyDataError:
    return PolicyDataError(f"{path.name}: {key}: {problem}")


def _parse_source(path: Path, key: str, raw: Any, illustrative: bool) -> Source:
    if not isinstance(raw, dict):
        raise _fail(path, f"{key}.source", "missing source (need document, issuer, date)")
    unknown = set(raw) - set(SOURCE_REQUIRED) - set(SOURCE_OPTIONAL)
    if unknown:
        raise _fail(path, f"{key}.source", f"unknown keys {sorted(unknown)}")
    for name in SOURCE_REQUIRED:
        if not isinstance(raw.get(name), (str, int, dt.date)) or not str(raw.get(name)).strip():
            raise _fail(path, f"{key}.source.{name}", "missing or empty")
    return Source(str(raw["document"]), str(raw["issuer"]), str(raw["date"]),
                  raw.get("article"), illustrative, raw.get("url"))


def _check_entry_shape(path: Path, key: str, raw: Any) -> None:
    if not isinstance(raw, dict):
        raise _fail(path, key, "entry must be a mapping with value, source, note")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise _fail(path, key, f"unknown keys {sorted(unknown)}")
    if "value" not in raw:
        raise _fail(path, key, "missing value")
    if not isinstance(raw.get("note"), str) or not raw["note"].strip():
        raise _fail(path, f"{key}.note", "missing note")
    if not isinstance(raw.get(ILLUSTRATIVE_KEY, False), bool):
        raise _fail(path, f"{key}.{ILLUSTRATIVE_KEY}", "must be true or false")


def _check_value_type(path: Path, key: str, value: Any) -> Any:
    expected, nullable = SCHEMA[key]
    where = f"parameters.{key}.value"
    if value is None:
        if nullable:
            return None
        raise _fail(path, where, "must not be null")
    ok = isinstance(value, expected) and not isinstance(value, bool)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok, value = True, float(value)
    if not ok:
        raise _fail(path, where, f"expected {expected.__name__}, got {type(value).__name__} {value!r}")
    if value < 0 or (key.endswith(SHARE_SUFFIXES) and value > 1):
        raise _fail(path, where, f"out of range: {value!r}")
    return value


def _parse_param(path: Path, region: str, key: str, raw: Any) -> Param:
    if key not in SCHEMA:
        raise _fail(path, f"parameters.{key}", "unknown key")
    _check_entry_shape(path, f"parameters.{key}", raw)
    value = _check_value_type(path, key, raw["value"])
    source = _parse_source(path, f"parameters.{key}", raw.get("source"), raw.get(ILLUSTRATIVE_KEY, False))
    return Param(key, value, source, raw["note"], region)


def _parse_list(path: Path, region: str, key: str, raw: Any) -> ListEntry:
    if key not in LIST_KEYS:
        raise _fail(path, f"lists.{key}", "unknown key")
    _check_entry_shape(path, f"lists.{key}", raw)
    items = raw["value"]
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise _fail(path, f"lists.{key}.value", "expected a list of non-empty strings")
    source = _parse_source(path, f"lists.{key}", raw.get("source"), raw.get(ILLUSTRATIVE_KEY, False))
    return ListEntry(key, tuple(items), source, raw["note"], region)


def _parse_header(path: Path, doc: Any) -> RegionPolicy:
    if not isinstance(doc, dict):
        raise _fail(path, "<top>", "file must be a mapping")
    unknown = set(doc) - TOP_KEYS
    if unknown:
        raise _fail(path, "<top>", f"unknown keys {sorted(unknown)}")
    name, level = doc.get("region"), doc.get("level")
    if not isinstance(name, str) or not name:
        raise _fail(path, "region", "missing region name")
    if level not in LEVELS:
        raise _fail(path, "level", f"must be one of {LEVELS}, got {level!r}")
    aliases = doc.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _fail(path, "aliases", "expected a list of strings")
    return RegionPolicy(name, level, doc.get("parent"), tuple(aliases))


def load_policy_file(path: Path) -> RegionPolicy:
    """Parse and validate one file (structure only; cross-file checks are in load_policies)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise PolicyDataError(f"{path.name}: <yaml>: {err}") from err
    policy = _parse_header(path, doc)
    for section, parse, target in (("parameters", _parse_param, policy.params),
                                   ("lists", _parse_list, policy.lists)):
        raw = doc.get(section) or {}
        if not isinstance(raw, dict):
            raise _fail(path, section, "must be a mapping")
        for key, entry in raw.items():
            target[str(key)] = parse(path, policy.name, str(key), entry)
    return policy


def _check_tree(policies: dict[str, RegionPolicy], paths: dict[str, Path]) -> None:
    national = policies.get(NATIONAL)
    if national is None or national.level != "national":
        raise PolicyDataError(f"national.yml: region: need one file with region: {NATIONAL}, level: national")
    missing = (set(SCHEMA) - set(national.params)) | (LIST_KEYS - set(national.lists))
    if missing:
        raise PolicyDataError(f"{paths[NATIONAL].name}: parameters: missing keys {sorted(missing)}")
    for name, policy in policies.items():
        _link_parent(policy, policies, paths[name])


def _link_parent(policy: RegionPolicy, policies: dict[str, RegionPolicy], path: Path) -> None:
    """national has no parent, a province falls back to national, a city to its province file."""
    if policy.level == "national":
        policy.parent = None
    elif policy.level == "province":
        if policy.parent not in (None, NATIONAL):
            raise _fail(path, "parent", f"a province falls back to {NATIONAL}, got {policy.parent!r}")
        policy.parent = NATIONAL
    elif policy.parent not in policies or policies[policy.parent].level != "province":
        raise _fail(path, "parent", f"unknown province {policy.parent!r}")


@dataclass
class PolicyBook:
    """All loaded policy files, indexed by region name."""

    regions: dict[str, RegionPolicy]

    def chain(self, region: str | None) -> list[str]:
        """Region names from most specific to national, e.g. ['武汉市', '湖北省', '全国']."""
        names: list[str] = []
        while region and region in self.regions and region not in names:
            names.append(region)
            region = self.regions[region].parent
        return names if names and names[-1] == NATIONAL else names + [NATIONAL]

    def param(self, key: str, chain: list[str]) -> Param:
        """The most specific non-null value; falls back to the national entry (possibly null)."""
        if key not in SCHEMA:
            raise KeyError(f"unknown policy key {key!r}")
        for name in chain:
            found = self.regions[name].params.get(key)
            if found is not None and found.value is not None:
                return found
        return self.regions[NATIONAL].params[key]

    def items(self, key: str, chain: list[str]) -> list[ListEntry]:
        """National items first, then province, then city (regional lists add local items)."""
        if key not in LIST_KEYS:
            raise KeyError(f"unknown list key {key!r}")
        found = [self.regions[n].lists[key] for n in reversed(chain) if key in self.regions[n].lists]
        return found

    def is_regional(self, key: str, chain: list[str]) -> bool:
        """True when the value was set below national level or is left to regions (null nationally)."""
        return self.param(key, chain).region != NATIONAL or self.regions[NATIONAL].params[key].value is None


def is_real_place(name: str) -> bool:
    """True when the name is a province or prefecture-level city in the gazetteer (or the rules'
    built-in city table): such a file may hold only that place's sourced figures."""
    try:
        from bot.nlp.regions import canonical_region
    except ImportError:  # pragma: no cover - the gazetteer ships with the project
        canonical_region = None  # type: ignore[assignment]
    if canonical_region is not None and canonical_region(name) is not None:
        return True
    from bot.rules.regions import known_city_or_province

    return known_city_or_province(name)


def _check_real_place_is_sourced(path: Path, policy: RegionPolicy) -> None:
    """Illustrative numbers never go under a real place name: a user there would read them as the
    local rule. They belong in national.yml (labelled) or in test data with a fictional region."""
    if policy.level == "national" or not is_real_place(policy.name):
        return
    for section, entries in (("parameters", policy.params), ("lists", policy.lists)):
        for key, entry in entries.items():
            if entry.source.illustrative:
                raise _fail(path, f"{section}.{key}", f"{ILLUSTRATIVE_KEY} under the real place {policy.name!r}: "
                            "only that place's sourced figures (document, issuer, date) may go here")


def load_policies_from(directory: Path | list[Path]) -> PolicyBook:
    """Load every *.yml in the directory (or directories: tests add fictional regions to the real data)."""
    policies: dict[str, RegionPolicy] = {}
    paths: dict[str, Path] = {}
    directories = directory if isinstance(directory, list) else [directory]
    for path in sorted(p for d in directories for p in d.glob("*.yml")):
        policy = load_policy_file(path)
        _check_real_place_is_sourced(path, policy)
        if policy.name in policies:
            raise PolicyDataError(f"{path.name}: region: {policy.name!r} also defined in {paths[policy.name].name}")
        if policy.level != "national" and path.stem != policy.name:
            raise PolicyDataError(f"{path.name}: region: file name must equal region name {policy.name!r}")
        policies[policy.name], paths[policy.name] = policy, path
    _check_tree(policies, paths)
    return PolicyBook(policies)


@lru_cache(maxsize=4)
def load_policies(directory: str | None = None) -> PolicyBook:
    """Cached loader for the repository's data/policies (or another directory in tests)."""
    return load_policies_from(Path(directory) if directory else POLICY_DIR)
