"""Input checks shared by the metric modules.

Every public metric funnels its inputs through these helpers so the error
messages are uniform: they name the function, the argument and, where it
helps, the offending labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from shunde_workbook.metrics.numeric import as_series, labels  # noqa: F401 - as_series is part of this API


def paired(
    values: Iterable[float] | pd.Series | np.ndarray,
    weights: Iterable[float] | pd.Series | np.ndarray | None,
    func: str,
    *,
    values_name: str = "values",
    weights_name: str = "weights",
) -> tuple[pd.Series, pd.Series]:
    """Validate amounts and (optional) strictly positive weights as aligned Series.

    ``weights=None`` means unit weights.  Two Series must carry the same
    labels (order may differ; weights are re-ordered to match values).
    """
    v = as_series(values, values_name, func)
    if weights is None:
        return v, pd.Series(np.ones(len(v)), index=v.index)
    w = as_series(weights, weights_name, func)
    w = align(values, v, weights, w, func, values_name, weights_name)
    wv = w.to_numpy()
    if wv.sum() == 0:
        raise ValueError(f"{func}: {weights_name} sum to zero (total weight must be positive)")
    zero = wv == 0
    if zero.any():
        raise ValueError(
            f"{func}: {weights_name} must be strictly positive (amount per unit of weight "
            f"is undefined); zero at {labels(v.index, zero)}"
        )
    return v, w


def align(
    ref_raw: object,
    ref: pd.Series,
    other_raw: object,
    other: pd.Series,
    func: str,
    ref_name: str,
    other_name: str,
) -> pd.Series:
    """Return ``other`` indexed like ``ref``.

    If both raw inputs were Series their labels must match as sets (order may
    differ); otherwise lengths must match and ``other`` takes ``ref``'s index.
    """
    if len(other) != len(ref):
        raise ValueError(f"{func}: length mismatch: {ref_name} has {len(ref)} entries, {other_name} has {len(other)}")
    if isinstance(ref_raw, pd.Series) and isinstance(other_raw, pd.Series):
        if ref.index.equals(other.index):
            return other
        if set(ref.index) != set(other.index) or ref.index.has_duplicates or other.index.has_duplicates:
            only_r = [x for x in ref.index if x not in set(other.index)]
            only_o = [x for x in other.index if x not in set(ref.index)]
            raise ValueError(
                f"{func}: {ref_name} and {other_name} have different labels "
                f"(only in {ref_name}: {only_r[:10]}; only in {other_name}: {only_o[:10]})"
            )
        return other.reindex(ref.index)
    return pd.Series(other.to_numpy(), index=ref.index, name=other.name)


def positive_total(s: pd.Series, name: str, func: str) -> float:
    """Sum of a validated non-negative Series; ``ValueError`` if it is zero."""
    total = float(s.sum())
    if total <= 0:
        raise ValueError(f"{func}: {name} sum to zero; shares are undefined")
    return total


def check_total(total: float, func: str) -> float:
    """A finite, non-negative amount to allocate."""
    try:
        t = float(total)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: total must be a number, got {total!r}") from None
    if not math.isfinite(t):
        raise ValueError(f"{func}: total must be finite, got {total!r}")
    if t < 0:
        raise ValueError(f"{func}: total must be non-negative, got {total!r}")
    return t
