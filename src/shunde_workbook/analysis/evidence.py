"""Monte Carlo evidence for every district metric, drawn from the uncertainty model.

:func:`evidence` draws the inputs (:mod:`shunde_workbook.analysis.uncertainty`), recomputes every
metric of :mod:`shunde_workbook.metrics.montecarlo` for all draws at once and returns an
:class:`Evidence`; :func:`one_at_a_time` gives the rows of a tornado chart.  Usage is shown in the
docstring of :mod:`~shunde_workbook.analysis.uncertainty`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook.analysis import population
from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.analysis.uncertainty import (
    LEDGER_COLUMNS,
    GrantDraws,
    UncertaintyModel,
    _ensemble_grants,
    bootstrap_grants,
    draw_need_weights,
    draw_population,
    grant_totals,
    population_ranges,
)
from shunde_workbook.errors import closest
from shunde_workbook.metrics import montecarlo as mc


@dataclass
class Evidence:
    """Draws of every metric (see :data:`metrics.montecarlo.TOWN_METRICS` / ``DISTRICT_METRICS``).

    ``draws``: name -> (D,) or (D, T) under the model; ``point``: the same metrics on the
    central inputs (one row; with imputation on, 均安 counts at its imputed population);
    ``ensemble``: one row per simulator seed with central population and weights, or
    ``None`` for a ledger that is not simulated.  Town columns follow ``towns``.
    """

    towns: pd.Index
    draws: dict
    point: dict
    ensemble: dict | None
    model: UncertaintyModel
    population_ranges: pd.DataFrame
    need_columns: list
    need_weight_draws: np.ndarray
    simulated: bool
    notes: list = field(default_factory=list)

    def _source(self, source: str) -> dict:
        if source == "draws":
            return self.draws
        if source == "ensemble":
            if self.ensemble is None:
                raise ValueError("Evidence: no seed ensemble (the ledger is not simulated, or seed_ensemble=0)")
            return self.ensemble
        raise ValueError(f"Evidence: source must be 'draws' or 'ensemble', got {source!r}")

    def _get(self, name: str, source: str = "draws") -> np.ndarray:
        data = self._source(source)
        if name not in data:
            hint = closest(name, list(data))
            raise KeyError(
                f"Evidence: no metric {name!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + f"; available: {sorted(data)}"
            )
        return data[name]

    def _column(self, town) -> int:
        if town not in self.towns:
            raise KeyError(f"Evidence: unknown town {town!r}; towns: {list(self.towns)}")
        return int(self.towns.get_loc(town))

    def point_value(self, name: str, town=None):
        """The metric on the central inputs: a float, or a Series by town when ``town`` is None."""
        self._get(name)
        x = self.point[name][0]
        if np.ndim(x) == 0:
            return float(x)
        return float(x[self._column(town)]) if town is not None else pd.Series(x, index=self.towns, name=name)

    def interval(self, name: str, town=None, level: float = mc.LEVEL, source: str = "draws"):
        """Central ``level`` interval: ``(lo, hi)`` for a district metric or one town, else a DataFrame by town."""
        x = self._get(name, source)
        if x.ndim == 2 and town is not None:
            x = x[:, self._column(town)]
        lo, hi = mc.interval(x, level)
        if np.ndim(lo) == 0:
            return lo, hi
        return pd.DataFrame({"lo": lo, "hi": hi}, index=self.towns)

    def probability(self, predicate: Callable[[dict], np.ndarray], source: str = "draws"):
        """Share of draws where ``predicate(results)`` holds: a float, or a Series by town for (D, T) output."""
        c = np.asarray(predicate(self._source(source)), dtype=bool)
        out = mc.share_of_draws(c)
        return out if c.ndim == 1 else pd.Series(out, index=self.towns)

    def rank_probability(self, name: str, lowest: bool = True, source: str = "draws") -> pd.Series:
        """Chance that each town has the lowest (``lowest=False``: highest) value of a town metric."""
        return pd.Series(mc.rank_probability(self._get(name, source), lowest), index=self.towns, name=name)

    def table(self, name: str, level: float = mc.LEVEL) -> pd.DataFrame:
        """``point``, ``lo``, ``hi`` (and ``ensemble_lo``/``ensemble_hi`` when there is an ensemble)."""
        x = self._get(name)
        index = self.towns if x.ndim == 2 else pd.Index([name])
        out = pd.DataFrame({"point": np.atleast_1d(self.point[name][0])}, index=index)
        out["lo"], out["hi"] = (np.atleast_1d(v) for v in mc.interval(x, level))
        if self.ensemble is not None and name in self.ensemble:
            out["ensemble_lo"], out["ensemble_hi"] = (np.atleast_1d(v) for v in mc.interval(self.ensemble[name], level))
        return out


def _need_columns(inp: Inputs, names, population: np.ndarray) -> dict:
    cols = {}
    for c in names:
        if c == "population":
            cols[c] = population
        elif c == "village_units":
            cols[c] = inp.towns["village_units"].to_numpy(dtype=float)
        elif c in LEDGER_COLUMNS:
            raise ValueError(
                f"evidence: need column {c!r} is computed from the ledger; under uncertainty use "
                "town-table columns, population or village_units"
            )
        elif c in inp.towns.columns:
            cols[c] = pd.to_numeric(inp.towns[c], errors="coerce").to_numpy(dtype=float)
        else:
            hint = closest(c, [str(x) for x in inp.towns.columns])
            raise ValueError(f"evidence: unknown need column {c!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    return cols


def evidence(
    inp: Inputs,
    need_weights: Mapping[str, float],
    floor_share: float = 0.3,
    plan_totals: Mapping[str, float] | None = None,
    model: UncertaintyModel | None = None,
    top_n: int = 10,
) -> Evidence:
    """Draw the inputs from ``model`` and compute every metric for every draw.

    Parameters
    ----------
    inp : Inputs
        The run's inputs (``load_inputs``).
    need_weights : mapping
        Need-index weights, as for ``studies.fairness``.
    floor_share : float
        Floor fraction of the ``floor_plus_need`` rule.
    plan_totals : mapping of programme to total, optional
        Default: the published 2023 plan (``studies.planned_funding``) for the programmes in the ledger.
    model : UncertaintyModel, optional
        Default ``UncertaintyModel()``; ``UncertaintyModel.none()`` reproduces the point figures.
    top_n : int
        Size of the top group of organisations.
    """
    from shunde_workbook.analysis.studies import PLAN_YEAR, planned_funding

    plan_2023 = {p: v["amount"] for p, v in planned_funding(PLAN_YEAR).items()}

    model = model or UncertaintyModel()
    towns = inp.towns.index
    d = int(model.draws)
    rng_pop, rng_grants, rng_weights = (np.random.default_rng(s) for s in np.random.SeedSequence(model.seed).spawn(3))
    if population.is_anchored(inp.towns):  # census-anchored: every draw sums to the census total
        pop = population.draws(inp.towns, d, rng_pop, model.population_uncertainty)
        ranges = population.ranges(inp.towns, pop)
    else:
        ranges = population_ranges(inp.towns, model.population_uncertainty, model.impute_missing_population)
        pop = draw_population(ranges, d, rng_pop)
    central_pop = ranges["point"].to_numpy(dtype=float)[None, :]
    names = list(need_weights)
    weights = draw_need_weights(need_weights, d, rng_weights, model.weight_concentration)
    central_w = draw_need_weights(need_weights, 1, rng_weights, None)

    present = set(inp.ledger["programme"])
    programmes = [p for p in plan_2023 if p in present] + sorted(present - set(plan_2023))
    point_grants = grant_totals(inp.ledger, towns, programmes)
    if model.bootstrap:
        grants = bootstrap_grants(inp.ledger, towns, programmes, d, rng_grants)
    else:
        grants = GrantDraws(
            np.repeat(point_grants.by_programme, d, axis=0), np.repeat(point_grants.org_totals, d, axis=0), programmes
        )
    plan = dict(plan_totals) if plan_totals is not None else {p: plan_2023[p] for p in plan_2023 if p in programmes}
    missing = [p for p in plan if p not in programmes]
    if missing:
        raise ValueError(f"evidence: plan_totals name programmes not in the ledger: {missing}")
    plan_idx = [programmes.index(p) for p in plan]
    units = inp.towns["village_units"].to_numpy(dtype=float)

    def run(g: GrantDraws, population, w) -> dict:
        return mc.district_metrics(
            g.by_programme.sum(axis=1),
            population,
            units,
            org_totals=g.org_totals,
            need_columns=_need_columns(inp, names, population),
            need_weights=w,
            plan_totals=list(plan.values()),
            past=g.by_programme[:, plan_idx, :],
            floor_share=floor_share,
            top_n=top_n,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        draws = run(grants, pop, weights)
        point = run(point_grants, central_pop, central_w)
        simulated = inp.statuses.get("ledger") == "simulated"
        ensemble = None
        if simulated and model.seed_ensemble > 0:
            eg = _ensemble_grants(inp, programmes, model)
            ensemble = run(eg, np.repeat(central_pop, eg.by_programme.shape[0], axis=0), central_w)
    notes = [f"{t}: {b}" for t, b in ranges["basis"].items()]
    return Evidence(towns, draws, point, ensemble, model, ranges, names, weights, simulated, notes)


def one_at_a_time(
    inp: Inputs,
    need_weights: Mapping[str, float],
    metric: str = "gini",
    floor_share: float = 0.3,
    model: UncertaintyModel | None = None,
    level: float = mc.LEVEL,
) -> pd.DataFrame:
    """The interval of ``metric`` when only one input varies at a time (the rows of a tornado chart).

    Rows: ``population``, ``grants`` (bootstrap), ``weights`` (need-index weights) and, for a simulated
    ledger, ``seeds`` (the simulator-seed ensemble); columns ``low``, ``high`` and ``point``.
    """
    base = model or UncertaintyModel()
    still = dict(
        population_uncertainty=0.0,
        bootstrap=False,
        weight_concentration=None,
        seed_ensemble=0,
        impute_missing_population=base.impute_missing_population,
    )
    only = {
        "population": {**still, "population_uncertainty": base.population_uncertainty},
        "grants": {**still, "bootstrap": True},
        "weights": {**still, "weight_concentration": base.weight_concentration},
    }
    rows = {}
    point = None
    for name, knobs in only.items():
        ev = evidence(inp, need_weights, floor_share, model=replace(base, **knobs))
        point = ev.point_value(metric)
        rows[name] = ev.interval(metric, level=level)
    if inp.statuses.get("ledger") == "simulated" and base.seed_ensemble > 0:
        ev = evidence(
            inp, need_weights, floor_share, model=replace(base, **{**still, "seed_ensemble": base.seed_ensemble})
        )
        rows["seeds"] = ev.interval(metric, level=level, source="ensemble")
    out = pd.DataFrame(rows, index=["low", "high"]).T
    out["point"] = point
    return out


#: Need weights for reports that do not declare ``need_weights`` (as params/default.yaml).
DEFAULT_NEED_WEIGHTS = {"population": 0.6, "village_units": 0.4}


#: Parameters that decide the evidence of a run (with the input files' contents).
EVIDENCE_PARAMS = (
    "programmes",
    "year_start",
    "year_end",
    "fields",
    "population_basis",
    "need_weights",
    "floor_share",
    "top_n",
    "draws",
    "uncertainty_seed",
    "population_uncertainty",
    "weight_concentration",
    "seed_ensemble",
)


@contextlib.contextmanager
def _computing(cached: Path | None):
    """Hold an exclusive lock on ``cached``'s lock file (POSIX; a no-op elsewhere or outside a run).

    The lock ends with the process, so a killed kernel never blocks the others.
    """
    try:
        import fcntl
    except ImportError:  # Windows: each kernel computes for itself
        fcntl = None
    if cached is None or fcntl is None:
        yield
        return
    try:
        handle = open(cached.with_suffix(".lock"), "a+b")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _cache_file(params: Mapping) -> Path | None:
    """Where the runner's per-run cache keeps the evidence for ``params`` (None outside a run)."""
    from shunde_workbook.data.cache import CACHE_ENV, file_hash
    from shunde_workbook.params import resolve_path

    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return None
    # the values the evidence is computed with (defaults filled in), so reports that declare fewer
    # parameters share the entry of those that declare them with the same values
    model = UncertaintyModel.from_params(params)
    key = {k: params.get(k) for k in EVIDENCE_PARAMS}
    key.update(
        need_weights=params.get("need_weights") or DEFAULT_NEED_WEIGHTS,
        floor_share=params.get("floor_share", 0.3),
        top_n=params.get("top_n", 10),
        model=[model.draws, model.seed, model.population_uncertainty, model.weight_concentration, model.seed_ensemble],
    )

    for name in ("ledger_path", "towns_path", "population_path"):
        if params.get(name):
            key[name] = file_hash(resolve_path(params[name]))
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return Path(folder) / f"evidence-{digest[:24]}.pkl"


