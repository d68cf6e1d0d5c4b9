"""Per-draw metrics that need more than town totals: growth by year, village Theil, ranks, counts.

Inputs follow :mod:`shunde_workbook.metrics.montecarlo` (one row per draw): ``by_year`` (D, Y) money per
year, ``by_village`` (D, V) money per 村(社区) with ``village_town`` (V,) each village's town code,
``amount`` (D, T) money per town.  A single draw gives the numbers of the point functions
(:func:`shunde_workbook.metrics.theil_decomposition`, ``studies.overview``'s growth, ``town_summary``'s
``rank_amount``), checked in ``tests/test_claims.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cagr", "rank_desc", "theil_villages"]


def cagr(by_year, years) -> np.ndarray:
    """Compound annual growth from the first to the last year, per draw (D,); NaN without growth to measure."""
    y = np.atleast_2d(np.asarray(by_year, dtype=float))
    if y.shape[1] < 2 or years[-1] <= years[0]:
        return np.full(y.shape[0], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (y[:, -1] / y[:, 0]) ** (1.0 / (years[-1] - years[0])) - 1.0
    return np.where(y[:, 0] > 0, out, np.nan)


def rank_desc(x) -> np.ndarray:
    """Rank of each town by ``x`` per draw (1 = largest), as ``rank(ascending=False, method='min')``."""
    a = np.atleast_2d(np.asarray(x, dtype=float))
    return 1.0 + (a[:, None, :] > a[:, :, None]).sum(axis=2)


def theil_villages(by_village, village_town) -> dict[str, np.ndarray]:
    """Theil T over villages (each weighs the same) and its between-town part, per draw (D,) each.

    ``T = sum_i s_i ln(s_i N)`` and ``T_between = sum_g S_g ln(S_g N / n_g)`` for village shares ``s_i``,
    town shares ``S_g`` and ``n_g`` villages in town ``g`` of ``N`` (as ``metrics.theil_decomposition``).
    """
    v = np.atleast_2d(np.asarray(by_village, dtype=float))
    n = v.shape[1]
    codes, group = np.unique(np.asarray(village_town).astype(str), return_inverse=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = v / v.sum(axis=1, keepdims=True)
        total = np.where(s > 0, s * np.log(np.where(s > 0, s * n, 1.0)), 0.0).sum(axis=1)
        big = np.zeros((v.shape[0], len(codes)))
        np.add.at(big.T, group, s.T)
        size = np.bincount(group, minlength=len(codes))
        between = np.where(big > 0, big * np.log(np.where(big > 0, big * n / size, 1.0)), 0.0).sum(axis=1)
    return {"theil_total": total, "theil_village_between": between, "theil_between_share": between / total}
