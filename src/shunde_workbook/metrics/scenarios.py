"""Allocation rules for a plan total (e.g. the 2023 plan of 5,900 万元) across towns.

Every rule returns a Series indexed like its input that sums to ``total``
(to float precision) and is non-negative.  Pass ``round_to=1`` (amounts in
万元) to get whole-万元 amounts: the allocation is rounded by the
largest-remainder (Hamilton) method, so the rounded amounts still sum
exactly to ``total`` and each differs from the unrounded one by less than
``round_to``.  ``total`` must then be a whole multiple of ``round_to``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from shunde_workbook.errors import MissingDataWarning
from shunde_workbook.metrics._validation import align, as_series, check_total, positive_total
from shunde_workbook.metrics.rounding import round_largest_remainder  # re-exported: one implementation for the workbook

__all__ = [
    "round_largest_remainder",
    "historical_shares",
    "equal_per_unit",
    "per_resident",
    "need_weighted",
    "floor_plus_formula",
    "compare_scenarios",
    "with_floor_share",
    "RULES",
]

#: Column names of :func:`compare_scenarios`, in order.
RULES = ("historical", "equal_per_unit", "per_resident", "need_weighted", "floor_plus_need")


def _finish(alloc: pd.Series, round_to: float | None, name: str) -> pd.Series:
    if round_to is not None:
        alloc = round_largest_remainder(alloc, round_to)
    alloc.name = name
    return alloc


def _proportional(total: float, weights: pd.Series, weights_name: str, func: str) -> pd.Series:
    denom = positive_total(weights, weights_name, func)
    return total * weights / denom


def historical_shares(total: float, past_amounts, *, round_to: float | None = None) -> pd.Series:
    """Allocate ``total`` in the towns' shares of past funding.

    ``alloc_t = total * past_t / sum past``.

    Parameters
    ----------
    total : float
        Plan total (e.g. 5900 万元), finite, non-negative.
    past_amounts : pandas.Series or array-like
        Non-negative past amount per town, positive sum.
    round_to : float, optional
        Round to multiples of this (largest remainder), see module docs.

    Returns
    -------
    pandas.Series
        Named ``"historical"``, indexed like ``past_amounts``, sums to ``total``.

    Examples
    --------
    Past 100/200/200 -> shares .2/.4/.4 of 5900.

    >>> historical_shares(5900, [100, 200, 200]).tolist()
    [1180.0, 2360.0, 2360.0]

    References
    ----------
    Incremental ("base-share") budgeting, cf. Wildavsky, A. (1964). *The
    Politics of the Budgetary Process*.
    """
    func = "historical_shares"
    t = check_total(total, func)
    past = as_series(past_amounts, "past_amounts", func)
    return _finish(_proportional(t, past, "past_amounts", func), round_to, "historical")


def equal_per_unit(total: float, units, *, round_to: float | None = None) -> pd.Series:
    """Equal amount per 村(社区): ``alloc_t = total * units_t / sum units``.

    Parameters
    ----------
    total : float
        Plan total, finite, non-negative.
    units : pandas.Series or array-like
        Number of 村(社区) per town (non-negative, positive sum).
    round_to : float, optional
        Round to multiples of this (largest remainder).

    Returns
    -------
    pandas.Series
        Named ``"equal_per_unit"``, indexed like ``units``, sums to ``total``.

    Examples
    --------
    100 over towns with 1 and 3 villages: 25 per village.

    >>> equal_per_unit(100, [1, 3]).tolist()
    [25.0, 75.0]

    References
    ----------
    Flat per-unit grants, cf. Smith (2007), *Formula funding of public
    services*, ch. 1.
    """
    func = "equal_per_unit"
    t = check_total(total, func)
    u = as_series(units, "units", func)
    return _finish(_proportional(t, u, "units", func), round_to, "equal_per_unit")


def per_resident(
    total: float,
    population,
    *,
    missing: str = "raise",
    units=None,
    round_to: float | None = None,
) -> pd.Series:
    """Equal amount per resident: ``alloc_t = total * pop_t / sum pop``.

    Parameters
    ----------
    total : float
        Plan total, finite, non-negative.
    population : pandas.Series or array-like
        Residents per town; ``NaN`` marks unknown population.
    missing : {"raise", "fallback_units"}, default "raise"
        ``"raise"``: ``ValueError`` naming towns with unknown population.
        ``"fallback_units"``: a town with unknown population gets what it
        would get under :func:`equal_per_unit`
        (``total * units_t / sum units``, all towns' units); the remainder
        is split per resident among the towns with known population.  The
        fallback towns are listed in ``result.attrs["fallback_towns"]`` and
        in a :class:`MissingDataWarning`.
    units : pandas.Series or array-like, optional
        村(社区) count per town, required for ``"fallback_units"``.
    round_to : float, optional
        Round to multiples of this (largest remainder).

    Returns
    -------
    pandas.Series
        Named ``"per_resident"``, indexed like ``population``, sums to
        ``total``; ``attrs["fallback_towns"]`` is a (possibly empty) list.

    Examples
    --------
    Populations 100/NaN/300, units 2/1/1, total 1000: the unknown town gets
    1000 * 1/4 = 250; the other 750 go 1:3 -> 187.5 and 562.5.

    >>> per_resident(1000, [100, np.nan, 300], missing="fallback_units",
    ...              units=[2, 1, 1]).tolist()
    [187.5, 250.0, 562.5]

    References
    ----------
    Per-capita formula grants, cf. Smith (2007), *Formula funding of public
    services*, ch. 1.
    """
    func = "per_resident"
    t = check_total(total, func)
    if missing not in ("raise", "fallback_units"):
        raise ValueError(f"{func}: missing must be 'raise' or 'fallback_units', got {missing!r}")
    pop = as_series(population, "population", func, allow_nan=True)
    nan = pop.isna().to_numpy()
    if nan.any() and missing == "raise":
        raise ValueError(
            f"{func}: population is missing (NaN) for {list(pop.index[nan])}; fill it in or "
            f"pass missing='fallback_units' with units= to allocate those towns per 村(社区)"
        )
    fallback: list = []
    if not nan.any():
        alloc = _proportional(t, pop, "population", func)
    else:
        if units is None:
            raise ValueError(f"{func}: missing='fallback_units' needs the units argument")
        u = as_series(units, "units", func)
        u = align(population, pop, units, u, func, "population", "units")
        unit_total = positive_total(u, "units", func)
        fallback = list(pop.index[nan])
        alloc = pd.Series(0.0, index=pop.index)
        alloc[nan] = t * u[nan] / unit_total
        rest = t - float(alloc[nan].sum())
        known = pop[~nan]
        if len(known):
            alloc[~nan] = _proportional(rest, known, "population of towns with data", func)
        warnings.warn(
            f"{func}: population unknown for {fallback}; allocated them per 村(社区) "
            f"(equal_per_unit) and the rest per resident",
            MissingDataWarning,
            stacklevel=2,
        )
    out = _finish(alloc, round_to, "per_resident")
    out.attrs["fallback_towns"] = fallback
    return out


def need_weighted(total: float, need, *, round_to: float | None = None) -> pd.Series:
    """Allocate in proportion to a need score: ``total * need_t / sum need``.

    Parameters
    ----------
    total : float
        Plan total, finite, non-negative.
    need : pandas.Series or array-like
        Non-negative need score per town (e.g. from
        :func:`shunde_workbook.metrics.need.need_index`), no ``NaN``.
    round_to : float, optional
        Round to multiples of this (largest remainder).

    Returns
    -------
    pandas.Series
        Named ``"need_weighted"``, indexed like ``need``, sums to ``total``.

    Examples
    --------
    >>> need_weighted(3100, [0.45, 0.55]).round(6).tolist()
    [1395.0, 1705.0]

    References
    ----------
    Needs-based formula funding, Smith (2007), ch. 3.
    """
    func = "need_weighted"
    t = check_total(total, func)
    n = as_series(need, "need", func)
    return _finish(_proportional(t, n, "need", func), round_to, "need_weighted")


def floor_plus_formula(total: float, floor_share: float, formula_shares, *, round_to: float | None = None) -> pd.Series:
    """Equal floor for every town plus the rest by formula.

    ``alloc_t = floor_share * total / n + (1 - floor_share) * total * f_t / sum f``
    for ``n`` towns and formula weights ``f`` (renormalised, so they need
    not sum to 1).  Every town gets at least ``floor_share * total / n``
    (with ``round_to``, at least that minus less than one ``round_to``).

    Parameters
    ----------
    total : float
        Plan total, finite, non-negative.
    floor_share : float
        Fraction of ``total`` split equally, in ``[0, 1]``.
    formula_shares : pandas.Series or array-like
        Non-negative formula weights per town, positive sum.
    round_to : float, optional
        Round to multiples of this (largest remainder).

    Returns
    -------
    pandas.Series
        Named ``"floor_plus_formula"``, indexed like ``formula_shares``,
        sums to ``total``.

    Examples
    --------
    1000 with a 30 % floor over 2 towns: 150 each; the other 700 split 1:3
    (175, 525) -> 325, 675.

    >>> floor_plus_formula(1000, 0.3, [1, 3]).tolist()
    [325.0, 675.0]

    References
    ----------
    "Fixed sum plus formula" designs, e.g. Smith (2007), ch. 3.
    """
    func = "floor_plus_formula"
    t = check_total(total, func)
    try:
        fs = float(floor_share)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: floor_share must be a number in [0, 1], got {floor_share!r}") from None
    if not (0.0 <= fs <= 1.0):
        raise ValueError(f"{func}: floor_share must be in [0, 1], got {floor_share!r}")
    f = as_series(formula_shares, "formula_shares", func)
    floor = fs * t / len(f)
    alloc = floor + _proportional((1.0 - fs) * t, f, "formula_shares", func)
    return _finish(alloc, round_to, "floor_plus_formula")


def compare_scenarios(
    total: float,
    town_table: pd.DataFrame,
    past_amounts: pd.Series,
    need: pd.Series,
    floor_share: float = 0.3,
    *,
    population_col: str = "population",
    units_col: str = "village_units",
    missing: str = "raise",
    round_to: float | None = None,
) -> pd.DataFrame:
    """All allocation rules side by side, with the shift from historical shares.

    Rules (columns, in :data:`RULES` order): ``historical``
    (:func:`historical_shares`), ``equal_per_unit``, ``per_resident``
    (with ``missing`` / units fallback), ``need_weighted`` and
    ``floor_plus_need`` (:func:`floor_plus_formula` with ``need`` as the
    formula).  Then ``shift_<rule> = <rule> - historical`` for each
    non-historical rule: the change a town would see against simply
    re-using its past share of the same total.

    Parameters
    ----------
    total : float
        Plan total (e.g. 5900, or 3100 / 2800 per programme).
    town_table : pandas.DataFrame
        One row per town with ``population_col`` and ``units_col``.
    past_amounts, need : pandas.Series
        Per town, with the same labels as ``town_table`` (any order).
    floor_share : float, default 0.3
        Floor fraction for ``floor_plus_need``.
    population_col, units_col : str
        Column names in ``town_table``.
    missing : {"raise", "fallback_units"}, default "raise"
        Passed to :func:`per_resident`.
    round_to : float, optional
        Round every rule to multiples of this (largest remainder).

    Returns
    -------
    pandas.DataFrame
        Index = ``town_table.index``; 5 allocation columns, each summing to
        ``total``, and 4 ``shift_*`` columns, each summing to 0.
        ``attrs["fallback_towns"]`` lists towns whose ``per_resident``
        amount used the units fallback.

    Examples
    --------
    See ``tests/test_metrics_scenarios.py::test_compare_scenarios_known_answer``.

    References
    ----------
    Smith, P. C. (2007). *Formula funding of public services*. Routledge.
    """
    func = "compare_scenarios"
    if not isinstance(town_table, pd.DataFrame):
        raise ValueError(f"{func}: town_table must be a DataFrame")
    for col in (population_col, units_col):
        if col not in town_table.columns:
            raise ValueError(
                f"{func}: town_table has no column {col!r}; columns: {[str(c) for c in town_table.columns]}"
            )
    idx = town_table.index
    ref = pd.Series(np.zeros(len(idx)), index=idx)
    past = align(
        ref, ref, past_amounts, as_series(past_amounts, "past_amounts", func), func, "town_table", "past_amounts"
    )
    nd = align(ref, ref, need, as_series(need, "need", func), func, "town_table", "need")
    pop = town_table[population_col]
    units = town_table[units_col]
    resident = per_resident(total, pop, missing=missing, units=units, round_to=round_to)
    res = pd.DataFrame(
        {
            "historical": historical_shares(total, past, round_to=round_to),
            "equal_per_unit": equal_per_unit(total, units, round_to=round_to),
            "per_resident": resident,
            "need_weighted": need_weighted(total, nd, round_to=round_to),
        },
        index=idx,
    )
    res.attrs["fallback_towns"] = list(resident.attrs["fallback_towns"])
    return with_floor_share(res, total, nd, floor_share, round_to=round_to)


def with_floor_share(
    compared: pd.DataFrame, total: float, need: pd.Series, floor_share: float, *, round_to: float | None = None
) -> pd.DataFrame:
    """A :func:`compare_scenarios` table with ``floor_plus_need`` for ``floor_share``, and every shift.

    ``compared`` holds at least the other four rules (a table of :func:`compare_scenarios` for the same
    total, need and ``round_to``, with any floor share); only the floor rule depends on the floor share,
    so a sweep of floor shares computes the others once and gets the same numbers.
    """
    res = compared[list(RULES[:-1])].copy()
    nd = need.reindex(res.index) if isinstance(need, pd.Series) else need
    res["floor_plus_need"] = floor_plus_formula(total, floor_share, nd, round_to=round_to)
    for rule in RULES[1:]:
        res[f"shift_{rule}"] = res[rule] - res["historical"]
    res.attrs = {"fallback_towns": list(compared.attrs.get("fallback_towns", []))}
    return res
