"""Per-distinct-value helpers: Python runs once per distinct cell value, never once per row."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.messages import Msg


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) with ``values == uniques[codes]``; missing values are one distinct value (NaN).

    Cells without a missing value (the usual case) skip pandas' slower path that looks for them first.
    """
    cells = values.to_numpy() if values.dtype == object else values.astype(object).to_numpy()
    codes, uniq = pd.factorize(cells)
    if len(codes) and codes.min() < 0:
        codes, uniq = pd.factorize(cells, use_na_sentinel=False)
    return codes, uniq


def map_unique(values: pd.Series, fn, distinct: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """Fn applied once per distinct value (C-speed factorize, Python only over the distinct values).

    ``distinct`` may give ``values``' (codes, distinct values) when they are known already.
    """
    codes, mapped = _apply(values, fn, distinct)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _apply(values: pd.Series, fn, distinct=None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, fn of each distinct value) of ``values``."""
    codes, uniq = distinct if distinct is not None else factorize(values)
    return codes, _each(uniq, fn)


def _each(uniq, fn) -> np.ndarray:
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(u) for u in uniq]
    return mapped


def joined(uniq) -> str | None:
    """The distinct values run together, or None unless each is a str.

    A test for one character holds for some value exactly when it holds for this text: one C-speed search can
    show that no value needs the Python function.
    """
    try:
        return "".join(uniq)
    except TypeError:
        return None


def strip_cells(values: pd.Series) -> pd.Series:
    """Cells as stripped str (object dtype), computed once per distinct value."""
    return map_unique(values, lambda v: str(v).strip())


def tidy_cells(values: pd.Series, issues=None, column: str = "", half_width: bool = False, distinct=None) -> tuple:
    """:func:`clean_cells` of :func:`strip_cells`, with the cells factorized once (``distinct``: see map_unique).

    Returns the cells and their (codes, distinct values) as :func:`map_unique` takes them.
    """
    codes, uniq = distinct if distinct is not None else factorize(values)
    if set(map(type, uniq)) == {str}:  # str(v) is v
        stripped = np.empty(len(uniq), dtype=object)
        stripped[:] = list(map(str.strip, uniq))
    else:
        stripped = _each(uniq, lambda v: str(v).strip())
    stripped_cells = pd.Series(stripped[codes], index=values.index, dtype=object)
    return _clean(stripped_cells, issues, column, half_width, (codes, stripped))


#: Characters removed from every cell: C0/C1 controls (which XLSX cannot hold), zero-width and direction marks.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[\t\n\r\u00a0\u2000-\u200a\u3000]+")


def clean_text(value: str) -> str:
    """Control and invisible characters removed, other spaces made plain, ends stripped."""
    return _SPACES.sub(" ", INVISIBLE.sub("", value)).strip()


def clean_cells(values: pd.Series, issues=None, column: str = "", half_width: bool = False, distinct=None) -> pd.Series:
    """Cells without control or invisible characters; each change is reported to ``issues`` as a fix.

    With ``half_width``, full-width letters and digits are made half-width too ('Ａ１' → 'A1').  ``distinct``: as
    in :func:`map_unique`.
    """
    return _clean(values, issues, column, half_width, distinct)[0]


def _clean(values: pd.Series, issues, column: str, half_width: bool, distinct) -> tuple:
    """(clean_cells' result, its codes and distinct values)."""
    codes, uniq = distinct if distinct is not None else factorize(values)
    text = joined(uniq)
    if text is not None and not INVISIBLE.search(text) and not _SPACES.search(text):
        tidy = uniq  # nothing to clean
    else:
        tidy = _each(uniq, lambda v: clean_text(v) if INVISIBLE.search(v) or _SPACES.search(v) else v)
    cleaned = pd.Series(tidy[codes], index=values.index, dtype=object)
    changed = cleaned.ne(values) if tidy is not uniq else None
    if issues is not None and changed is not None and changed.any():
        invisible = changed & map_unique(values, lambda v: bool(INVISIBLE.search(v)), (codes, uniq)).astype(bool)
        issues.fix_groups(invisible, column, values, cleaned, Msg("cell.invisible"))
    if half_width:
        text = joined(tidy)
        if text is not None and text.isascii():
            return cleaned, (codes, tidy)  # nothing to narrow
        nfkc = lambda v: unicodedata.normalize("NFKC", v) if not v.isascii() else v  # noqa: E731
        codes, narrow_u = _apply(cleaned, nfkc, (codes, tidy))
        narrow = pd.Series(narrow_u[codes], index=values.index, dtype=object)
        wide = narrow.ne(cleaned)
        if issues is not None and wide.any():
            issues.fix_groups(wide, column, cleaned, narrow, Msg("cell.full_width"))
        return narrow, (codes, narrow_u)
    return cleaned, (codes, tidy)


def factorize_rows(*columns: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Codes of the distinct row-tuples of several object columns, and those tuples."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    uniques = []
    for c in columns:
        k, u = factorize(c)
        codes = codes * (len(u) + 1) + k
        uniques.append(np.asarray(u, dtype=object))
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    arrays = [c.to_numpy(dtype=object) for c in columns]
    tuples = [tuple(a[i] for a in arrays) for i in first]
    return inverse.reshape(-1), tuples
