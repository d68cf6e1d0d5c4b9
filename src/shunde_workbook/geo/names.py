"""The 10 towns (镇街) of Shunde and a forgiving name -> code lookup.

Pure standard library on purpose (no pandas), so validators elsewhere can
import it cheaply::

    >>> normalise_town("容奇")
    '440606006'
    >>> normalise_town("Jun'an") == normalise_town("JUNAN") == "440606106"
    True
    >>> suggest_town("大梁街道")
    '大良街道'

Accepted spellings for each town: its NBS 9-digit code, full name (大良街道),
short name (大良), the short name plus 镇 / 街道 / 街 / 镇街 (so the former
勒流镇 and 伦教镇 still match), pinyin in any case with or without spaces,
hyphens or apostrophes (Daliang, da liang, Jun'an, Junan), pinyin plus
"town"/"subdistrict"/"jiedao"/"zhen", and historical names: 容奇 and 桂洲
(merged into 容桂 in 1992) map to 容桂街道.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from shunde_workbook.errors import closest

__all__ = [
    "Town",
    "TOWNS",
    "TOWN_CODES",
    "HISTORICAL_NAMES",
    "normalise_town",
    "suggest_town",
    "town_by_code",
    "town_slug",
]


class Town(NamedTuple):
    """One 镇街: NBS code, full Chinese name, short name, pinyin, kind."""

    code: str
    name: str
    short: str
    name_en: str
    kind: str


TOWNS: tuple[Town, ...] = (
    Town("440606003", "伦教街道", "伦教", "Lunjiao", "街道"),
    Town("440606004", "勒流街道", "勒流", "Leliu", "街道"),
    Town("440606005", "大良街道", "大良", "Daliang", "街道"),
    Town("440606006", "容桂街道", "容桂", "Ronggui", "街道"),
    Town("440606101", "陈村镇", "陈村", "Chencun", "镇"),
    Town("440606102", "北滘镇", "北滘", "Beijiao", "镇"),
    Town("440606103", "乐从镇", "乐从", "Lecong", "镇"),
    Town("440606104", "龙江镇", "龙江", "Longjiang", "镇"),
    Town("440606105", "杏坛镇", "杏坛", "Xingtan", "镇"),
    Town("440606106", "均安镇", "均安", "Jun'an", "镇"),
)
TOWN_CODES: tuple[str, ...] = tuple(t.code for t in TOWNS)
_BY_CODE = {t.code: t for t in TOWNS}

# Former or alternative names that are not derivable from the table above.
HISTORICAL_NAMES = {
    "容奇": "440606006",
    "桂洲": "440606006",
    "容奇镇": "440606006",
    "桂洲镇": "440606006",
    "rongqi": "440606006",
}
_CN_SUFFIXES = ("镇街", "街道", "街办", "街", "镇")
_EN_SUFFIXES = ("subdistrict", "jiedao", "town", "zhen", "street")
_DISTRICT_PREFIXES = ("广东省", "广东", "佛山市", "顺德区", "佛山", "顺德", "shunde", "foshan")


def _key(name: str) -> str:
    """Case-, width-, space- and apostrophe-insensitive comparison key."""
    s = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"[\s'’‘`\-_.·]+", "", s)


def _strip(key: str) -> str:
    """Drop a leading district prefix and a trailing 镇/街道/town suffix."""
    stripped = True
    while stripped:  # 广东省佛山市顺德区大良: drop every leading prefix
        stripped = False
        for p in _DISTRICT_PREFIXES:
            if key.startswith(p) and len(key) > len(p):
                key, stripped = key[len(p) :], True
    for s in _CN_SUFFIXES + _EN_SUFFIXES:
        if key.endswith(s) and len(key) > len(s):
            return key[: -len(s)]
    return key


def _build_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for t in TOWNS:
        for variant in (t.code, t.name, t.short, t.name_en):
            aliases[_key(variant)] = t.code
    for k, v in HISTORICAL_NAMES.items():
        aliases[_key(k)] = v
    return aliases


_ALIASES = _build_aliases()


def normalise_town(name) -> str | None:
    """Return the NBS 9-digit town code for any accepted spelling, else None.

    Parameters
    ----------
    name : str or int
        A town code, Chinese full/short/former name or pinyin.

    Returns
    -------
    str or None
        e.g. ``"440606005"`` for 大良 / 大良街道 / 大良镇 / Daliang; ``None``
        when the name is empty, missing or not a Shunde town.
    """
    if name is None or (isinstance(name, float) and name != name):
        return None
    key = _key(name)
    if not key:
        return None
    if key.endswith(".0") and key[:-2] in _ALIASES:  # codes read as floats
        key = key[:-2]
    if key in _ALIASES:
        return _ALIASES[key]
    stripped = _strip(key)
    return _ALIASES.get(stripped)


def town_by_code(code: str) -> Town:
    """The :class:`Town` for an NBS code (KeyError if not a Shunde town)."""
    return _BY_CODE[str(code)]


def town_slug(code: object, where: str = "towns table") -> str:
    """The file-name slug of a town profile, from its NBS code (``440606106`` → ``junan``).

    The slug comes from the workbook's own list of the 10 towns, never from a towns table's text,
    so a table cannot choose a file name; an unknown code raises ParameterError.
    """
    from shunde_workbook.errors import ParameterError

    text = str(code).strip()
    if text not in TOWN_CODES:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ParameterError(
            f"{where}: town_code {shown!r} is not one of Shunde's 10 town codes ({', '.join(TOWN_CODES)})"
        )
    slug = town_by_code(text).name_en.lower().replace("'", "")
    assert re.fullmatch(r"[a-z][a-z0-9\-]{0,39}", slug), slug  # the built-in names are plain pinyin
    return slug


def suggest_town(name) -> str | None:
    """Closest valid town name for a misspelt one (difflib), or None.

    Chinese input is matched against Chinese names and returns a full
    Chinese name (大良街道); Latin input is matched against pinyin and
    returns the pinyin (Daliang).  A name that already resolves returns its
    canonical form.
    """
    code = normalise_town(name)
    key = _key(name) if name is not None else ""
    latin = bool(key) and key.isascii() and not key.isdigit()
    if code is not None:
        t = _BY_CODE[code]
        return t.name_en if latin else t.name
    if not key:
        return None
    stripped = _strip(key)
    if latin:
        choices = {_key(t.name_en): t.name_en for t in TOWNS}
    else:
        choices = {}
        for t in TOWNS:
            choices[t.short] = t.name
            choices[t.name] = t.name
    for probe, cutoff in ((stripped, 0.5), (key, 0.5), (stripped, 0.3)):
        hit = closest(probe, choices, cutoff=cutoff)
        if hit:
            return choices[hit]
    return None
