"""One declaration per finding: its sentence, every number it states, and what each number is graded on.

A :class:`Declaration` is keyed by the sentence's catalogue key (``finding.<...>``).  For every placeholder
of the sentence it names a :class:`Number`: the quantity in the draws the number is graded on (a metric of
:mod:`shunde_workbook.metrics.montecarlo`, :mod:`shunde_workbook.metrics.ledger_draws` or
:func:`shunde_workbook.analysis.quantities.ledger_counts`, for a town named in the finding's ``meta``) and
how it is tested, or ``None`` with the reason it is not graded (a parameter, a published or official
figure).  Orderings the sentence states ("X is lowest", "X ranks first") are :data:`ORDERS`.

:func:`holds` says, per draw (or simulator seed), whether *every* number and ordering of the sentence holds;
the grade and the intervals come from it and from the declared quantities, never from a separate claim.
A sentence stating a ratio gets that ratio's interval (``Number(..., over=...)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: A stated number "holds" in a draw within this relative distance (shown to readers in the grades legend).
NUMERIC_TOLERANCE = 0.20


@dataclass(frozen=True)
class Number:
    """What one stated number is graded on.

    ``metric``: the quantity (``{rule}``-style fields are filled from the finding's meta), or ``None``
    with ``reason`` (not graded: a parameter or an official figure).  ``town``/``over``: meta keys naming
    the town (and, for a ratio, the denominator's town).  ``test``: ``near`` (within
    :data:`NUMERIC_TOLERANCE`) or ``equal`` (a count or rank: exactly).  ``sign``: ``-1`` for a number
    stated as the negative of its quantity, ``0`` for its absolute value.  ``interval``: print its interval.
    """

    metric: str | None
    town: str | None = None
    over: str | None = None
    test: str = "near"
    sign: int = 1
    interval: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Declaration:
    """A finding's numbers and orderings; ``exact``: counts of the file in hand (no model, nothing to draw)."""

    kind: str
    numbers: dict = field(default_factory=dict)
    orders: tuple = ()
    facts: tuple = ()
    ledger: bool = True
    exact: bool = False
    published_input: bool = False  # restates published inputs only (the 2023 plan): graded published
    series_break: bool = False  # graded on yearly totals: a programme entering within the period breaks it


PARAMETER = "a parameter of the run"
OFFICIAL = "an official count (the 2021 list of 村(社区) or the town list)"
PUBLISHED = "a published figure (the 2023 plan)"


def _col(x: np.ndarray, towns, code) -> np.ndarray:
    return x[:, towns.get_loc(code)]


def quantity(d: dict, n: Number, meta: dict, towns) -> np.ndarray:
    """The draws (D,) of the quantity ``n`` grades."""
    x = d[n.metric.format(**meta)]
    if n.town is not None:
        x = _col(x, towns, meta[n.town])
        if n.over is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                x = x / _col(d[n.metric.format(**meta)], towns, meta[n.over])
    x = np.asarray(x, dtype=float)
    return -x if n.sign == -1 else np.abs(x) if n.sign == 0 else x


def number_holds(x: np.ndarray, stated: float, test: str) -> np.ndarray:
    """Whether each draw of a quantity agrees with the stated value."""
    if test == "equal":
        return np.isclose(x, stated, rtol=0, atol=1e-9)
    return np.abs(x - stated) <= NUMERIC_TOLERANCE * abs(stated)


def _argext(x: np.ndarray, lowest: bool) -> np.ndarray:
    filled = np.where(np.isnan(x), np.inf if lowest else -np.inf, x)
    return np.argmin(filled, axis=1) if lowest else np.argmax(filled, axis=1)


def _is_ext(metric: str, key: str, lowest: bool, absolute: bool = False) -> Callable:
    def order(d, meta, towns):
        x = d[metric.format(**meta)]
        return _argext(np.abs(x) if absolute else x, lowest) == towns.get_loc(meta[key])

    order.__name__ = f"{'lowest' if lowest else 'highest'}_{metric}_{key}"
    return order


def _same_sign(metric: str, key: str, sign_key: str) -> Callable:
    def order(d, meta, towns):
        return np.sign(_col(d[metric.format(**meta)], towns, meta[key])) == meta[sign_key]

    order.__name__ = f"sign_{metric}_{key}"
    return order


def _gap_sign(d, meta, towns):
    t = towns.get_loc(meta["town"])
    return np.sign(d["amount_share_all"][:, t] - d["pop_share"][:, t]) == meta["gap_sign"]


def _top_field(d, meta, towns):
    return np.asarray(d["top_field"]).astype(str) == meta["field"]


def _all_funded(d, meta, towns):
    return _col(d["unfunded_villages"], towns, meta["town"]) == 0


def _rank_first(d, meta, towns):
    return _col(d["rank_amount"], towns, meta["town"]) == 1


#: Orderings and signs stated by sentences, by name (each can fail: tests/test_claims.py).
ORDERS = {
    "lowest_per_resident": _is_ext("per_resident", "low", lowest=True),
    "highest_per_resident": _is_ext("per_resident", "high", lowest=False),
    "lowest_coverage": _is_ext("coverage", "town", lowest=True),
    "worst_under": _is_ext("distance", "under", lowest=True),
    "worst_over": _is_ext("distance", "over", lowest=False),
    "need_top": _is_ext("need", "town", lowest=False),
    "rule_top": _is_ext("alloc_{rule}", "town", lowest=False),
    "biggest_shift": _is_ext("shift_{rule}", "town", lowest=False, absolute=True),
    "shift_sign": _same_sign("shift_{rule}", "town", "shift_sign"),
    "gap_sign": _gap_sign,
    "top_field": _top_field,
    "all_funded": _all_funded,
    "rank_first": _rank_first,
}

_N = Number
DECLARATIONS: dict[str, Declaration] = {
    "findings.overview.total": Declaration(
        "total_amount",
        {"grants": _N("total_grants", test="equal"), "amount": _N("total_amount"), "mean": _N("mean_grant")},
        facts=("F01", "F02"),
    ),
    "findings.overview.growth": Declaration("yearly_trend", {"cagr": _N("cagr")}, series_break=True),
    "findings.overview.top_field": Declaration("field_mix", {"share": _N("top_field_share")}, ("top_field",)),
    "findings.distribution.top_town": Declaration(
        "population_gap",
        {"amount_share": _N("amount_share_all", "town"), "pop_share": _N("pop_share", "town")},
        ("rank_first", "gap_sign"),
    ),
    "findings.distribution.per_resident_range": Declaration(
        "per_resident_ranking",
        {
            "low_value": _N("per_resident", "low"),
            "high_value": _N("per_resident", "high"),
            "ratio": _N("per_resident", "high", over="low", interval=True),
        },
        ("lowest_per_resident", "highest_per_resident"),
    ),
    "findings.distribution.coverage": Declaration(
        "village_coverage",
        {
            "funded": _N("villages_funded", test="equal"),
            "units": _N(None, reason=OFFICIAL),
            "cov": _N("coverage", "town"),
        },
        ("lowest_coverage",),
    ),
    "findings.distribution.coverage_full": Declaration(
        "village_coverage",
        {
            "funded": _N("villages_funded", test="equal"),
            "units": _N(None, reason=OFFICIAL),
            "cov": _N("coverage", "town", test="equal"),
        },
        facts=("F03",),
    ),
    "findings.fairness.gini": Declaration("gini", {"gini": _N("gini", interval=True)}),
    "findings.fairness.theil": Declaration(
        "theil_villages", {"total": _N("theil_total"), "between_share": _N("theil_between_share")}
    ),
    "findings.fairness.concentration": Declaration(
        "org_concentration",
        {
            "n": _N(None, reason=PARAMETER),
            "share": _N("top_n_share", interval=True),
            "orgs": _N("n_orgs", test="equal"),
            "hhi": _N("hhi", interval=True),
        },
    ),
    "findings.fairness.need_top": Declaration(
        "distance_from_need", {"share": _N("need", "town", interval=True)}, ("need_top",), ledger=False
    ),
    "findings.fairness.distance": Declaration(
        "distance_from_need",
        {
            "under_pct": _N("distance", "under", sign=-1, interval=True),
            "over_pct": _N("distance", "over", interval=True),
        },
        ("worst_under", "worst_over"),
    ),
    "findings.scenarios.biggest_shift": Declaration(
        "scenario_shift",
        {"plan": _N(None, reason=PUBLISHED), "shift": _N("shift_{rule}", "town", sign=0)},
        ("biggest_shift", "shift_sign"),
    ),
    "findings.scenarios.rule_top": Declaration(
        "historical_allocation",
        {"amount": _N("alloc_{rule}", "town", interval=True)},
        ("rule_top",),
        ledger=False,
    ),
    "findings.profile.people": Declaration(
        "town_share",
        {"units": _N(None, reason=OFFICIAL), "pop_share": _N("pop_share", "town", interval=True)},
        ledger=False,
    ),
    "findings.profile.share": Declaration(
        "town_share",
        {
            "grants": _N("grants", "town", test="equal"),
            "amount": _N("amount", "town"),
            "share": _N("amount_share_all", "town"),
            "n": _N(None, reason=OFFICIAL),
            "rank": _N("rank_amount", "town", test="equal"),
        },
    ),
    "findings.profile.per_resident": Declaration(
        "per_resident_ranking",
        {"per": _N("per_resident", "town", interval=True), "pop_share": _N("pop_share", "town")},
    ),
    "findings.profile.villages": Declaration(
        "village_coverage",
        {"unfunded": _N("unfunded_villages", "town", test="equal"), "orgs": _N("town_orgs", "town", test="equal")},
    ),
    "findings.profile.villages_all": Declaration(
        "village_coverage", {"orgs": _N("town_orgs", "town", test="equal")}, ("all_funded",)
    ),
    "findings.scenarios.plan_total": Declaration(
        "plan", {"plan": _N(None, reason=PUBLISHED)}, ledger=False, published_input=True
    ),
    # The data audit reports on the file itself: exact counts, whatever the ledger's provenance.
    "findings.audit.validation": Declaration("file_counts", exact=True),
    "findings.audit.reconciliation": Declaration("file_counts", exact=True),
    # The students' starter notebook (notebooks/_starter_extend.ipynb): the max/min funding per resident.
    "starter.finding.ratio": Declaration("per_resident_ranking", {"ratio": _N("per_resident_ratio", interval=True)}),
}


def declaration(key: str) -> Declaration | None:
    """The declaration of a sentence (``None``: not a graded finding, e.g. a data gap, which is a caveat)."""
    return DECLARATIONS.get(key)


def graded_numbers(dec: Declaration, values: dict) -> dict[str, Number]:
    """The declared numbers of a finding that are graded (a quantity, not a parameter or official figure)."""
    missing = set(values) - set(dec.numbers)
    if missing and not dec.exact:
        raise ValueError(f"claims: numbers {sorted(missing)} are stated but not declared")
    return {k: n for k, n in dec.numbers.items() if k in values and n.metric is not None}


def parts(dec: Declaration, d: dict, values: dict, meta: dict, towns) -> dict[str, np.ndarray]:
    """Per draw, whether each graded number (by placeholder) and each ordering (by name) holds.

    The same number or ordering about the same town is tested by the same code on the same draws in every
    report, so the same fact gets the same share wherever it is stated.
    """
    out = {
        key: number_holds(quantity(d, n, meta, towns), values[key].value, n.test)
        for key, n in graded_numbers(dec, values).items()
    }
    out.update({name: np.asarray(ORDERS[name](d, meta, towns), dtype=bool) for name in dec.orders})
    return out


def holds(dec: Declaration, d: dict, values: dict, meta: dict, towns) -> np.ndarray:
    """Per draw: every graded number of the sentence within its test, and every ordering as stated."""
    size = len(next(iter(d.values())))
    out = np.ones(size, dtype=bool)
    for part in parts(dec, d, values, meta, towns).values():
        out &= part
    return out
