"""Monte Carlo evidence for every district metric, drawn from the uncertainty model.

:func:`evidence` draws the inputs (:mod:`shunde_workbook.analysis.uncertainty`), recomputes every
metric of :mod:`shunde_workbook.metrics.montecarlo` for all draws at once and returns an
:class:`Evidence`; :func:`one_at_a_time` gives the rows of a tornado chart.  Usage is shown in the
docstring of :mod:`~shunde_workbook.analysis.uncertainty`.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook.analysis.input_draws import InputDraws, OnDisk, draw_inputs, memo_for, model_key, streams
from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.analysis.recompute import Recompute
from shunde_workbook.analysis.run_cache import computing as _computing
from shunde_workbook.analysis.run_cache import folder as run_folder
from shunde_workbook.analysis.run_cache import store as _store
from shunde_workbook.analysis.uncertainty import UncertaintyModel, draw_need_weights
from shunde_workbook.errors import closest
from shunde_workbook.metrics import montecarlo as mc


@dataclass
class Evidence:
    """Draws of every metric (see :data:`metrics.montecarlo.TOWN_METRICS` / ``DISTRICT_METRICS``).

    ``draws``: name -> (D,) or (D, T) under the model; ``point``: the same metrics on the
    central inputs (one row; with imputation on, 均安 counts at its imputed population);
    ``ensemble``: one row per simulator seed with central population and weights, or
    ``None`` for a ledger that is not simulated; ``counterfactuals``: setting -> the same metrics on a
    seed ensemble with that simulator setting neutralised (:mod:`~shunde_workbook.analysis.counterfactual`).
    ``complete``: the ledger is complete official records that reconcile with the published totals, so its
    sums are exact (no bootstrap); ``fixed_totals``: the bootstrap keeps each programme's yearly totals.
    Town columns follow ``towns``.
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
    counterfactuals: dict = field(default_factory=dict)
    complete: bool = False
    fixed_totals: bool = False
    recompute: Recompute | None = None
    cache_path: Path | None = None

    def counterfactual(self, setting: str) -> list[dict]:
        """The metrics on the seed ensemble with ``setting`` neutralised, one dict per neutral variant.

        Computed on first use, once per run and setting: inside a run the result is kept in the runner's
        per-run cache beside the evidence, so other reports read it.  Empty for a ledger that is not
        simulated or when the run asked for no counterfactual seeds.
        """
        if setting in self.counterfactuals:
            return self.counterfactuals[setting]
        if self.recompute is None or not self.recompute.seeds or self.ensemble is None:
            return []
        path = (
            None if self.cache_path is None else self.cache_path.with_name(f"{self.cache_path.stem}-cf-{setting}.pkl")
        )
        with _computing(path):
            if path is not None and path.exists():
                out = pd.read_pickle(path)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    out = self.recompute.counterfactual(setting)
                if path is not None:
                    _store(out, path)
        self.counterfactuals[setting] = out
        return out

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
        if source == "draws" and name in BIAS_CORRECTED and np.ndim(lo) == 0 and self.model.bootstrap:
            lo, hi = centred_interval(x, float(self.point[name][0]), level)
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


def centred_interval(x, point: float, level: float = 0.9) -> tuple[float, float]:
    """A bootstrap interval for a concentration index with the bootstrap's own bias removed.

    Resampling grants duplicates some and drops others, which concentrates money: the draws of the HHI or
    of a top-n share sit above the ledger's value (by about the sum of the squared grant shares).  The
    interval keeps the draws' spread about their median and centres it on the point value:
    ``[point - (median - lo), point + (hi - median)]``.  Calibrated against simulator runs with other
    settings in ``tests/test_calibration.py`` (85–95 % coverage of the process mean).
    """
    a = np.asarray(x, dtype=float)
    lo, hi = mc.interval(a, level)
    m = float(np.nanmedian(a))
    return max(0.0, point - (m - lo)), point + (hi - m)


#: Seeds per counterfactual ensemble (at most the seed ensemble's).
COUNTERFACTUAL_SEEDS = 10
#: Metrics whose bootstrap interval is bias-corrected (:meth:`Evidence.interval`).
BIAS_CORRECTED = ("hhi", "top_n_share")


