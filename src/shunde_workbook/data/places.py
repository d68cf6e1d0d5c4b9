"""Town (镇街) and village (村/社区) name normalisation to NBS codes.

Towns are resolved by :mod:`shunde_workbook.geo.names` (the one table of town
spellings and aliases); villages are built from data/reference/villages.csv.

Accepted spellings
------------------
towns:    NBS 9-digit code; full name (容桂街道); short name (容桂); short name with
          any of 街道 / 镇 / 街 / 街办 (勒流镇 for the pre-2019 name); pinyin
          (Ronggui, ronggui town, Jun'an, junan); historical aliases 容奇, 桂洲
          (→ 容桂街道); optional prefixes 广东省 / 佛山市 / 顺德区 / 顺德.
villages: NBS 12-digit code; full NBS name (东风社区居委会); short name (东风);
          short name + 村 / 社区 / 村委会 / 村民委员会 / 居委会 / 社区居委会 /
          居民委员会; optionally prefixed by the town (容桂东风社区).
          Village names are unique only within a town (东风 and 南华 each occur
          twice), so villages are resolved within the row's town.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from shunde_workbook.data import reference
from shunde_workbook.data.schema import simplified
from shunde_workbook.errors import closest
from shunde_workbook.geo import names

# Former town names (容奇, 桂洲) from geo.names, also accepted as a prefix of a village ("容奇东风").
TOWN_ALIASES = {k: v for k, v in names.HISTORICAL_NAMES.items() if not k.isascii()}
TOWN_SUFFIXES = ("街道", "街办", "镇", "街")
VILLAGE_SUFFIXES = ("社区居民委员会", "社区居委会", "村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")
_PREFIXES = ("广东省", "佛山市", "顺德区", "顺德")
_SPACE = re.compile(r"[\s\u3000]+")


def norm_text(value: object) -> str:
    """NFKC, Traditional characters made Simplified (倫教 → 伦教), drop all whitespace, lower-case.

    Non-strings become ''.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = simplified(unicodedata.normalize("NFKC", str(value)))
    return _SPACE.sub("", text).lower()


def _strip_prefixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if key.startswith(p) and len(key) > len(p):
                key = key[len(p) :]
                changed = True
    return key


@dataclass
class PlaceIndex:
    """Lookup tables for town and 村(社区) names and codes, built once from the reference tables."""

    town_keys: dict[str, str] = field(default_factory=dict)
    town_name: dict[str, str] = field(default_factory=dict)
    town_prefixes: list[tuple[str, str]] = field(default_factory=list)  # (key, code) longest first
    village_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    village_any: dict[str, set[str]] = field(default_factory=dict)
    village_name: dict[str, str] = field(default_factory=dict)
    village_town: dict[str, str] = field(default_factory=dict)
    village_in_2021: dict[str, bool] = field(default_factory=dict)


@lru_cache(maxsize=1)
def place_index() -> PlaceIndex:
    """The :class:`PlaceIndex` of the reference tables (built on first use, then cached)."""
    towns = reference.load_towns()
    villages = reference.load_villages()
    idx = PlaceIndex()
    for t in towns.itertuples(index=False):
        code, short = t.town_code, t.short_name
        idx.town_name[code] = t.town
        keys = {code, norm_text(t.town), norm_text(short)}
        keys |= {norm_text(short + s) for s in TOWN_SUFFIXES}
        en = norm_text(t.name_en).replace("'", "").replace("’", "")
        keys |= {en, norm_text(t.name_en)}
        for k in keys:
            idx.town_keys[k] = code
    for alias, code in TOWN_ALIASES.items():
        for s in ("",) + TOWN_SUFFIXES:
            idx.town_keys[norm_text(alias + s)] = code
    idx.town_prefixes = sorted(
        ((k, c) for k, c in idx.town_keys.items() if not k.isdigit() and not k.isascii()),
        key=lambda kc: -len(kc[0]),
    )
    for v in villages.itertuples(index=False):
        code, town_code, short = v.code, v.town_code, v.short_name
        idx.village_name[code] = v.name
        idx.village_town[code] = town_code
        idx.village_in_2021[code] = bool(v.in_nbs_2021)
        keys = {code, norm_text(v.name), norm_text(short)} | {norm_text(short + s) for s in VILLAGE_SUFFIXES}
        for k in keys:
            prev = idx.village_keys.get((town_code, k))
            if prev is not None and prev != code:  # pragma: no cover - guards the reference data
                raise ValueError(f"village key {k!r} is ambiguous within town {town_code}")
            idx.village_keys[(town_code, k)] = code
            idx.village_any.setdefault(k, set()).add(code)
    return idx


