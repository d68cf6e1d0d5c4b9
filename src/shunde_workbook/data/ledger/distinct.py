"""Per-distinct-value helpers: Python runs once per distinct cell value, never once per row."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.messages import Msg


def map_unique(values: pd.Series, fn) -> pd.Series:
    """Fn applied once per distinct value (C-speed factorize, Python only over the distinct values)."""
    codes, uniq = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(u) for u in uniq]
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def strip_cells(values: pd.Series) -> pd.Series:
    """Cells as stripped str (object dtype), computed once per distinct value."""
    return map_unique(values, lambda v: str(v).strip())


#: Characters removed from every cell: C0/C1 controls (which XLSX cannot hold), zero-width and direction marks.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[\t\n\r\u00a0\u2000-\u200a\u3000]+")


def clean_text(value: str) -> str:
    """Control and invisible characters removed, other spaces made plain, ends stripped."""
    return _SPACES.sub(" ", INVISIBLE.sub("", value)).strip()


def clean_cells(values: pd.Series, issues=None, column: str = "", half_width: bool = False) -> pd.Series:
    """Cells without control or invisible characters; each change is reported to ``issues`` as a fix.

    With ``half_width``, full-width letters and digits are made half-width too ('Ａ１' → 'A1').
    """
    cleaned = map_unique(values, lambda v: clean_text(v) if INVISIBLE.search(v) or _SPACES.search(v) else v)
    changed = cleaned.ne(values)
    if issues is not None and changed.any():
        invisible = changed & map_unique(values, lambda v: bool(INVISIBLE.search(v))).astype(bool)
        issues.fix_groups(invisible, column, values, cleaned, Msg("cell.invisible"))
    if half_width:
        narrow = map_unique(cleaned, lambda v: unicodedata.normalize("NFKC", v) if not v.isascii() else v)
        wide = narrow.ne(cleaned)
        if issues is not None and wide.any():
            issues.fix_groups(wide, column, cleaned, narrow, Msg("cell.full_width"))
        cleaned = narrow
    return cleaned


def factorize_rows(*columns: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Codes of the distinct row-tuples of several object columns, and those tuples."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    uniques = []
    for c in columns:
        k, u = pd.factorize(c.astype(object), use_na_sentinel=False)
        codes = codes * (len(u) + 1) + k
        uniques.append(np.asarray(u, dtype=object))
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    arrays = [c.to_numpy(dtype=object) for c in columns]
    tuples = [tuple(a[i] for a in arrays) for i in first]
    return inverse.reshape(-1), tuples