def evidence(
    inp: Inputs,
    need_weights: Mapping[str, float],
    floor_share: float = 0.3,
    plan_totals: Mapping[str, float] | None = None,
    model: UncertaintyModel | None = None,
    top_n: int = 10,
    complete: bool = False,
    fixed_totals: bool = False,
    counterfactual_seeds: int | None = None,
    memo: dict | None = None,
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
    complete : bool
        The ledger holds complete records (official, reconciling with the published totals): its sums are
        exact, so it is not bootstrapped; only the modelled inputs (population, weights) vary.
    fixed_totals : bool
        Keep each programme's yearly totals in every bootstrap draw (they are published).
    counterfactual_seeds : int, optional
        Seeds per counterfactual ensemble (simulated ledger only; default ``min(seed_ensemble, 10)``, 0 = none).
    memo : dict, optional
        The population and grant draws are reused from it (``input_draws``); default: the memo kept with
        ``inp`` (:func:`~shunde_workbook.analysis.input_draws.memo_for`), so the calls of one report share them.
    """
    model = model or UncertaintyModel()
    towns = inp.towns.index
    d = int(model.draws)
    base = draw_inputs(inp, model, complete, fixed_totals, memo_for(inp) if memo is None else memo)
    plan_2023, programmes, ranges, central_pop = base.plan_2023, base.programmes, base.ranges, base.central_pop
    rng_weights = streams(model.seed)[2]
    names = list(need_weights)
    weights = draw_need_weights(need_weights, d, rng_weights, model.weight_concentration)
    central_w = draw_need_weights(need_weights, 1, rng_weights, None)
    plan = dict(plan_totals) if plan_totals is not None else {p: plan_2023[p] for p in plan_2023 if p in programmes}
    missing = [p for p in plan if p not in programmes]
    if missing:
        raise ValueError(f"evidence: plan_totals name programmes not in the ledger: {missing}")
    plan_idx = [programmes.index(p) for p in plan]
    calc = Recompute(
        towns=inp.towns,
        villages=inp.villages,
        scope={k: inp.params.get(k) for k in ("programmes", "year_start", "year_end", "fields")},
        programmes=programmes,
        need_names=names,
        plan=list(plan.values()),
        plan_idx=plan_idx,
        floor_share=floor_share,
        top_n=top_n,
        central_pop=central_pop,
        central_w=central_w,
        knobs=dict(model.simulator_knobs),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        draws = calc.run(base.grants, base.pop, weights, base.counts)
        point = calc.run(base.point_grants, central_pop, central_w, base.point_counts)
        simulated = inp.statuses.get("ledger") == "simulated"
        ensemble = None
        if simulated and model.seed_ensemble > 0:
            ensemble = calc.on_seeds(model.seed_ensemble)
            calc.seeds = (
                min(model.seed_ensemble, COUNTERFACTUAL_SEEDS) if counterfactual_seeds is None else counterfactual_seeds
            )
    notes = [f"{t}: {b}" for t, b in ranges["basis"].items()]
    return Evidence(
        towns,
        draws,
        point,
        ensemble,
        model,
        ranges,
        names,
        weights,
        simulated,
        notes,
        {},
        complete,
        fixed_totals,
        calc if simulated else None,
    )


def clear_caches(*inputs: Inputs) -> None:
    """Forget what this process remembers between evidence calls (bootstraps, simulated ledgers, ensembles, metrics).

    ``inputs``: loaded inputs whose kept input draws (:attr:`Inputs.draws_memo`) are forgotten too.
    For benchmarks that time the work from scratch; results never depend on it.
    """
    from shunde_workbook.analysis import quantities, recompute, uncertainty

    for inp in inputs:
        inp.draws_memo.clear()

    uncertainty._BOOTSTRAPS.clear()
    uncertainty._SIMULATED.clear()
    recompute.clear()
    quantities._THEIL.clear()
    mc._ORG_METRICS.clear()


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
        ev = evidence(inp, need_weights, floor_share, model=replace(base, **knobs), counterfactual_seeds=0)
        point = ev.point_value(metric)
        rows[name] = ev.interval(metric, level=level)
    if inp.statuses.get("ledger") == "simulated" and base.seed_ensemble > 0:
        ev = evidence(
            inp,
            need_weights,
            floor_share,
            model=replace(base, **{**still, "seed_ensemble": base.seed_ensemble}),
            counterfactual_seeds=0,
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


def _cache_file(params: Mapping, basis: tuple = ()) -> Path | None:
    """Where the runner's per-run cache keeps the evidence for ``params`` (None outside a run)."""
    from shunde_workbook.data.cache import input_hash
    from shunde_workbook.params import resolve_path

    cache = run_folder()
    if cache is None:
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
        basis=list(basis),
    )

    for name in ("ledger_path", "towns_path", "population_path"):
        if params.get(name):
            key[name] = input_hash(resolve_path(params[name]))
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return cache / f"evidence-{digest[:24]}.pkl"


