"""The reports' catalogue is laid out for translators: one key style, one file per area, notes on top, and
every key the code names exists.

* A key is ``<area>.<name>``: a snake_case area, then snake_case segments (nested deeper where it helps,
  e.g. ``brief.caveat.ledger_mixed``).  Under the prefixes in ``DATA_KEYED`` one segment is a value of the
  data (a programme's or a field's own name, a grade), written as the data write it.
* The file of a key is ``narrative/catalogue/<area>/<lang>.yaml``: its prefix names its folder.
* Every file starts with a note for translators (``# <area>: …``, what pages show it, the conventions).
* Every key the code names literally (``tr("…")``, ``template("…")``, ``Col("…")``, ``t('…')`` in a
  template, ``key="…"``, or any string that starts with an area that only keys use) is in the catalogue, and
  every prefix the code completes at run time (``tr(f"names.rule.{rule}")``) names at least one key.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shunde_workbook.narrative.text import CATALOGUE_DIR, LANGS, catalogue

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "shunde_workbook"

#: Prefixes followed by one segment that is a value of the data, not a snake_case name.
DATA_KEYED = (
    "names.programme.",
    "names.field.",
    "names.village_type.",
    "audit.fact_unit.",
    "audit.recon_status.",
    "evidence.grade.",
)
SNAKE = re.compile(r"[a-z][a-z0-9_]*")


def _segments_ok(key: str) -> bool:
    for prefix in DATA_KEYED:
        if key.startswith(prefix):
            value, _, rest = key.removeprefix(prefix).partition(".")
            return bool(value.strip()) and all(
                SNAKE.fullmatch(s) for s in [*prefix.split(".")[:-1], *rest.split(".")] if s
            )
    return all(SNAKE.fullmatch(s) for s in key.split("."))


def _files():
    return sorted(CATALOGUE_DIR.glob("*/*.yaml"))


def test_the_style_check_can_fail():
    assert _segments_ok("towns.map_total") and _segments_ok("names.field.'3861'妇儿公益")
    assert _segments_ok("evidence.grade.built-in.help")
    for bad in ("towns.mapTotal", "Towns.title", "towns..title", "towns.map-total", "names.field."):
        assert not _segments_ok(bad), bad


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_is_area_dot_name(lang):
    bad = [k for k in catalogue(lang) if "." not in k or not _segments_ok(k)]
    assert not bad, f"keys not in the <area>.<snake_case_name> style: {bad[:10]}"


def test_every_file_is_one_area_and_holds_only_its_keys():
    import yaml

    assert not list(CATALOGUE_DIR.glob("*.yaml")), "no catalogue file outside an area folder"
    for path in _files():
        area = path.parent.name
        assert SNAKE.fullmatch(area), f"{path}: an area folder is a snake_case word"
        keys = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        stray = [k for k in keys if not str(k).startswith(area + ".")]
        assert not stray, f"{path}: keys of another area (move them to their own folder): {stray[:5]}"
    for lang in LANGS:
        areas = {p.parent.name for p in CATALOGUE_DIR.glob(f"*/{lang}.yaml")}
        assert areas == {p.parent.name for p in _files()}, f"{lang}: an area file is missing"


def test_every_file_starts_with_a_note_for_translators():
    for path in _files():
        lines = path.read_text(encoding="utf-8").splitlines()
        head = [line for line in lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]]
        assert head and head[0].startswith(f"# {path.parent.name}:"), f"{path}: start with '# <area>: …'"
        text = " ".join(head)
        assert len(head) >= 4 and "Shown" in text and "{" in text, (
            f"{path}: say where it shows and how placeholders work"
        )


# ------------------------------------------------------------------------------------ keys the code names
#: Areas whose names only keys use (finding ids, results-store measures and value sources start with overview.,
#: fairness., profile., evidence., starter. ..., so a plain string of those areas is not taken for a key).
KEY_ONLY = (
    "common",
    "columns",
    "names",
    "findings",
    "sources",
    "charts",
    "params",
    "brief",
    "site",
    "compare",
    "sweep",
    "explorer",
    "grant_table",
)
CALL = re.compile(r"""(?:\b(?:tr|has|template|Col|t)\(|\bkey=)\s*\\?["']([^"'\\{}]+?)\\?["']""")
DYNAMIC = re.compile(r"""\b(?:tr|has|template|Col)\(\s*f\\?["']([a-z_.]+)\{""")
PLAIN = re.compile(r"""(?<=["'])((?:""" + "|".join(KEY_ONLY) + r""")\.[^"'\\\s{}]+)(?=\\?["'])""")
#: A catalogue prefix handed to a table column (``Col(values="names.metric")``, or in a ``words = {…}`` map).
VALUES = re.compile(r"""\bCol\([^()]*?\bvalues=\s*["']([a-z_.]+)["']""")
WORDS_MAP = re.compile(r"""\bwords = \{([^}]*)\}""")
A_FILE = re.compile(r"\.(?:css|js|j2|html|json|csv|yaml|parquet|png|pdf|xlsx)$")
#: Prefixes completed at run time outside a ``tr(f"…")`` call (a catalogue prefix handed to a helper).
HANDED_ON = ("names.input.", "names.metric.", "names.village_type.", "explorer.", "grant_table.", "site.", "compare.")


def _code_files():
    skip = ("data/ledger", "cli/validate.py")  # the validator's own catalogue
    for pattern in ("src/**/*.py", "src/**/*.j2", "notebooks/*.ipynb"):
        for path in ROOT.glob(pattern):
            if not any(s in str(path) for s in skip):
                yield path


def _names_a_key(prefix: str) -> bool:
    return any(k.startswith(prefix) for k in catalogue("zh"))


def test_every_key_the_code_names_exists():
    keys = set(catalogue("zh"))
    missing, prefixes = [], set(HANDED_ON)
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        named = {m[1] for m in CALL.finditer(text)} | {m[1] for m in PLAIN.finditer(text)}
        named = {k for k in named if not A_FILE.search(k) and not k.endswith(".")}
        prefixes |= {k + "." for k in named if any(key.startswith(k + ".") for key in keys)}  # Col(values=…)
        named = {k for k in named if k + "." not in prefixes}
        missing += [f"{path.relative_to(ROOT)}: {k}" for k in sorted(named - keys)]
        prefixes |= {m[1] for m in DYNAMIC.finditer(text)}
        handed = {m[1] for m in VALUES.finditer(text)}
        handed |= {v for m in WORDS_MAP.finditer(text) for v in re.findall(r""":\s*["']([a-z_.]+)["']""", m[1])}
        missing += [f"{path.relative_to(ROOT)}: {p}.* (a prefix)" for p in sorted(handed) if not _names_a_key(p + ".")]
    assert not missing, "keys named in the code but not in the catalogue:\n" + "\n".join(missing)
    dead = [p for p in sorted(prefixes) if not any(k.startswith(p) for k in keys)]
    assert not dead, f"prefixes completed at run time that name no key: {dead}"
    assert {"names.rule.", "evidence.grade."} <= prefixes  # the scan sees the dynamic keys
