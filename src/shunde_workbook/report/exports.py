"""Table exports for reuse: a machine CSV and a display XLSX, both safe to open in a spreadsheet.

* CSV (UTF-8 with BOM): stable snake_case column names, identical in zh and en (``town_code``,
  ``amount_10k_cny``), a ``town_code`` column wherever a table names towns, integers as integers;
* XLSX: the same rows with the report language's headers;
* both: text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
  carriage return; OWASP "CSV injection") are prefixed with ``'``, XLSX strings are written as text,
  and control characters that XLSX cannot hold are replaced by U+FFFD.  Both files are built in
  memory first and moved into place, so a failure never leaves a half-written table.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook.narrative.text import catalogue

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XLSX (XML 1.0) cannot hold: C0 controls except tab, newline and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"
UNITS = {"万元": "10k_cny", "元": "cny", "元/人": "cny_per_resident", "%": "pct", "个百分点": "pp"}
_UNIT_SPLIT = re.compile(r"^(?P<label>.+?)\s*[（(](?P<unit>[^()（）]+)[)）]$")


def clean_text(value: str) -> str:
    """``value`` with XLSX-illegal control characters replaced and a formula start neutralised."""
    text = CONTROL.sub(REPLACEMENT, value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are :func:`clean_text`-ed and whose integral floats are integers."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            finite = s.dropna()
            if len(finite) and np.isfinite(finite).all() and (finite == finite.round()).all():
                out[col] = s.round().astype("Int64")
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(lambda v: clean_text(v) if isinstance(v, str) else v)
    out.columns = [clean_text(str(c)) for c in out.columns]
    return out


def reverse_catalogue(lang: str) -> dict[str, str]:
    """Catalogue text → key; for a text under several keys, plain column words win (no dot, then ``*_col``)."""
    out: dict[str, str] = {}
    for key, text in sorted(catalogue(lang).items(), key=lambda kv: ("." in kv[0], not kv[0].endswith("_col"))):
        out.setdefault(str(text).strip(), key)
    return out


def key_name(key: str) -> str:
    """A catalogue key as a column name: its last part, without ``_col``."""
    name = key.rsplit(".", 1)[-1] if "." in key else key
    return re.sub(r"_col$", "", name)


def _snake(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _unit_name(unit: str, lang: str, rev: dict[str, str]) -> str | None:
    key = rev.get(unit.strip())
    zh_unit = catalogue("zh").get(key, unit) if key else unit
    return UNITS.get(str(zh_unit).strip())


def _templated(lang: str) -> list[tuple[re.Pattern, str]]:
    """Catalogue texts with a ``{unit}`` placeholder as patterns ("目标（{unit}）" matches "目标（万元）")."""
    out = []
    for key, text in catalogue(lang).items():
        if isinstance(text, str) and "{unit}" in text and text.count("{") == 1:
            pattern = re.escape(text).replace(re.escape("{unit}"), "(?P<unit>.+?)")
            out.append((re.compile(f"^{pattern}$"), key))
    return out


def machine_name(column: str, lang: str) -> str:
    """The stable, language-independent name of a display column ("金额 (万元)" → ``amount_10k_cny``).

    Display headers are catalogue texts, optionally followed by a unit in brackets; the name is the
    catalogue key (without its ``prefix.`` and ``_col``), plus the unit.  An ASCII snake_case header
    is kept as it is.
    """
    column = str(column).strip()
    if re.fullmatch(r"[a-z][a-z0-9_]*", column):
        return column
    rev = reverse_catalogue(lang)
    if column in rev:
        return key_name(rev[column])
    m = _UNIT_SPLIT.match(column)
    if m and m.group("label").strip() in rev:
        unit = _unit_name(m.group("unit"), lang, rev)
        base = key_name(rev[m.group("label").strip()])
        return f"{base}_{unit}" if unit else base
    for pattern, key in _templated(lang):
        hit = pattern.match(column)
        if hit:
            unit = UNITS.get(hit.group("unit").strip()) or _unit_name(hit.group("unit"), lang, rev)
            return f"{key_name(key)}_{unit}" if unit else key_name(key)
    return _snake(column) if column.isascii() and _snake(column) else ""


def machine_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` with machine column names and a ``town_code`` column where towns are named."""
    from shunde_workbook.geo.names import normalise_town

    names = [machine_name(c, lang) or f"column_{i + 1}" for i, c in enumerate(df.columns)]
    seen: dict[str, int] = {}
    unique = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        unique.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    out = df.copy()
    out.columns = unique
    if "town_code" not in out.columns:
        town_col = next((c for c in ("town", "town_name", "name_en") if c in out.columns), None)
        if town_col is not None:
            codes = out[town_col].map(normalise_town)
            if codes.notna().any():
                out.insert(0, "town_code", codes)
    return out


def _atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_table(df: pd.DataFrame, stem: Path, lang: str) -> list[Path]:
    """Write ``stem.csv`` (machine names) and ``stem.xlsx`` (display headers); return both paths."""
    display = safe_frame(df)
    machine = safe_frame(machine_frame(df, lang))
    csv_bytes = machine.to_csv(index=False).encode("utf-8-sig")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        display.to_excel(writer, index=False)
        for row in writer.sheets["Sheet1"].iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
    csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
    _atomic(xlsx_path, buf.getvalue())
    _atomic(csv_path, csv_bytes)
    return [csv_path, xlsx_path]