def for_params(inp: Inputs, params: Mapping, point_only: bool = False) -> Evidence:
    """The evidence behind a report's findings and tables, from the run's parameters.

    ``point_only`` repeats the point inputs in every draw (no uncertainty at all), for findings
    whose grade does not depend on the draws; it is cheap and not cached.

    Intervals must be on the basis of the point values they accompany.  On the default census-anchored
    basis every town has an estimate in the point values and in every draw; on the published figures the
    studies leave a town without a population figure out (they do not impute one), so these draws do not
    impute it either.  Inside a
    run, the first report to need the evidence stores it in the runner's per-run cache and the others read
    it (the draws are seeded, so every report would compute the same numbers).
    """
    cached = None if point_only else _cache_file(params)
    with _computing(cached):  # kernels needing the same evidence wait for the first one, then read it
        if cached is not None and cached.exists():
            return pd.read_pickle(cached)
        model = UncertaintyModel.from_params(params)
        model = UncertaintyModel.none(model.draws) if point_only else replace(model, impute_missing_population=False)
        ev = evidence(
            inp,
            params.get("need_weights") or DEFAULT_NEED_WEIGHTS,
            params.get("floor_share", 0.3),
            model=model,
            top_n=params.get("top_n", 10),
        )
        if cached is not None:
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            try:
                pd.to_pickle(ev, tmp)
                os.replace(tmp, cached)
            except OSError:  # a full disk only costs the next report the recomputation
                tmp.unlink(missing_ok=True)
    return ev
