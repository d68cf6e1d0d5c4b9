"""Concentration of grant money among recipient organisations.

Input is the amount received per organisation.  A Series with repeated index
labels is treated as several grants to the same organisation and summed per
label first; an array or list is taken as one entry per organisation.
"""

from __future__ import annotations

import numbers

import numpy as np

from shunde_workbook.metrics._validation import as_series, positive_total

__all__ = ["top_n_share", "hhi"]


def _org_shares(amounts_by_org, func: str) -> np.ndarray:
    s = as_series(amounts_by_org, "amounts_by_org", func)
    if s.index.has_duplicates:
        s = s.groupby(level=0, sort=False).sum()
    total = positive_total(s, "amounts_by_org", func)
    return s.to_numpy() / total


def top_n_share(amounts_by_org, n: int = 10) -> float:
    """Share of the total going to the ``n`` largest recipients.

    Parameters
    ----------
    amounts_by_org : array-like or pandas.Series
        Non-negative amount per organisation, positive sum.  Repeated Series
        labels are summed first.
    n : int, default 10
        Number of top recipients (positive).  If ``n`` is at least the number
        of organisations the share is 1.

    Returns
    -------
    float
        Fraction in ``(0, 1]`` (not percent).

    Examples
    --------
    Amounts 5, 3, 2 (total 10): the top one holds 5/10, the top two 8/10.

    >>> top_n_share([2, 5, 3], n=2)
    0.8

    References
    ----------
    Concentration ratio CR_n, e.g. OECD (1993), *Glossary of Industrial
    Organisation Economics and Competition Law*.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"top_n_share: n must be a positive integer, got {n!r}")
    shares = np.sort(_org_shares(amounts_by_org, "top_n_share"))[::-1]
    return float(min(1.0, shares[: int(n)].sum()))


def hhi(amounts_by_org, scale: int = 10000) -> float:
    """Herfindahl–Hirschman index of concentration among recipients.

    ``HHI = sum_i (100 * s_i)^2`` with ``scale=10000`` (shares in percent,
    squared: 0..10000, the antitrust convention where 10000 = a single
    recipient and ``10000/n`` = ``n`` equal recipients), or
    ``HHI = sum_i s_i^2`` with ``scale=1`` (0..1).  ``s_i`` is organisation
    i's share of the total.

    Parameters
    ----------
    amounts_by_org : array-like or pandas.Series
        Non-negative amount per organisation, positive sum.  Repeated Series
        labels are summed first.
    scale : {10000, 1}, default 10000
        Output scale, see above.

    Returns
    -------
    float
        In ``[scale/n, scale]`` for ``n`` organisations.

    Examples
    --------
    Shares 50 %, 30 %, 20 %: ``2500 + 900 + 400 = 3800``.

    >>> round(hhi([5, 3, 2]), 9)
    3800.0

    References
    ----------
    U.S. DOJ & FTC (2023). *Merger Guidelines*, §2.1 (HHI on percent shares).
    """
    if isinstance(scale, bool) or scale not in (1, 10000):
        raise ValueError(f"hhi: scale must be 10000 (percent shares squared) or 1, got {scale!r}")
    shares = _org_shares(amounts_by_org, "hhi")
    return float(np.sum(shares**2) * scale)
