"""A composite need index for towns, the allocation it implies, and the gap.

Missing data convention: a town missing a value in any column the index
uses gets ``NaN`` (the notebook shows "no data") and a
:class:`MissingDataWarning` names it; the other towns are scored on their own
data.  Functions further down the chain either refuse NaN or pass it through,
as documented per function.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from shunde_workbook.errors import MissingDataWarning, closest
from shunde_workbook.metrics._validation import align, as_series, check_total

__all__ = ["need_index", "target_allocation", "distance_from_target", "MissingDataWarning"]


def _check_weights(towns: pd.DataFrame, weights: Mapping[str, float]) -> dict[str, float]:
    func = "need_index"
    if not isinstance(weights, Mapping) or len(weights) == 0:
        raise ValueError(f"{func}: weights must be a non-empty mapping of column -> weight")
    available = [str(c) for c in towns.columns]
    for col in weights:
        if col not in towns.columns:
            close = closest(col, available, cutoff=0.6)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise ValueError(f"{func}: unknown column {col!r}{hint}. Available columns: {available}")
    clean: dict[str, float] = {}
    for col, wt in weights.items():
        try:
            x = float(wt)
        except (TypeError, ValueError):
            raise ValueError(f"{func}: weight for {col!r} must be a number, got {wt!r}") from None
        if not math.isfinite(x) or x < 0:
            raise ValueError(f"{func}: weight for {col!r} must be finite and >= 0, got {wt!r}")
        clean[col] = x
    total = sum(clean.values())
    if total <= 0:
        raise ValueError(f"{func}: weights sum to zero; give at least one positive weight")
    return {c: x / total for c, x in clean.items() if x > 0}


def need_index(
    towns: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    method: str = "share",
) -> pd.Series:
    """Weighted composite need score per town.

    ``need_t = sum_c (w_c / sum w) * norm_c(x_{t,c})`` over the columns ``c``
    named in ``weights``.  Weights are renormalised to sum to 1; columns with
    weight 0 are ignored entirely.

    Normalisation (``method``):

    * ``"share"`` (default): ``x_{t,c} / sum_t x_{t,c}``, the town's share of
      the column total.  The index then sums to 1 over towns with data and
      can be used directly as allocation shares.
    * ``"minmax"``: ``(x - min) / (max - min)`` in ``[0, 1]``; good for
      ranking, but the lowest town on every column scores 0.  A constant
      column carries no information and scores 0 for every town.

    Totals, minima and maxima are taken over the towns with complete data.

    Parameters
    ----------
    towns : pandas.DataFrame
        One row per town (index = town), numeric, non-negative columns such
        as ``population``, ``village_units`` or any added indicator.
    weights : mapping of str to float
        Column name -> non-negative weight, e.g.
        ``{"population": 0.6, "village_units": 0.4}``.
    method : {"share", "minmax"}, default "share"

    Returns
    -------
    pandas.Series
        Named ``"need_index"``, indexed like ``towns``.  ``NaN`` for a town
        missing any used column (with a :class:`MissingDataWarning`).

    Raises
    ------
    ValueError
        Unknown column (message names the closest match and the available
        columns), non-numeric or negative column, bad weights, zero column
        total (``"share"``), or no town with complete data.

    Examples
    --------
    Populations 100/300 (shares .25/.75), village units 3/1 (.75/.25):
    A = .6*.25 + .4*.75 = .45, B = .6*.75 + .4*.25 = .55.

    >>> t = pd.DataFrame({"population": [100, 300], "village_units": [3, 1]}, index=["A", "B"])
    >>> need_index(t, {"population": 0.6, "village_units": 0.4}).round(6).tolist()
    [0.45, 0.55]

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, §5
    (normalisation) and §6 (weighting).
    """
    func = "need_index"
    if not isinstance(towns, pd.DataFrame):
        raise ValueError(f"{func}: towns must be a pandas DataFrame, got {type(towns).__name__}")
    if method not in ("share", "minmax"):
        raise ValueError(f"{func}: method must be 'share' or 'minmax', got {method!r}")
    w = _check_weights(towns, weights)
    if len(towns) == 0:
        raise ValueError(f"{func}: towns is empty")

    cols = {c: as_series(towns[c], f"column {c!r}", func, allow_nan=True) for c in w}
    data = pd.DataFrame(cols, index=towns.index)
    missing = data.isna()
    incomplete = missing.any(axis=1).to_numpy()
    if incomplete.all():
        raise ValueError(f"{func}: no town has data in all of {list(w)}")
    if incomplete.any():
        detail = "; ".join(f"{t!r} (missing {[c for c in w if missing.at[t, c]]})" for t in towns.index[incomplete])
        warnings.warn(
            f"{func}: no data for {detail}; their need index is NaN",
            MissingDataWarning,
            stacklevel=2,
        )
    complete = data[~incomplete]
    score = np.zeros(len(towns))
    for c, wt in w.items():
        col = complete[c]
        if method == "share":
            tot = float(col.sum())
            if tot <= 0:
                raise ValueError(f"{func}: column {c!r} sums to zero over towns with data")
            norm = col / tot
        else:
            lo, hi = float(col.min()), float(col.max())
            norm = (col - lo) / (hi - lo) if hi > lo else col * 0.0
        score[~incomplete] += wt * norm.to_numpy()
    score[incomplete] = np.nan
    return pd.Series(score, index=towns.index, name="need_index")


def target_allocation(total: float, need, *, missing: str = "raise") -> pd.Series:
    """Split ``total`` in proportion to need: ``target_t = total * need_t / sum need``.

    Parameters
    ----------
    total : float
        Amount to allocate (e.g. 5900 万元), finite and non-negative.
    need : pandas.Series or array-like
        Non-negative need score per town with a positive sum.
    missing : {"raise", "exclude"}, default "raise"
        What to do with ``NaN`` need.  ``"raise"``: ``ValueError`` naming the
        towns.  ``"exclude"``: those towns get ``NaN`` target and ``total`` is
        shared among the towns with a score (a :class:`MissingDataWarning`
        says so).

    Returns
    -------
    pandas.Series
        Named ``"target"``, indexed like ``need``; non-NaN entries sum to
        ``total``.

    Examples
    --------
    >>> target_allocation(3100, pd.Series([0.45, 0.55], index=["A", "B"])).round(6).tolist()
    [1395.0, 1705.0]

    References
    ----------
    Proportional ("formula") allocation, e.g. Smith, P. C. (2007). Formula
    funding of public services. Routledge, ch. 1.
    """
    func = "target_allocation"
    t = check_total(total, func)
    if missing not in ("raise", "exclude"):
        raise ValueError(f"{func}: missing must be 'raise' or 'exclude', got {missing!r}")
    s = as_series(need, "need", func, allow_nan=(missing == "exclude"))
    nan = s.isna().to_numpy()
    if nan.all():
        raise ValueError(f"{func}: need is NaN for every town")
    if nan.any():
        warnings.warn(
            f"{func}: no need score for {list(s.index[nan])}; their target is NaN and "
            f"the total is shared among the other towns",
            MissingDataWarning,
            stacklevel=2,
        )
    denom = float(s[~nan].sum())
    if denom <= 0:
        raise ValueError(f"{func}: need sums to zero; shares are undefined")
    out = t * s / denom
    out.name = "target"
    return out


def distance_from_target(actual, target) -> pd.Series:
    """Relative gap to target: ``(actual - target) / target``.

    +0.25 means 25 % above target, -0.5 half of it.  ``NaN`` in either
    input (a town with "no data") passes through as ``NaN``.

    Parameters
    ----------
    actual : pandas.Series or array-like
        Non-negative actual amount per town.
    target : pandas.Series or array-like
        Strictly positive target per town (``NaN`` allowed).  Two Series must
        carry the same labels; the result follows ``actual``'s order.

    Returns
    -------
    pandas.Series
        Named ``"distance_from_target"``, indexed like ``actual``.

    Raises
    ------
    ValueError
        Length or label mismatch, negative amounts, zero target (the gap is
        undefined).

    Examples
    --------
    Actual 150 vs target 100 -> +0.5; actual 50 vs target 100 -> -0.5.

    >>> distance_from_target([150, 50], [100, 100]).tolist()
    [0.5, -0.5]

    References
    ----------
    Relative deviation from a needs-based benchmark, cf. Smith (2007),
    *Formula funding of public services*, ch. 9.
    """
    func = "distance_from_target"
    a = as_series(actual, "actual", func, allow_nan=True)
    t = as_series(target, "target", func, allow_nan=True)
    t = align(actual, a, target, t, func, "actual", "target")
    zero = (t == 0).to_numpy()
    if zero.any():
        raise ValueError(f"{func}: target is zero for {list(a.index[zero])}; relative gap undefined")
    out = (a - t) / t
    out.name = "distance_from_target"
    return out
