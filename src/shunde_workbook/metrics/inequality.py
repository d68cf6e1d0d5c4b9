"""Population-weighted inequality of grant money across groups (towns, villages).

Conventions used throughout
---------------------------
``values`` are *amounts per group* (e.g. a town's total grant, in 万元) and
``weights`` the group's population (or any positive size).  The quantity whose
inequality is measured is the amount per unit of weight, ``y_i = v_i / w_i``
(yuan per resident), and each group counts with its population share
``p_i = w_i / W``.  With ``weights=None`` every group weighs 1 and ``y_i = v_i``,
which gives the ordinary unweighted measures.

Amounts must be non-negative with a positive total; weights strictly positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shunde_workbook.metrics._validation import align, paired, positive_total

__all__ = [
    "weighted_lorenz",
    "weighted_gini",
    "theil_t",
    "theil_decomposition",
    "coefficient_of_variation",
]


def _lorenz_points(v: pd.Series, w: pd.Series, func: str):
    positive_total(v, "values", func)
    per = v.to_numpy() / w.to_numpy()
    order = np.argsort(per, kind="stable")
    x = np.concatenate([[0.0], np.cumsum(w.to_numpy()[order])])
    y = np.concatenate([[0.0], np.cumsum(v.to_numpy()[order])])
    x /= x[-1]
    y /= y[-1]
    return order, per, x, y


def weighted_lorenz(values, weights=None) -> pd.DataFrame:
    """Population-weighted Lorenz curve of amount per unit of weight.

    Groups are sorted by ``values / weights`` (ascending); the curve joins
    the cumulative population share and the cumulative amount share.

    Parameters
    ----------
    values : array-like or pandas.Series
        Non-negative amount per group (e.g. town grant totals), positive sum.
    weights : array-like or pandas.Series, optional
        Strictly positive group sizes (e.g. town population).  ``None`` means
        every group weighs 1.  Two Series must share their labels.

    Returns
    -------
    pandas.DataFrame
        ``n + 1`` rows (``RangeIndex``), the first being the origin, with
        columns ``group`` (label of the group added at that step, ``None`` on
        the origin row), ``amount_per_weight`` (NaN on the origin row),
        ``cum_population_share`` and ``cum_amount_share`` (both rising from 0
        to 1).

    Examples
    --------
    >>> weighted_lorenz([30, 10], [1, 1])[["cum_population_share", "cum_amount_share"]]
       cum_population_share  cum_amount_share
    0                   0.0              0.00
    1                   0.5              0.25
    2                   1.0              1.00

    References
    ----------
    Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
    *Publications of the American Statistical Association*, 9(70), 209–219.
    """
    v, w = paired(values, weights, "weighted_lorenz")
    order, per, x, y = _lorenz_points(v, w, "weighted_lorenz")
    groups = [None] + list(v.index[order])
    return pd.DataFrame(
        {
            "group": pd.Series(groups, dtype=object),
            "amount_per_weight": np.concatenate([[np.nan], per[order]]),
            "cum_population_share": x,
            "cum_amount_share": y,
        }
    )


def weighted_gini(values, weights=None) -> float:
    """Population-weighted Gini coefficient of amount per unit of weight.

    Computed from the weighted Lorenz curve (trapezoid rule, exact for a
    piecewise-linear curve)::

        G = 1 - sum_k (X_k - X_{k-1}) * (Y_k + Y_{k-1})

    where ``X_k``/``Y_k`` are the cumulative population and amount shares
    after the k-th poorest group (``X_0 = Y_0 = 0``).  This is the
    "population" Gini (no ``n/(n-1)`` small-sample correction): with unit
    weights it equals ``sum_i sum_j |y_i - y_j| / (2 n^2 mean(y))``, so a
    single recipient among ``n`` equal groups scores ``(n-1)/n``.  Groups
    count with their population, so it equals the unweighted Gini over
    residents when every resident of a group receives the group's per-capita
    amount (within-group inequality is not seen).

    Parameters
    ----------
    values : array-like or pandas.Series
        Non-negative amount per group, positive sum.
    weights : array-like or pandas.Series, optional
        Strictly positive group populations; ``None`` for unit weights.

    Returns
    -------
    float
        In ``[0, 1)``; 0 when every group gets the same amount per resident.

    Examples
    --------
    Two equal-sized towns, one gets 3 times the other (X: 0, .5, 1;
    Y: 0, .25, 1): ``1 - (.5 * .25 + .5 * 1.25) = 0.25``.

    >>> weighted_gini([10, 30])
    0.25

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*.  Weighted form as in
    Cowell, F. (2011). *Measuring Inequality*, 3rd ed., Oxford UP, ch. 2 and
    Technical Appendix.  (pysal's ``inequality.gini`` is unweighted.)
    """
    v, w = paired(values, weights, "weighted_gini")
    _, _, x, y = _lorenz_points(v, w, "weighted_gini")
    return float(1.0 - np.sum(np.diff(x) * (y[1:] + y[:-1])))


def _theil_terms(v: np.ndarray, w: np.ndarray) -> float:
    """Sum s_i ln(s_i / p_i) with 0 ln 0 = 0 (inputs already validated)."""
    s = v / v.sum()
    p = w / w.sum()
    pos = s > 0
    return float(np.sum(s[pos] * np.log(s[pos] / p[pos])))


def theil_t(values, weights=None) -> float:
    """Theil T index (GE(1)) of amount per unit of weight.

    With amount shares ``s_i = v_i / V`` and population shares
    ``p_i = w_i / W``::

        T = sum_i s_i * ln(s_i / p_i) = sum_i p_i (y_i/mu) ln(y_i/mu)

    where ``y_i = v_i / w_i`` and ``mu = V / W``; terms with ``s_i = 0``
    contribute 0.  Unit weights give ``p_i = 1/n``.

    Parameters
    ----------
    values : array-like or pandas.Series
        Non-negative amount per group, positive sum.
    weights : array-like or pandas.Series, optional
        Strictly positive group populations; ``None`` for unit weights.

    Returns
    -------
    float
        In ``[0, ln(W / min w_i)]``; 0 for equal per-capita amounts, ``ln n``
        for a single recipient among ``n`` equal groups.

    Examples
    --------
    Amounts 1, 1, 2 (shares 1/4, 1/4, 1/2; p = 1/3 each):
    ``2 * (1/4) ln(3/4) + (1/2) ln(3/2) = (1/2) ln(9/8)``.

    >>> round(theil_t([1, 1, 2]), 6)
    0.058892

    References
    ----------
    Theil, H. (1967). *Economics and Information Theory*. North-Holland.
    """
    v, w = paired(values, weights, "theil_t")
    positive_total(v, "values", "theil_t")
    return _theil_terms(v.to_numpy(), w.to_numpy())


def theil_decomposition(amounts, groups, weights=None) -> dict:
    """Split Theil T into between-group and within-group parts.

    For units ``i`` (e.g. villages) in groups ``g`` (e.g. towns), with
    ``S_g = sum_{i in g} s_i`` and ``P_g = sum_{i in g} p_i``::

        T_total   = sum_i s_i ln(s_i / p_i)
        T_between = sum_g S_g ln(S_g / P_g)
        T_g       = sum_{i in g} (s_i/S_g) ln((s_i/S_g) / (p_i/P_g))
        T_within  = sum_g S_g T_g
        T_total   = T_between + T_within      (exact identity)

    A group receiving nothing (``S_g = 0``) contributes 0 and has
    ``T_g = NaN``.

    Parameters
    ----------
    amounts : array-like or pandas.Series
        Non-negative amount per unit, positive sum.
    groups : array-like or pandas.Series
        Group label of each unit, same length (and labels, if both are
        Series) as ``amounts``; no missing labels.
    weights : array-like or pandas.Series, optional
        Strictly positive unit populations; ``None`` for unit weights.

    Returns
    -------
    dict
        ``total``, ``between``, ``within`` (floats), ``between_share``
        (``between / total``, NaN when total is 0) and ``groups``: a
        DataFrame indexed by group label with columns ``amount_share``
        (``S_g``), ``population_share`` (``P_g``), ``theil_within`` (``T_g``)
        and ``within_contribution`` (``S_g T_g``).

    Examples
    --------
    Villages 1, 1 in town A and 2, 4 in town B (unit weights):
    total ``= (1/4) ln 2``, between ``= (3/4) ln 3 - ln 2``,
    within ``= (5/4) ln 2 - (3/4) ln 3``.

    >>> d = theil_decomposition([1, 1, 2, 4], ["A", "A", "B", "B"])
    >>> round(d["total"], 6), round(d["between"] + d["within"], 6)
    (0.173287, 0.173287)

    References
    ----------
    Shorrocks, A. F. (1980). The class of additively decomposable inequality
    measures. *Econometrica*, 48(3), 613–625.
    """
    func = "theil_decomposition"
    v, w = paired(amounts, weights, func, values_name="amounts")
    positive_total(v, "amounts", func)
    if isinstance(groups, pd.Series):
        g = groups
    else:
        garr = np.asarray(groups, dtype=object)
        if garr.ndim != 1:
            raise ValueError(f"{func}: groups must be 1-D, got shape {garr.shape}")
        g = pd.Series(garr)
    g = align(amounts, v, groups, g, func, "amounts", "groups")
    g = pd.Series(g.to_numpy(), index=v.index)
    if g.isna().any():
        raise ValueError(f"{func}: groups has missing labels at {list(v.index[g.isna().to_numpy()])[:10]}")

    s = v / v.sum()
    p = w / w.sum()
    total = _theil_terms(v.to_numpy(), w.to_numpy())
    rows = {}
    for label, idx in g.groupby(g, sort=True).groups.items():
        sg = float(s[idx].sum())
        pg = float(p[idx].sum())
        tg = _theil_terms(v[idx].to_numpy(), w[idx].to_numpy()) if sg > 0 else np.nan
        rows[label] = {
            "amount_share": sg,
            "population_share": pg,
            "theil_within": tg,
            "within_contribution": sg * tg if sg > 0 else 0.0,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    sg_arr = table["amount_share"].to_numpy()
    pg_arr = table["population_share"].to_numpy()
    pos = sg_arr > 0
    between = float(np.sum(sg_arr[pos] * np.log(sg_arr[pos] / pg_arr[pos])))
    within = float(table["within_contribution"].sum())
    return {
        "total": total,
        "between": between,
        "within": within,
        "between_share": between / total if total > 0 else float("nan"),
        "groups": table,
    }


def coefficient_of_variation(values, weights=None) -> float:
    """Population-weighted coefficient of variation of amount per unit of weight.

    ``CV = sigma / mu`` with ``mu = sum_i p_i y_i`` (= ``V / W``) and
    ``sigma^2 = sum_i p_i (y_i - mu)^2``: a *population* standard deviation
    (ddof = 0, no Bessel correction; the groups are the whole population of
    towns, not a sample).  With unit weights this is
    ``numpy.std(values, ddof=0) / numpy.mean(values)``.

    For the population-weighted CV of money per resident pass the towns'
    *amounts* and *populations*: ``coefficient_of_variation(amount, population)``.
    Passing per-resident figures without weights gives the unweighted CV
    over towns, in which a small town counts as much as a large one.

    Parameters
    ----------
    values : array-like or pandas.Series
        Non-negative amount per group, positive sum.
    weights : array-like or pandas.Series, optional
        Strictly positive group populations; ``None`` for unit weights.

    Returns
    -------
    float
        Non-negative; 0 when all per-capita amounts are equal.

    Examples
    --------
    Amounts 1 and 3: mean 2, population std 1, CV 0.5.

    >>> coefficient_of_variation([1, 3])
    0.5

    Towns of 1 and 3 residents receiving 1 and 9 (1 and 3 per resident):
    ``mu = (1*1 + 3*3)/4 = 2.5``, ``sigma^2 = (1*1.5^2 + 3*0.5^2)/4 = 0.75``.

    >>> round(coefficient_of_variation([1, 9], [1, 3]), 9) == round(0.75 ** 0.5 / 2.5, 9)
    True

    References
    ----------
    Cowell, F. (2011). *Measuring Inequality*, 3rd ed., Oxford UP, ch. 2.
    """
    v, w = paired(values, weights, "coefficient_of_variation")
    positive_total(v, "values", "coefficient_of_variation")
    y = v.to_numpy() / w.to_numpy()
    p = w.to_numpy() / w.to_numpy().sum()
    mu = float(np.sum(p * y))
    var = float(np.sum(p * (y - mu) ** 2))
    return float(np.sqrt(var) / mu)
