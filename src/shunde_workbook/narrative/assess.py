"""Grade every finding and attach the 90 % interval of its numbers.

:func:`assess` takes the findings a report built from its study results and
the run's :class:`~shunde_workbook.analysis.evidence.Evidence`, and gives
each finding a :class:`~shunde_workbook.narrative.grades.Grade` (rules in
:mod:`~shunde_workbook.narrative.grades`) and, where the draws allow, an
interval for its numbers.  What each finding claims is written down once, in
:data:`CLAIMS`:

* ``facts``: the published facts it restates (graded ``published`` when
  reconciliation matches them and the run covers exactly what they describe);
* ``kind``: the kind of statement, which names the simulator setting behind it
  (:func:`~shunde_workbook.narrative.grades.setting_for`);
* ``ledger``: whether it depends on the ledger at all;
* ``holds(d, f, res)``: whether the statement holds in each draw (or each
  simulator seed) ``d``, a dict of metric arrays from
  :mod:`~shunde_workbook.metrics.montecarlo`;
* ``intervals``: which of its values get an interval, and from which metric.

A numeric statement ("the Gini is 0.121") holds in a draw when the draw lies
within :data:`NUMERIC_TOLERANCE` (relative) of the stated value.  An ordering
statement ("X is lowest") holds when the order is the same.  A count or sum of a
real ledger (the total, the growth, the best-funded field) is exact arithmetic
on complete records, so it holds in every draw.  Findings with no claim entry
keep no grade and are never key findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shunde_workbook.metrics.montecarlo import LEVEL as LEVEL  # the level of every interval shown
from shunde_workbook.narrative.grades import Grade, grade, published_matches, setting_for

#: A stated number "holds" in a draw within this relative distance (20 %: the statement's size is right).
NUMERIC_TOLERANCE = 0.20
_ALL_PROGRAMMES = ("众创共善", "和美社区")
#: Totals and counts of a simulated ledger are set by its calibration to the published figures.
CALIBRATED = "calibrated_totals"


@dataclass(frozen=True)
class Claim:
    """What a finding claims, for grading (see the module docstring)."""

    kind: str
    holds: Callable | None = None
    facts: tuple = ()
    ledger: bool = True
    intervals: dict = field(default_factory=dict)  # value key -> (metric, town-result-key or None)


def _col(d: dict, name: str, towns: pd.Index, code) -> np.ndarray:
    return d[name][:, towns.get_loc(code)]


def _near(x: np.ndarray, value: float) -> np.ndarray:
    return np.abs(x - value) <= NUMERIC_TOLERANCE * abs(value)


def _masked(d: dict, name: str, keep: np.ndarray) -> np.ndarray:
    return np.where(keep[None, :], d[name], np.nan)


def _argext(x: np.ndarray, lowest: bool) -> np.ndarray:
    filled = np.where(np.isnan(x), np.inf if lowest else -np.inf, x)
    return np.argmin(filled, axis=1) if lowest else np.argmax(filled, axis=1)


def _top_town(d, f, res, towns):
    r = res["distribution"]
    code = r["top_town"]
    keep = r["summary"]["population"].notna().to_numpy()
    gap = _col(d, "amount_share", towns, code) - _col(d, "pop_share", towns, code)
    same_side = np.sign(gap) == np.sign(r["top_town_amount_share"] - r["top_town_pop_share"])
    return same_side & (_argext(_masked(d, "amount", keep), lowest=False) == towns.get_loc(code))


def _per_resident_range(d, f, res, towns):
    r = res["distribution"]
    keep = r["summary"]["population"].notna().to_numpy()
    x = _masked(d, "per_resident", keep)
    return (_argext(x, True) == towns.get_loc(r["lowest_per_resident_town"])) & (
        _argext(x, False) == towns.get_loc(r["highest_per_resident_town"])
    )


def _distance(d, f, res, towns):
    r = res["fairness"]
    keep = r["distance"].notna().to_numpy()
    x = _masked(d, "distance", keep)
    return (_argext(x, True) == towns.get_loc(r["worst_under_town"])) & (
        _argext(x, False) == towns.get_loc(r["worst_over_town"])
    )


def _biggest_shift(d, f, res, towns):
    r = res["scenarios"]
    x = d[f"shift_{r['biggest_shift_rule']}"]
    pick = np.argmax(np.abs(np.nan_to_num(x)), axis=1) == towns.get_loc(r["biggest_shift_town"])
    return pick & (
        np.sign(_col(d, f"shift_{r['biggest_shift_rule']}", towns, r["biggest_shift_town"]))
        == np.sign(r["biggest_shift"])
    )


def _need_top(d, f, res, towns):
    return _argext(d["need"], lowest=False) == towns.get_loc(f.meta["town"])


def _rule_top(d, f, res, towns):
    rule, code = f.meta["rule"], f.meta["town"]
    return _argext(d[f"alloc_{rule}"], lowest=False) == towns.get_loc(code)


def _numeric(metric: str, study: str, key: str) -> Callable:
    return lambda d, f, res, towns: _near(d[metric], res[study][key])


def _town_numeric(metric: str, study: str, key: str) -> Callable:
    return lambda d, f, res, towns: _near(_col(d, metric, towns, f.meta["town"]), res[study][key])


def _always(d, f, res, towns):
    return np.ones(len(next(iter(d.values()))), dtype=bool)


CLAIMS: dict[str, Claim] = {
    "overview.total": Claim("total_amount", _always, facts=("F01", "F02")),
    "overview.growth": Claim("yearly_trend_zc", _always),
    "overview.top_field": Claim("field_mix", _always),
    "distribution.top_town": Claim("population_gap", _top_town),
    "distribution.per_resident_range": Claim("per_resident_ranking", _per_resident_range),
    "distribution.coverage": Claim("village_coverage", _always, facts=("F03",)),
    "distribution.missing_population": Claim("total_grants", _always, ledger=False),
    "fairness.gini": Claim("gini", _numeric("gini", "fairness", "gini"), intervals={"gini": ("gini", None)}),
    "fairness.theil": Claim("theil_between_towns", _numeric("theil_between", "fairness", "theil_towns")),
    "fairness.concentration": Claim(
        "org_concentration",
        _numeric("hhi", "fairness", "hhi"),
        intervals={"hhi": ("hhi", None), "share": ("top_n_share", None)},
    ),
    "fairness.need_top": Claim("distance_from_need", _need_top, ledger=False, intervals={"share": ("need", "town")}),
    "fairness.distance": Claim("distance_from_need", _distance),
    "scenarios.biggest_shift": Claim("scenario_shift", _biggest_shift),
    # A town profile restates sums of that town's rows; on a simulated ledger they are set by the simulator.
    "profile.people": Claim(
        "town_share",
        _town_numeric("pop_share", "profile", "pop_share"),
        ledger=False,
        intervals={"pop_share": ("pop_share", "town")},
    ),
    "profile.share": Claim("town_share", _always),
    "profile.per_resident": Claim("per_resident_ranking", _always),
    "profile.no_population": Claim("total_grants", _always, ledger=False),
    "profile.villages": Claim("village_coverage", _always),
    # The data audit reports on the file itself: exact counts, whatever the ledger's provenance.
    "audit.validation": Claim("total_grants", _always, ledger=False),
    "audit.reconciliation": Claim("total_grants", _always, ledger=False),
    "scenarios.rule_top": Claim(
        "historical_allocation", _rule_top, ledger=False, intervals={"amount": ("alloc_{rule}", "town")}
    ),
}


def _covers_published_scope(params: dict) -> bool:
    """True when the run covers what the 2017–2022 district facts describe (both programmes, every field)."""
    return (
        set(params.get("programmes", _ALL_PROGRAMMES)) == set(_ALL_PROGRAMMES)
        and params.get("year_start", 2017) == 2017
        and params.get("year_end", 2022) == 2022
        and not params.get("fields")
    )


def assess(
    findings: list, results: dict, evidence, statuses: dict, reconciliation: pd.DataFrame | None, params: dict
) -> list:
    """Grade ``findings`` in place and attach intervals; return them.

    Parameters
    ----------
    findings : list of Finding
        As built by :mod:`~shunde_workbook.narrative.statements`.
    results : dict
        ``{study: result dict}`` the findings were built from.
    evidence : Evidence
        Draws (and, for a simulated ledger, the seed ensemble) for the same inputs.
    statuses : dict
        Provenance of the inputs (``Inputs.statuses``).
    reconciliation : DataFrame or None
        ``data.reconcile.reconcile`` of the full ledger, for ``published`` grades.
    params : dict
        The run's parameters (which programmes, years and fields the findings cover).
    """
    simulated = statuses.get("ledger") == "simulated"
    towns = evidence.towns
    for f in findings:
        claim = CLAIMS.get(f.id)
        if claim is None:
            continue
        published = (
            bool(claim.facts)
            and reconciliation is not None
            and _covers_published_scope(params)
            and published_matches(reconciliation, claim.facts)
        )
        holds = holds_by_seed = None
        if not published and claim.holds is not None:
            holds = claim.holds(evidence.draws, f, results, towns)
            if simulated and claim.ledger and evidence.ensemble is not None:
                holds_by_seed = claim.holds(evidence.ensemble, f, results, towns)
        f.grade = grade(
            published=published,
            holds=holds,
            ledger_simulated=simulated,
            holds_by_seed=holds_by_seed,
            depends_on_ledger=claim.ledger,
            setting=setting_for(claim.kind) or CALIBRATED,
        )
        for key, (metric, town_key) in claim.intervals.items():
            if key not in f.values:
                continue
            metric = metric.format(**f.meta)
            lo, hi = evidence.interval(metric, town=f.meta[town_key]) if town_key else evidence.interval(metric)
            slug = "_".join([f.id.replace(".", "_"), *(str(v) for v in f.meta.values())])
            f.values[key].lo, f.values[key].hi = float(lo), float(hi)
            f.values[key].interval_source = f"evidence.{slug}.{key}"
            results.setdefault("evidence", {}).setdefault(slug, {})[key] = {"lo": float(lo), "hi": float(hi)}
    return findings


def _needs_draws(finding) -> bool:
    """Whether the grade or intervals of ``finding`` depend on the draws (else a point-only evidence will do)."""
    claim = CLAIMS.get(finding.id)
    if claim is None or claim.holds is None:
        return False
    return bool(claim.intervals) or claim.ledger or claim.holds is not _always


def grade_label(g: Grade | None, lang: str) -> str:
    """The badge text of a grade ('' when ungraded)."""
    return g.label(lang) if g is not None else ""


def grade_findings(findings: list, results: dict, inp, params: dict, evidence=None) -> list:
    """Grade a report's findings on the run's inputs: draw the evidence, reconcile, :func:`assess`.

    Parameters
    ----------
    findings : list of Finding
    results : dict
        ``{study: result dict}`` the findings were built from.
    inp : Inputs
    params : dict
        The run's parameters (need weights, floor share and the uncertainty knobs, where declared).
    evidence : Evidence, optional
        Reuse evidence already drawn for the same inputs.
    """
    from shunde_workbook.analysis import evidence as draws
    from shunde_workbook.data.reconcile import reconcile

    ev = evidence or draws.for_params(inp, params, point_only=not any(map(_needs_draws, findings)))
    return assess(findings, results, ev, inp.statuses, reconcile(inp.full_ledger), params)
