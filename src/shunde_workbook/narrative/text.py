"""Every word a report shows, by key, from the YAML catalogues in ``narrative/catalogue/``.

The catalogue of a language is every ``<area>/<lang>.yaml`` (keys ``<area>.<name>``, each defined once),
loaded by the one translation layer, :mod:`shunde_workbook.i18n`; ``docs/translating.md`` lists the areas.

``tr(key, lang, **fmt)`` returns the text of ``key`` in ``lang`` with ``{placeholders}`` filled.  A key that
is missing from the catalogue of ``lang`` is an error (no silent fall-back to another language); a test checks
that the catalogues have the same keys.  The catalogues are read once per process.
"""

from __future__ import annotations

import re

from shunde_workbook import i18n

CATALOGUE_DIR = i18n.NARRATIVE
LANGS = i18n.LANGUAGES


def catalogue(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` as a flat {key: text} mapping (read once, then cached)."""
    return i18n.load(CATALOGUE_DIR, lang)


def has(key: str, lang: str = "zh") -> bool:
    """Whether ``key`` is in the catalogue of ``lang``."""
    return key in catalogue(lang)


def tr(key: str, lang: str, **fmt) -> str:
    """The text for ``key`` in ``lang``, formatted with ``fmt``; a missing key raises ``KeyError``."""
    return i18n.text(CATALOGUE_DIR, key, lang, **fmt)


def template(key: str) -> dict[str, str]:
    """The unformatted text of ``key`` in every language, e.g. for a Finding."""
    return {lang: tr(key, lang) for lang in LANGS}


def unit_label(unit: str, lang: str, per: str | None = None) -> str:
    """'万元' / '10k yuan' etc. for axis labels and legends."""
    base = tr({"元": "common.unit.yuan", "万元": "common.unit.wan"}[unit], lang)
    return base if per is None else f"{base}/{per}"


def programme_label(name: str, lang: str) -> str:
    """A programme's name in ``lang`` (unknown programmes keep their own name)."""
    key = f"names.programme.{name}"
    return tr(key, lang) if has(key, lang) else name


def field_label(name: str, lang: str) -> str:
    """A field/section name in ``lang`` (Chinese names are the data's own, ASCII quotes made typographic)."""
    key = f"names.field.{name}"
    label = tr(key, lang) if has(key, lang) else name
    return re.sub(r"'([^']*)'", "\u201c\\1\u201d", label)


def rule_label(rule: str, lang: str) -> str:
    """Display name of a 2023 allocation rule (``shift_`` prefix ignored)."""
    rule = rule.removeprefix("shift_")
    key = f"names.rule.{rule}"
    return tr(key, lang) if has(key, lang) else rule


def status_label(status: str, lang: str) -> str:
    """A provenance status ('simulated', 'mixed: official, simulated', ...) in ``lang``."""
    status = str(status)
    if status.startswith("mixed:"):
        parts = [status_label(p.strip(), lang) for p in status.removeprefix("mixed:").split(",")]
        return tr("names.status.mixed", lang, parts=tr("common.sep.name", lang).join(parts))
    key = f"names.status.{status}"
    return tr(key, lang) if has(key, lang) else status


def join_names(names, lang: str) -> str:
    """Names joined the way ``lang`` lists them (、 or ,)."""
    return tr("common.sep.name", lang).join(str(n) for n in names)


def pct(share: float) -> str:
    """A 0..1 share as a percentage, without a needless decimal (0.6 → '60%', 0.125 → '12.5%')."""
    v = float(share) * 100
    return f"{v:,.0f}%" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}%"


def town_label(town, lang: str, short: bool = False) -> str:
    """A town (NBS code, any accepted name) as ``lang`` names it; unknown towns keep their own text.

    The form is the catalogue's: ``common.format.town`` (full name, e.g. 大良街道 / Daliang) or
    ``common.format.town_short`` (大良 / Daliang), each filled from the town's fields ``name``, ``short`` and
    ``name_en``.

    >>> town_label("440606005", "zh"), town_label("大良", "en"), town_label("440606005", "zh", short=True)
    ('大良街道', 'Daliang', '大良')
    """
    from shunde_workbook.geo.names import normalise_town, town_by_code

    code = normalise_town(town)
    if code is None:
        return str(town)
    return tr("common.format.town_short" if short else "common.format.town", lang, **town_by_code(code)._asdict())


def town_labels(names, lang: str, short: bool = False):
    """A Series of town names or codes as ``lang`` names them (same index), e.g. for chart labels."""
    return names.map(lambda t: town_label(t, lang, short) if isinstance(t, str) else t)