#: Published facts whose match makes the ledger's totals published (``for_params``).
TOTAL_FACTS = ("F01", "F02")


def sampling_basis(inp: Inputs, reconciled: pd.DataFrame | None) -> tuple[bool, bool]:
    """``(complete, fixed_totals)`` for a run.

    Complete records: official provenance and totals matching the published ones (exact sums, no
    bootstrap).  Fixed totals: the published totals are kept in every bootstrap draw.
    """
    status = reconciled.set_index("fact_id")["status"] if reconciled is not None and len(reconciled) else {}
    matches = all(f in status and status[f] == "pass" for f in TOTAL_FACTS)
    return bool(matches and inp.statuses.get("ledger") == "official"), bool(matches)


def for_params(
    inp: Inputs, params: Mapping, point_only: bool = False, reconciled: pd.DataFrame | None = None, memo=None
) -> Evidence:
    """The evidence behind a report's findings and tables, from the run's parameters.

    ``reconciled`` (``data.reconcile.reconcile`` of the full ledger; computed when not given) decides the
    sampling basis (:func:`sampling_basis`); ``memo``: as for :func:`evidence`.

    ``point_only`` repeats the point inputs in every draw (no uncertainty at all), for findings
    whose grade does not depend on the draws; it is cheap and not cached.

    Intervals must be on the basis of the point values they accompany.  On the default census-anchored
    basis every town has an estimate in the point values and in every draw; on the published figures the
    studies leave a town without a population figure out (they do not impute one), so these draws do not
    impute it either.  Inside a
    run, the first report to need the evidence stores it in the runner's per-run cache and the others read
    it (the draws are seeded, so every report would compute the same numbers).
    """
    if reconciled is None:
        from shunde_workbook.analysis.reconciled import reconciled as reconcile

        reconciled = reconcile(inp)
    complete, fixed = sampling_basis(inp, reconciled)
    cached = None if point_only else _cache_file(params, (complete, fixed))
    model = UncertaintyModel.from_params(params)
    model = UncertaintyModel.none(model.draws) if point_only else replace(model, impute_missing_population=False)
    memo = memo_for(inp) if memo is None else memo
    with _computing(cached):  # kernels needing the same evidence wait for the first one, then read it
        if cached is not None and cached.exists():
            ev = pd.read_pickle(cached)
            ev.cache_path = cached
            if _draws_file(cached).exists():  # the input draws too (the explorer's), read when asked for
                memo.setdefault(model_key(model, complete, fixed), OnDisk(_draws_file(cached)))
            return ev
        ev = evidence(
            inp,
            params.get("need_weights") or DEFAULT_NEED_WEIGHTS,
            params.get("floor_share", 0.3),
            model=model,
            top_n=params.get("top_n", 10),
            complete=complete,
            fixed_totals=fixed,
            counterfactual_seeds=0 if point_only else None,
            memo=memo,
        )
        if cached is not None:
            drawn = memo.get(model_key(model, complete, fixed))
            if isinstance(drawn, InputDraws):
                _store(drawn, _draws_file(cached))  # before the evidence: a report that finds one finds both
            _store(ev, cached)
    ev.cache_path = cached
    return ev


def _draws_file(cached: Path) -> Path:
    return cached.with_name(f"{cached.stem}-draws.pkl")
