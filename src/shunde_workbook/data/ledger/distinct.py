"""Per-distinct-value helpers: Python runs once per distinct cell value, never once per row."""

from __future__ import annotations

import numpy as np
import pandas as pd


def map_unique(values: pd.Series, fn) -> pd.Series:
    """Fn applied once per distinct value (C-speed factorize, Python only over the distinct values)."""
    codes, uniq = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(u) for u in uniq]
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def strip_cells(values: pd.Series) -> pd.Series:
    """Cells as stripped str (object dtype), computed once per distinct value."""
    return map_unique(values, lambda v: str(v).strip())


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
