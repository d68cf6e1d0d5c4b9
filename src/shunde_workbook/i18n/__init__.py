"""The one translation layer: text by key from YAML catalogues, in every language the workbook speaks.

Two catalogues use it, each a folder of ``<area>/<lang>.yaml`` files (and ``<lang>.yaml`` files beside them):

* the reports' catalogue, ``narrative/catalogue/<area>/<lang>.yaml``, keys ``<area>.<name>``
  (``shunde_workbook.narrative.text.tr``);
* the validator's, ``data/ledger/messages/`` (``shunde_workbook.data.ledger.messages``).

A file may nest its keys (``names: {rule: {historical: …}}`` is the key ``names.rule.historical``) or write
them flat; either way a key is defined once across a catalogue's files.  Comments in the files are notes for
translators.  The languages are the ``<lang>`` names of the reports' catalogue files (``zh`` first, the
default): adding a language is adding ``narrative/catalogue/<area>/<lang>.yaml`` for every area (and, for
validator messages in it, ``data/ledger/messages/<lang>.yaml``); see ``docs/translating.md``.

This package sits at the bottom of the stack (stage 0): it imports nothing of the workbook but ``errors``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml

from shunde_workbook.errors import closest

PACKAGE = Path(__file__).resolve().parent.parent
#: The reports' catalogue folder and the validator's.
NARRATIVE = PACKAGE / "narrative" / "catalogue"
MESSAGES = PACKAGE / "data" / "ledger" / "messages"
#: Extra catalogue folders (``os.pathsep``-separated), e.g. a test locale: each holds ``narrative/<lang>.yaml``
#: and ``messages/<lang>.yaml``, read after the workbook's own files (a key is still defined once).
EXTRA_ENV = "SHUNDE_WORKBOOK_EXTRA_CATALOGUES"


def _languages() -> tuple[str, ...]:
    found = {p.stem for p in [*NARRATIVE.glob("*.yaml"), *NARRATIVE.glob("*/*.yaml")]}
    for folder in _extra_folders():
        found |= {p.stem for p in [*(folder / "narrative").glob("*.yaml"), *(folder / "narrative").glob("*/*.yaml")]}
    first = [lang for lang in ("zh", "en") if lang in found]
    return (*first, *sorted(found - set(first)))


def _extra_folders() -> list[Path]:
    return [Path(p) for p in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if p]


#: Every language with a reports' catalogue, the default first.
LANGUAGES = _languages()


def flatten(data: dict, prefix: str = "") -> dict[str, object]:
    """Nested mappings as dotted keys: ``{"rule": {"historical": "…"}}`` → ``{"rule.historical": "…"}``."""
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def files(folder: Path, lang: str) -> list[Path]:
    """The files of one language of a catalogue: ``<lang>.yaml``, then each ``<area>/<lang>.yaml``."""
    return [p for p in [folder / f"{lang}.yaml", *sorted(folder.glob(f"*/{lang}.yaml"))] if p.exists()]


#: PyYAML's safe loader, with libyaml's parser when PyYAML was built with it (the catalogues are read on every
#: run, even one where nothing changed: 0.1 s with the pure-Python parser).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(folder: Path, lang: str) -> dict[str, str]:
    """The catalogue in ``folder`` for ``lang`` as a flat {key: text} mapping (read once per process).

    Raises ``ValueError`` for an unknown language, a key defined in two files or an entry that is not text.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    paths = files(folder, lang)
    part = {NARRATIVE: "narrative", MESSAGES: "messages"}.get(folder)
    if part:
        paths += [p for extra in _extra_folders() for p in files(extra / part, lang)]
    if not paths:
        raise ValueError(f"no {lang}.yaml in {folder}")
    data: dict[str, object] = {}
    for path in paths:
        part = flatten(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {})
        twice = sorted(set(part) & set(data))
        if twice:
            raise ValueError(f"{path}: keys already defined in another catalogue file: {twice[:5]}")
        data.update(part)
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{folder}/{lang}.yaml: entries must be text, not {bad[:5]}")
    return data  # type: ignore[return-value]


def text(folder: Path, key: str, lang: str, **fmt) -> str:
    """The text of ``key`` in ``lang`` from the catalogue in ``folder``, formatted with ``fmt``.

    A key missing from the catalogue of ``lang`` raises ``KeyError`` with the closest key (no fall-back to
    another language).
    """
    cat = load(folder, lang)
    if key not in cat:
        hint = closest(key, list(cat))
        raise KeyError(
            f"no text {key!r} in the {lang} catalogue ({folder}, files {lang}.yaml)"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    return cat[key].format(**fmt) if fmt else cat[key]
