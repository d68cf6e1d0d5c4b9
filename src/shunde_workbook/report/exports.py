"""Table exports for reuse: a machine CSV and a display XLSX, both safe to open in a spreadsheet.

* CSV (UTF-8 with BOM): the machine column names a :class:`~shunde_workbook.report.table.Table` carries,
  identical in zh and en by construction (``town_code``, ``amount_10k_cny``), integers as integers;
* XLSX: the shown columns with the report language's headers and words (``Table.display``);
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

from shunde_workbook.report.table import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XLSX (XML 1.0) cannot hold: C0 controls except tab, newline and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"


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


def _atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_table(table: Table | pd.DataFrame, stem: Path, lang: str) -> list[Path]:
    """Write ``stem.csv`` (machine names, as the table carries them) and ``stem.xlsx`` (in ``lang``).

    A plain DataFrame is written with its own column names in both files.
    """
    if not isinstance(table, Table):
        table = Table.plain(table)
    display = safe_frame(table.display(lang))
    machine = safe_frame(table.frame)
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
