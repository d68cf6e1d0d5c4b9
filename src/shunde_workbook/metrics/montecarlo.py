"""Every town-level and district metric for many Monte Carlo draws at once (pure numpy).

Inputs are arrays with one row per draw and one column per town, in a fixed
town order (``D`` draws, ``T`` towns, ``P`` programmes, ``O`` organisations):

* ``amount`` (D, T): grant money per town (元);
* ``population`` (D, T): residents per town, ``NaN`` where a town has no figure;
* ``units`` (T,): 村(社区) per town;
* ``org_totals`` (D, O): money per recipient organisation (zeros allowed);
* ``need_columns``: column name -> (D, T) or (T,) values, ``need_weights`` (D, C) or (C,);
* ``plan_totals`` (P,) and ``past`` (D, P, T): the plan per programme and each
  programme's past money per town, for the allocation scenarios.

A single draw (``D = 1``) gives the same numbers as the point functions of
:mod:`shunde_workbook.metrics` (checked in ``tests/test_metrics_montecarlo.py``).

**Population basis.** Every population-based quantity (``pop_share``,
``amount_share``, ``per_resident``, Gini, Theil, CV) is computed over the towns
*with a population in that draw*; the others get ``NaN`` and count neither in
numerators nor in denominators.  ``amount_share_all`` is the share of all towns'
money (what ``town_summary``'s ``amount_share`` is), for readers who need it.

Helpers: :func:`interval` (central interval over draws), :func:`rank_probability`
(chance each town is lowest/highest) and :func:`share_of_draws` (how often a
condition holds).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from shunde_workbook.metrics.recall import Recall
from shunde_workbook.metrics.scenarios import RULES

__all__ = [
    "DISTRICT_METRICS",
    "TOWN_METRICS",
    "distance_from_target",
    "district_metrics",
    "hhi",
    "interval",
    "need_index",
    "population_basis",
    "rank_probability",
    "scenario_allocations",
    "share_of_draws",
    "shares",
    "theil_between",
    "top_n_share",
    "weighted_cv",
    "weighted_gini",
]

#: Names of (D, T) results of :func:`district_metrics` (scenario columns: ``alloc_<rule>``, ``shift_<rule>``).
#: Level of every interval shown (90 %).
LEVEL = 0.9

TOWN_METRICS = (
    "amount",
    "population",
    "amount_share",
    "amount_share_all",
    "pop_share",
    "per_resident",
    "need",
    "target",
    "distance",
    *(f"alloc_{r}" for r in RULES),
    *(f"shift_{r}" for r in RULES[1:]),
)
#: Names of (D,) results of :func:`district_metrics`.
DISTRICT_METRICS = (
    "total_amount",
    "gini",
    "theil_between",
    "cv_per_resident",
    "per_resident_ratio",
    "hhi",
    "top_n_share",
)


# --------------------------------------------------------------------------- helpers over draws


def interval(x, level: float = LEVEL):
    """Central interval of ``x`` over draws (axis 0): the ``(1-level)/2`` and ``(1+level)/2`` quantiles.

    Parameters
    ----------
    x : array-like, shape (D,) or (D, T)
        Draws of one metric; ``NaN`` draws are ignored (all-``NaN`` columns give ``NaN``).
    level : float, default LEVEL (0.9)
        Coverage of the interval, in (0, 1).

    Returns
    -------
    tuple
        ``(lo, hi)``: floats for (D,) input, arrays of shape (T,) for (D, T).

    Examples
    --------
    >>> [round(v, 9) for v in interval(np.arange(101.0), level=0.9)]
    [5.0, 95.0]
    """
    if not 0 < level < 1:
        raise ValueError(f"interval: level must be in (0, 1), got {level!r}")
    a = np.asarray(x, dtype=float)
    q = [(1 - level) / 2, (1 + level) / 2]
    with np.errstate(all="ignore"):
        if a.ndim > 1:
            ok = ~np.all(np.isnan(a), axis=0)
            lo, hi = np.full(a.shape[1:], np.nan), np.full(a.shape[1:], np.nan)
            if ok.any():
                lo[ok], hi[ok] = np.nanquantile(a[:, ok], q, axis=0)
            return lo, hi
        if np.all(np.isnan(a)):
            return float("nan"), float("nan")
        lo, hi = np.nanquantile(a, q)
    return float(lo), float(hi)


def rank_probability(x, lowest: bool = True) -> np.ndarray:
    """Per town, the share of draws in which it has the lowest (or highest) value.

    ``NaN`` entries never rank; a draw where every town is ``NaN`` counts for
    nobody.  Ties go to the first town in column order.

    Parameters
    ----------
    x : array-like, shape (D, T)
    lowest : bool, default True
        ``False`` for the probability of being highest.

    Returns
    -------
    numpy.ndarray
        Shape (T,), summing to the share of draws with at least one value.

    Examples
    --------
    >>> rank_probability([[1, 2], [3, 2], [0, 5], [4, 1]]).tolist()
    [0.5, 0.5]
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"rank_probability: x must be (draws, towns), got shape {a.shape}")
    valid = ~np.all(np.isnan(a), axis=1)
    fill = np.inf if lowest else -np.inf
    b = np.where(np.isnan(a), fill, a)
    pick = np.argmin(b, axis=1) if lowest else np.argmax(b, axis=1)
    counts = np.bincount(pick[valid], minlength=a.shape[1])
    return counts / a.shape[0]


