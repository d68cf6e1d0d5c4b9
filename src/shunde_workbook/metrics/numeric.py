"""Checked numeric inputs: one place that turns arrays, lists and Series into clean float Series.

Used by the metrics library and by :mod:`shunde_workbook.metrics.rounding`, so that every function reports a
bad input the same way: the function, the argument and, where it helps, the offending labels.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def labels(index: pd.Index, mask: np.ndarray, limit: int = 10) -> str:
    """The labels where ``mask`` is true, for an error message (at most ``limit``, then a count)."""
    bad = list(index[mask])
    text = ", ".join(repr(x) for x in bad[:limit])
    if len(bad) > limit:
        text += f", … ({len(bad) - limit} more)"
    return text


def as_series(
    x: Iterable[float] | pd.Series | np.ndarray,
    name: str,
    func: str,
    *,
    allow_nan: bool = False,
    allow_negative: bool = False,
) -> pd.Series:
    """Return ``x`` as a 1-D float Series, raising ``ValueError`` if invalid.

    Arrays and lists get a ``RangeIndex``; a Series keeps its index.
    """
    if isinstance(x, pd.DataFrame):
        raise ValueError(f"{func}: {name} must be 1-D (a Series or array), got a DataFrame")
    if isinstance(x, pd.Series):
        s = x
    else:
        arr = np.asarray(x)
        if arr.ndim != 1:
            raise ValueError(f"{func}: {name} must be 1-D, got shape {arr.shape}")
        s = pd.Series(arr)
    if len(s) == 0:
        raise ValueError(f"{func}: {name} is empty")
    if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        raise ValueError(f"{func}: {name} must be numeric, got dtype {s.dtype}")
    out = pd.Series(s.to_numpy(dtype=float, na_value=np.nan), index=s.index, name=s.name)
    values = out.to_numpy()
    nan = np.isnan(values)
    if nan.any() and not allow_nan:
        raise ValueError(f"{func}: {name} contains missing values (NaN) at {labels(out.index, nan)}")
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(f"{func}: {name} contains infinite values at {labels(out.index, inf)}")
    neg = values < 0  # NaN compares False
    if neg.any() and not allow_negative:
        raise ValueError(f"{func}: {name} must be non-negative; negative at {labels(out.index, neg)}")
    return out
