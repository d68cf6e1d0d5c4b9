"""Every word a report shows, by key, from the YAML catalogues in ``narrative/catalogue/``.

The catalogue of a language is ``<lang>.yaml`` plus every ``<area>/<lang>.yaml`` (a key is defined once).

``tr(key, lang, **fmt)`` returns the text of ``key`` in ``lang`` with ``{placeholders}`` filled.  A key that
is missing from the catalogue of ``lang`` is an error (no silent fall-back to another language); a test checks
that the catalogues have the same keys.  The catalogues are read once per process.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from shunde_workbook.errors import closest

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
LANGS = ("zh", "en")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` as a flat {key: text} mapping (read once, then cached)."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, not {lang!r}")
    data: dict[str, str] = {}
    # The main file, then one file per area (``catalogue/<area>/<lang>.yaml``); a key may be defined once.
    for path in [CATALOGUE_DIR / f"{lang}.yaml", *sorted(CATALOGUE_DIR.glob(f"*/{lang}.yaml"))]:
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        twice = sorted(set(part) & set(data))
        if twice:
            raise ValueError(f"{path}: keys already defined in another catalogue file: {twice[:5]}")
        data.update(part)
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{lang}.yaml: entries must be text, not {bad[:5]}")
    return data


def has(key: str, lang: str = "zh") -> bool:
    """Whether ``key`` is in the catalogue of ``lang``."""
    return key in catalogue(lang)


def tr(key: str, lang: str, **fmt) -> str:
    """The text for ``key`` in ``lang``, formatted with ``fmt``; a missing key raises ``KeyError``."""
    cat = catalogue(lang)
    if key not in cat:
        hint = closest(key, list(cat))
        raise KeyError(
            f"no text {key!r} in the {lang} catalogue ({CATALOGUE_DIR / (lang + '.yaml')})"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    return cat[key].format(**fmt) if fmt else cat[key]


def template(key: str) -> dict[str, str]:
    """The unformatted text of ``key`` in every language, e.g. for a Finding."""
    return {lang: tr(key, lang) for lang in LANGS}


def unit_label(unit: str, lang: str, per: str | None = None) -> str:
    """'万元' / '10k yuan' etc. for axis labels and legends."""
    base = tr({"元": "unit.yuan", "万元": "unit.wan"}[unit], lang)
    return base if per is None else f"{base}/{per}"


def programme_label(name: str, lang: str) -> str:
    """A programme's name in ``lang`` (unknown programmes keep their own name)."""
    key = f"programme.{name}"
    return tr(key, lang) if has(key, lang) else name


def field_label(name: str, lang: str) -> str:
    """A field/section name in ``lang`` (Chinese names are the data's own, ASCII quotes made typographic)."""
    key = f"field_name.{name}"
    label = tr(key, lang) if has(key, lang) else name
    return re.sub(r"'([^']*)'", "\u201c\\1\u201d", label)


def rule_label(rule: str, lang: str) -> str:
    """Display name of a 2023 allocation rule (``shift_`` prefix ignored)."""
    rule = rule.removeprefix("shift_")
    key = f"rule.{rule}"
    return tr(key, lang) if has(key, lang) else rule


def status_label(status: str, lang: str) -> str:
    """A provenance status ('simulated', 'mixed: official, simulated', ...) in ``lang``."""
    status = str(status)
    if status.startswith("mixed:"):
        parts = [status_label(p.strip(), lang) for p in status.removeprefix("mixed:").split(",")]
        return tr("status.mixed", lang, parts=tr("name_sep", lang).join(parts))
    key = f"status.{status}"
    return tr(key, lang) if has(key, lang) else status


def join_names(names, lang: str) -> str:
    """Names joined the way ``lang`` lists them (、 or ,)."""
    return tr("name_sep", lang).join(str(n) for n in names)