def share_of_draws(condition) -> float | np.ndarray:
    """Share of draws (axis 0) in which ``condition`` holds: a float for (D,), an array (T,) for (D, T).

    Examples
    --------
    >>> share_of_draws(np.array([0.1, 0.3, 0.2, 0.4]) > 0.25)
    0.5
    """
    c = np.asarray(condition, dtype=bool)
    out = c.mean(axis=0)
    return float(out) if c.ndim == 1 else out


# --------------------------------------------------------------------------- population-based metrics


def _2d(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(f"montecarlo: {name} must be (draws, towns), got shape {a.shape}")
    return a


def population_basis(amount, population):
    """Mask of towns with a population, and amount/population with the others set to 0.

    Returns
    -------
    tuple
        ``(has, amount_b, pop_b)``, each (D, T).
    """
    amt, pop = np.broadcast_arrays(_2d(amount, "amount"), _2d(population, "population"))
    has = np.isfinite(pop) & (pop > 0)
    return has, np.where(has, amt, 0.0), np.where(has, pop, 0.0)


def shares(amount, population) -> dict[str, np.ndarray]:
    """Town shares and money per resident, all (D, T).

    ``amount_share`` and ``pop_share`` are over towns with a population (``NaN``
    for the others), ``amount_share_all`` over every town, ``per_resident`` =
    amount / population (``NaN`` without a population).
    """
    amt = _2d(amount, "amount")
    has, amt_b, pop_b = population_basis(amt, population)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {
            "amount_share": np.where(has, amt_b / amt_b.sum(axis=1, keepdims=True), np.nan),
            "amount_share_all": amt / amt.sum(axis=1, keepdims=True),
            "pop_share": np.where(has, pop_b / pop_b.sum(axis=1, keepdims=True), np.nan),
            "per_resident": np.where(has, amt_b / np.where(has, pop_b, 1.0), np.nan),
        }
    return out


def weighted_gini(amount, population) -> np.ndarray:
    """Population-weighted Gini of money per resident, per draw (D,), as :func:`metrics.weighted_gini`.

    ``G = 1 - sum_k (X_k - X_{k-1}) (Y_k + Y_{k-1})`` over towns sorted by money per
    resident; towns without a population have zero width and change nothing.
    """
    has, amt, pop = population_basis(amount, population)
    per = amt / np.where(has, pop, 1.0)
    order = np.argsort(per, axis=1, kind="stable")
    x = np.cumsum(np.take_along_axis(pop, order, axis=1), axis=1)
    y = np.cumsum(np.take_along_axis(amt, order, axis=1), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x /= x[:, -1:]
        y /= y[:, -1:]
    zero = np.zeros((x.shape[0], 1))
    x = np.hstack([zero, x])
    y = np.hstack([zero, y])
    return 1.0 - np.sum(np.diff(x, axis=1) * (y[:, 1:] + y[:, :-1]), axis=1)


def theil_between(amount, population) -> np.ndarray:
    """Theil T between towns, population-weighted, per draw (D,): ``sum_t s_t ln(s_t / p_t)``.

    ``s_t`` and ``p_t`` are the town's shares of money and residents among towns
    with a population; as :func:`metrics.theil_t` (amount, population).
    """
    _, amt, pop = population_basis(amount, population)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = amt / amt.sum(axis=1, keepdims=True)
        p = pop / pop.sum(axis=1, keepdims=True)
        terms = np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0) / np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=1)


def weighted_cv(amount, population) -> np.ndarray:
    """Population-weighted coefficient of variation of money per resident, per draw (D,).

    ``mu = sum_t p_t y_t``, ``sigma^2 = sum_t p_t (y_t - mu)^2`` (ddof 0), CV = sigma / mu;
    as :func:`metrics.coefficient_of_variation` (amount, population).
    """
    has, amt, pop = population_basis(amount, population)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = amt / np.where(has, pop, 1.0)
        p = pop / pop.sum(axis=1, keepdims=True)
        mu = np.sum(p * y, axis=1, keepdims=True)
        sd = np.sqrt(np.sum(p * (y - mu) ** 2, axis=1, keepdims=True))
        return (sd / mu)[:, 0]


