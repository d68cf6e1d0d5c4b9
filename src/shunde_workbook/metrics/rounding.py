"""Largest-remainder (Hamilton) rounding: round parts to whole units while keeping their total.

One implementation for the whole workbook: allocation rules round amounts to whole 万元 with
:func:`round_largest_remainder` (re-exported by :mod:`shunde_workbook.metrics`), and the simulator splits
project counts across years with :func:`apportion`.  Depends only on numpy and pandas.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from shunde_workbook.metrics.numeric import as_series

__all__ = ["apportion", "round_largest_remainder"]


def round_largest_remainder(allocation, unit: float = 1.0) -> pd.Series:
    """Round amounts to multiples of ``unit`` keeping their sum.

    Each amount is floored to a multiple of ``unit``; the units left over
    (``round(sum / unit) - sum(floors)``) go one each to the amounts with
    the largest remainders.  Equal remainders are broken in favour of the
    earlier position.

    Parameters
    ----------
    allocation : pandas.Series or array-like
        Non-negative amounts whose sum is a whole multiple of ``unit``
        (relative tolerance 1e-9).
    unit : float, default 1.0
        Rounding step, e.g. 1 for whole 万元 when amounts are in 万元.

    Returns
    -------
    pandas.Series
        Indexed like ``allocation``; multiples of ``unit``; same sum.

    Raises
    ------
    ValueError
        If ``allocation`` is not 1-D, empty, not numeric, has missing, infinite or negative values, if
        ``unit`` is not a positive number, or if the sum is not a whole multiple of ``unit``.

    Examples
    --------
    2.6, 3.3, 4.1 (sum 10): floors 2, 3, 4 leave one unit, which goes to the
    largest remainder (.6).

    >>> round_largest_remainder([2.6, 3.3, 4.1]).tolist()
    [3.0, 3.0, 4.0]

    References
    ----------
    Balinski, M. L. & Young, H. P. (2001). *Fair Representation*, 2nd ed.,
    Brookings, ch. 2 (Hamilton's method).
    """
    func = "round_largest_remainder"
    s = as_series(allocation, "allocation", func)
    try:
        u = float(unit)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: unit must be a positive number, got {unit!r}") from None
    if not math.isfinite(u) or u <= 0:
        raise ValueError(f"{func}: unit must be a positive number, got {unit!r}")
    q = s.to_numpy() / u
    n_units = q.sum()
    whole = round(n_units)
    if abs(n_units - whole) > 1e-9 * max(1.0, abs(n_units)):
        raise ValueError(
            f"{func}: total {s.sum()!r} is not a whole multiple of unit {u!r}; rounding cannot preserve it"
        )
    base = np.floor(q)
    left = int(whole - base.sum())
    rem = q - base
    order = np.argsort(-rem, kind="stable")
    bump = np.zeros(len(q))
    bump[order[:left]] = 1.0
    return pd.Series((base + bump) * u, index=s.index, name=s.name)


def apportion(total: int, weights: Mapping[Hashable, float]) -> dict:
    """Split a whole number ``total`` in proportion to ``weights`` (largest-remainder rounding).

    Parameters
    ----------
    total : int
        What to split, e.g. a number of projects.
    weights : mapping
        Key → non-negative weight (at least one positive); need not sum to 1.

    Returns
    -------
    dict
        Key → int, in the order of ``weights``; the values sum to ``total``.

    Examples
    --------
    >>> apportion(10, {2019: 1, 2020: 1, 2021: 1})
    {2019: 4, 2020: 3, 2021: 3}
    """
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    counts = round_largest_remainder(w / w.sum() * total)
    return dict(zip(keys, counts.astype(np.int64).tolist(), strict=False))