def normalise_town(name: object) -> str | None:
    """Town name/alias/code → 9-digit NBS town code, or None if unknown (see geo.names)."""
    return names.normalise_town(name)


def village_name(code: str) -> str | None:
    """The name of the 村(社区) with NBS code ``code``, or None if unknown."""
    return place_index().village_name.get(code)


def suggest_town(name: object) -> str | None:
    """The closest valid full town name (e.g. '容贵' → '容桂街道'), or None if nothing is similar."""
    return names.suggest_town(name)


#: Similarity (difflib ratio, 0–1) a name needs to a 村(社区) name to be offered as "did you mean".
VILLAGE_SIMILARITY = 0.5


def suggest_village(name: object, town_code: str | None = None) -> str | None:
    """The closest village full name (within the town if given), or None.

    Given only when it is similar (ratio ≥ VILLAGE_SIMILARITY) and when writing it in the same row resolves:
    following a suggestion never leads to another error.
    """
    idx = place_index()
    key = norm_text(name)
    if town_code:
        pool = {k: c for (t, k), c in idx.village_keys.items() if t == town_code and not k.isdigit()}
    else:
        pool = {k: next(iter(cs)) for k, cs in idx.village_any.items() if not k.isdigit()}
    best = closest(key, list(pool), cutoff=VILLAGE_SIMILARITY)
    if not best:
        return None
    suggestion = idx.village_name[pool[best]]
    code, status, _ = resolve_village(suggestion, town_code)
    return suggestion if status == VILLAGE_OK and code == pool[best] else None


def near_town(name: object) -> str | None:
    """The Shunde 镇街 a name is one character away from ('容贵' → '容桂街道', 'Ronggi' → 'Ronggui'), or None.

    The measure: after removing 街道/镇/街 and the 广东省/佛山市/顺德区 prefixes, the name differs from a town's
    short name (or its pinyin) by one inserted, deleted or replaced character.  '天河街道' or 'Warwickshire' are not
    near any town, so nothing is suggested for them.
    """
    key = _strip_prefixes(norm_text(name))
    for suffix in TOWN_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    if not key or normalise_town(name) is not None:
        return None
    towns = reference.load_towns()
    for t in towns.itertuples(index=False):
        for target, shown in ((norm_text(t.short_name), t.town), (norm_text(t.name_en).replace("'", ""), t.name_en)):
            if target and _one_edit(key, target):
                return shown
    return None


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by exactly one inserted, deleted or replaced character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# --------------------------------------------------------------------------- villages

VILLAGE_OK = "ok"
VILLAGE_UNKNOWN = "unknown"
VILLAGE_AMBIGUOUS = "ambiguous"
VILLAGE_WRONG_TOWN = "wrong_town"


def resolve_village(name: object, town_code: str | None) -> tuple[str | None, str, str | None]:
    """Resolve one village name within ``town_code``.

    Returns (village_code or None, status, detail) where status is one of
    ok | unknown | ambiguous | wrong_town; detail names the other
    town(s) or a suggestion.
    """
    idx = place_index()
    key = norm_text(name)
    if not key:
        return None, VILLAGE_OK, None
    key = _strip_prefixes(key)
    candidates: list[str] = [key]
    # "容桂东风社区" / "容桂街道东风社区": drop a leading town name
    for tkey, tcode in idx.town_prefixes:
        if key.startswith(tkey) and len(key) > len(tkey) and (town_code is None or tcode == town_code):
            candidates.append(key[len(tkey) :])
            if town_code is None:
                town_code = tcode
            break
    if town_code:
        for k in candidates:
            code = idx.village_keys.get((town_code, k))
            if code:
                return code, VILLAGE_OK, None
    codes: set[str] = set()
    for k in candidates:
        codes |= idx.village_any.get(k, set())
    if not codes:
        return None, VILLAGE_UNKNOWN, suggest_village(key, town_code)
    if town_code is None:
        if len(codes) == 1:
            return next(iter(codes)), VILLAGE_OK, None
        names = sorted(f"{idx.town_name[idx.village_town[c]]}{idx.village_name[c]}" for c in codes)
        return None, VILLAGE_AMBIGUOUS, " or ".join(names)
    names = sorted(f"{idx.town_name[idx.village_town[c]]}{idx.village_name[c]}" for c in codes)
    return None, VILLAGE_WRONG_TOWN, " or ".join(names)


def resolve_towns(values: pd.Series) -> pd.Series:
    """Vectorised normalise_town over a Series (maps the unique values only)."""
    uniq = pd.unique(values.astype("object"))
    table = {u: normalise_town(u) or normalise_town(simplified(str(u))) for u in uniq}
    return values.astype("object").map(table)