# --------------------------------------------------------------------------- organisations


def hhi(org_totals, scale: int = 10000) -> np.ndarray:
    """Herfindahl–Hirschman index of organisation shares per draw (D,); ``scale`` 10000 or 1."""
    o = _2d(org_totals, "org_totals")
    with np.errstate(invalid="ignore", divide="ignore"):
        s = o / o.sum(axis=1, keepdims=True)
    return np.sum(s**2, axis=1) * scale


def top_n_share(org_totals, n: int = 10) -> np.ndarray:
    """Share of the ``n`` largest organisations per draw (D,)."""
    o = _2d(org_totals, "org_totals")
    if int(n) < 1:
        raise ValueError(f"top_n_share: n must be a positive integer, got {n!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        s = o / o.sum(axis=1, keepdims=True)
    if n >= s.shape[1]:
        return np.minimum(1.0, s.sum(axis=1))
    return -np.partition(-s, n - 1, axis=1)[:, :n].sum(axis=1)


def _org_metrics(org_totals, n: int) -> tuple[np.ndarray, np.ndarray]:
    return hhi(org_totals), top_n_share(org_totals, n)


_ORG_METRICS = Recall()


# --------------------------------------------------------------------------- need and target


def need_index(need_columns: Mapping[str, np.ndarray], need_weights) -> np.ndarray:
    """Composite need per draw and town (D, T), as :func:`metrics.need_index` with ``method="share"``.

    ``need_t = sum_c w_c x_{t,c} / sum_{t complete} x_{t,c}``, weights renormalised per
    draw; a town missing a column with a non-zero weight gets ``NaN``.

    Parameters
    ----------
    need_columns : mapping of str to array, each (T,) or (D, T)
    need_weights : array-like, (C,) or (D, C), in the mapping's order, non-negative
    """
    names = list(need_columns)
    if not names:
        raise ValueError("need_index: need_columns is empty")
    cols = [_2d(need_columns[c], f"need column {c!r}") for c in names]
    w = _2d(need_weights, "need_weights")
    if w.shape[1] != len(names):
        raise ValueError(f"need_index: {w.shape[1]} weights for {len(names)} columns {names}")
    d = max([w.shape[0], *(c.shape[0] for c in cols)])
    x = np.stack([np.broadcast_to(c, (d, c.shape[1])) for c in cols], axis=1)  # (D, C, T)
    w = np.broadcast_to(w, (d, len(names)))
    if np.any(w < 0):
        raise ValueError("need_index: weights must be non-negative")
    used = np.any(w > 0, axis=0)
    w = w[:, used] / w[:, used].sum(axis=1, keepdims=True)
    x = x[:, used, :]
    complete = np.all(np.isfinite(x), axis=1)  # (D, T)
    xc = np.where(complete[:, None, :], x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = xc / xc.sum(axis=2, keepdims=True)
    score = np.einsum("dc,dct->dt", w, norm)
    return np.where(complete, score, np.nan)


def distance_from_target(amount, need) -> dict[str, np.ndarray]:
    """Need-proportional target and relative gap, (D, T) each, as in ``studies.fairness``.

    ``target_t = A * need_t / sum need`` where ``A`` is the money of the towns with a
    need score; ``distance_t = (amount_t - target_t) / target_t``; ``NaN`` without need.
    """
    amt = _2d(amount, "amount")
    nd = _2d(need, "need")
    has = np.isfinite(nd)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(has, amt, 0.0).sum(axis=1, keepdims=True)
        target = np.where(has, total * nd / np.where(has, nd, 0.0).sum(axis=1, keepdims=True), np.nan)
        distance = (amt - target) / target
    return {"target": target, "distance": distance}


# --------------------------------------------------------------------------- scenarios


def scenario_allocations(plan_totals, past, units, population, need, floor_share: float = 0.3) -> dict[str, np.ndarray]:
    """The five rules of :data:`metrics.RULES` for the summed plan, (D, T) each, as ``studies.scenarios``.

    Parameters
    ----------
    plan_totals : array-like (P,)
        Plan total per programme.
    past : array-like (D, P, T) or (P, T)
        Each programme's past money per town (``historical`` uses each programme's own shares).
    units : array-like (T,)
        村(社区) per town.
    population : array-like (D, T)
        ``NaN`` = unknown: ``per_resident`` then gives that town its equal-per-unit amount.
    need : array-like (D, T)
        Need index; ``NaN`` need is filled with the town's unit share and the rest
        rescaled (``studies.fill_need_by_units``).
    floor_share : float
        Equal-floor fraction of ``floor_plus_need``.

    Returns
    -------
    dict
        ``alloc_<rule>`` for each rule and ``shift_<rule> = alloc_<rule> - alloc_historical``.
    """
    plan = np.asarray(plan_totals, dtype=float).reshape(-1)
    pst = np.asarray(past, dtype=float)
    if pst.ndim == 2:
        pst = pst[None]
    if pst.ndim != 3 or pst.shape[1] != plan.size:
        raise ValueError(f"scenario_allocations: past must be (draws, {plan.size}, towns), got {pst.shape}")
    if not 0 <= floor_share <= 1:
        raise ValueError(f"scenario_allocations: floor_share must be in [0, 1], got {floor_share!r}")
    u = np.asarray(units, dtype=float).reshape(1, -1)
    total = plan.sum()
    nd = _2d(need, "need")
    has, _, pop = population_basis(np.zeros_like(nd), population)
    d = max(pst.shape[0], nd.shape[0], pop.shape[0])
    unit_share = u / u.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        hist = np.einsum("p,dpt->dt", plan, pst / pst.sum(axis=2, keepdims=True))
        fallback = np.where(has, 0.0, total * unit_share)
        rest = total - fallback.sum(axis=1, keepdims=True)
        resident = np.where(has, rest * pop / pop.sum(axis=1, keepdims=True), fallback)
        missing = ~np.isfinite(nd)
        known = np.where(missing, 0.0, nd)
        left = 1.0 - np.where(missing, unit_share, 0.0).sum(axis=1, keepdims=True)
        filled = np.where(missing, unit_share, known / known.sum(axis=1, keepdims=True) * left)
        filled = filled / filled.sum(axis=1, keepdims=True)
    n_towns = u.shape[1]
    alloc = {
        "historical": hist,
        "equal_per_unit": total * unit_share,
        "per_resident": resident,
        "need_weighted": total * filled,
        "floor_plus_need": floor_share * total / n_towns + (1.0 - floor_share) * total * filled,
    }
    out = {f"alloc_{r}": np.broadcast_to(alloc[r], (d, n_towns)).copy() for r in RULES}
    for r in RULES[1:]:
        out[f"shift_{r}"] = out[f"alloc_{r}"] - out["alloc_historical"]
    return out


# --------------------------------------------------------------------------- everything


def district_metrics(
    amount,
    population,
    units,
    *,
    org_totals=None,
    need_columns=None,
    need_weights=None,
    plan_totals=None,
    past=None,
    floor_share: float = 0.3,
    top_n: int = 10,
) -> dict[str, np.ndarray]:
    """Every metric for every draw: a dict of arrays (D,) (:data:`DISTRICT_METRICS`) or (D, T) (:data:`TOWN_METRICS`).

    Parts whose inputs are not given are left out: organisation metrics need
    ``org_totals``; need, target and distance need ``need_columns`` and
    ``need_weights``; scenarios need those and ``plan_totals`` and ``past``.

    Examples
    --------
    >>> r = district_metrics([[10.0, 30.0]], [[1.0, 1.0]], [1, 1])
    >>> float(r["gini"][0]), r["per_resident"].tolist()
    (0.25, [[10.0, 30.0]])
    """
    amt = _2d(amount, "amount")
    pop = _2d(population, "population")
    d = max(amt.shape[0], pop.shape[0])
    amt = np.broadcast_to(amt, (d, amt.shape[1]))
    pop = np.broadcast_to(pop, (d, pop.shape[1]))
    out: dict[str, np.ndarray] = {"amount": np.array(amt), "population": np.array(pop), "total_amount": amt.sum(axis=1)}
    out.update(shares(amt, pop))
    out["gini"] = weighted_gini(amt, pop)
    out["theil_between"] = theil_between(amt, pop)
    out["cv_per_resident"] = weighted_cv(amt, pop)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "All-NaN slice": a draw with no population
        out["per_resident_ratio"] = np.nanmax(out["per_resident"], axis=1) / np.nanmin(out["per_resident"], axis=1)
    if org_totals is not None:  # the same bootstrap for every set of a sweep: computed once
        out["hhi"], out["top_n_share"] = _ORG_METRICS(_org_metrics, org_totals, top_n)
    if need_columns is not None and need_weights is not None:
        need = np.broadcast_to(need_index(need_columns, need_weights), (d, amt.shape[1]))
        out["need"] = np.array(need)
        out.update(distance_from_target(amt, need))
        if plan_totals is not None and past is not None:
            out.update(scenario_allocations(plan_totals, past, units, pop, need, floor_share))
    return out
