"""How sure is each figure?  An input-uncertainty model and Monte Carlo evidence for every district metric.

Every headline number rests on inputs that are simulated (the default ledger),
weak (C-grade town populations; 均安 has none) or a matter of judgement (need
weights).  :func:`evidence` draws the inputs many times from the model below,
recomputes every metric of :mod:`shunde_workbook.metrics.montecarlo` for all
draws at once and returns an :class:`Evidence` holding the draws.

    from shunde_workbook.analysis import load_inputs, uncertainty
    inp = load_inputs(params, boundaries=False)
    ev = uncertainty.evidence(inp, params["need_weights"], params["floor_share"])
    ev.point_value("gini"), ev.interval("gini")          # central value and 90 % interval
    ev.interval("per_resident", town="440606005")        # one town: (lo, hi)
    ev.table("alloc_per_resident")                       # every town: point, lo, hi
    ev.probability(lambda d: d["gini"] > 0.1)            # share of draws where it holds
    ev.rank_probability("per_resident", lowest=True)     # chance each town is lowest
    ev.ensemble                                          # per simulator seed, or None (real ledger)
    uncertainty.evidence(inp, w, 0.3, model=uncertainty.UncertaintyModel.none())  # no uncertainty

The model (documented with its reasons in data/README.md, "Uncertainty model"):

* **population** by grade: A ±1 %, B ±5 %, C from the lowest to the highest comparable
  figure in ``town_population_sources.csv`` (常住/resident or unspecified totals; not 户籍 or
  floating), at least ±15 %; a town with no figure (均安) is imputed as the simulator does
  (median residents per 村(社区) of the other towns × its units), ±30 %.  Each range is the
  central 90 % of a two-piece uniform distribution with its median at the published figure;
  ``population_uncertainty`` scales every half-range (0 = fixed figures);
* **grants**: bootstrap of the ledger's rows within each programme × year (same count);
* **need weights**: Dirichlet with mean = the user's weights and concentration
  ``weight_concentration`` (None or 0 = fixed);
* **simulated ledger only**: ``seed_ensemble`` further ledgers from
  ``simulate_ledger(seed=1..n)`` (in memory, filtered like the run's ledger), giving
  :attr:`Evidence.ensemble`: how much a figure owes to the simulator's random splits.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from shunde_workbook import paths
from shunde_workbook.analysis.inputs import Inputs, filter_ledger
from shunde_workbook.errors import closest
from shunde_workbook.metrics import montecarlo as mc

__all__ = [
    "MODEL_DEFAULTS",
    "Evidence",
    "UncertaintyModel",
    "bootstrap_grants",
    "draw_need_weights",
    "draw_population",
    "evidence",
    "grant_totals",
    "population_ranges",
    "simulated_ledger",
]

#: Default of every model parameter, by its name in ``params.SPECS``.
MODEL_DEFAULTS = {
    "draws": 1000,
    "uncertainty_seed": 2023,
    "population_uncertainty": 1.0,
    "impute_missing_population": True,
    "weight_concentration": 50.0,
    "seed_ensemble": 20,
}
GRADE_HALF_WIDTH = {"A": 0.01, "B": 0.05}  # relative half-range (central 90 %)
C_MIN_HALF_WIDTH = 0.15
IMPUTED_HALF_WIDTH = 0.30
#: Figures in town_population_sources.csv comparable with a 常住 (resident) population.
COMPARABLE_METRICS = ("resident_population", "total_population_unspecified")
#: Town-summary columns computed from the ledger: not usable as need columns under uncertainty.
LEDGER_COLUMNS = (
    "amount",
    "grants",
    "villages_funded",
    "amount_share",
    "pop_share",
    "unit_share",
    "per_resident",
    "per_unit",
    "coverage",
    "rank_amount",
    "rank_per_resident",
)


@dataclass(frozen=True)
class UncertaintyModel:
    """What varies between draws, and how much (defaults: :data:`MODEL_DEFAULTS`)."""

    draws: int = MODEL_DEFAULTS["draws"]
    seed: int = MODEL_DEFAULTS["uncertainty_seed"]
    population_uncertainty: float = MODEL_DEFAULTS["population_uncertainty"]
    impute_missing_population: bool = MODEL_DEFAULTS["impute_missing_population"]
    bootstrap: bool = True
    weight_concentration: float | None = MODEL_DEFAULTS["weight_concentration"]
    seed_ensemble: int = MODEL_DEFAULTS["seed_ensemble"]
    simulator_knobs: Mapping = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.draws, bool) or int(self.draws) != self.draws or self.draws < 1:
            raise ValueError(f"UncertaintyModel: draws must be a positive integer, got {self.draws!r}")
        if not (self.population_uncertainty >= 0):
            raise ValueError(
                f"UncertaintyModel: population_uncertainty must be >= 0, got {self.population_uncertainty!r}"
            )
        if self.weight_concentration is not None and not (self.weight_concentration >= 0):
            raise ValueError(
                f"UncertaintyModel: weight_concentration must be None or >= 0, got {self.weight_concentration!r}"
            )
        if int(self.seed_ensemble) != self.seed_ensemble or self.seed_ensemble < 0:
            raise ValueError(f"UncertaintyModel: seed_ensemble must be an integer >= 0, got {self.seed_ensemble!r}")

    @classmethod
    def none(cls, draws: int = 1) -> UncertaintyModel:
        """Zero uncertainty: every draw equals the point inputs (no imputation, no bootstrap, no ensemble)."""
        return cls(
            draws=draws,
            population_uncertainty=0.0,
            impute_missing_population=False,
            bootstrap=False,
            weight_concentration=None,
            seed_ensemble=0,
        )

    @classmethod
    def from_params(cls, params: Mapping) -> UncertaintyModel:
        """The model named by run parameters (``draws``, ``uncertainty_seed``, … as in ``params.SPECS``)."""
        p = {**MODEL_DEFAULTS, **{k: v for k, v in params.items() if k in MODEL_DEFAULTS}}
        return cls(
            draws=p["draws"],
            seed=p["uncertainty_seed"],
            population_uncertainty=p["population_uncertainty"],
            impute_missing_population=p["impute_missing_population"],
            weight_concentration=p["weight_concentration"],
            seed_ensemble=p["seed_ensemble"],
        )


# --------------------------------------------------------------------------- population


def _alternatives(sources: pd.DataFrame | None) -> dict[str, list[float]]:
    if sources is None:
        path = paths.REFERENCE / "town_population_sources.csv"
        if not path.exists():
            return {}
        sources = pd.read_csv(path, encoding="utf-8-sig")
    ok = sources[sources["metric"].isin(COMPARABLE_METRICS)]
    values = pd.to_numeric(ok["value"], errors="coerce")
    return {str(t): v.dropna().tolist() for t, v in values.groupby(ok["town"])}


def population_ranges(
    towns: pd.DataFrame, scale: float = 1.0, impute_missing: bool = True, sources: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Central value and 90 % range of each town's population.

    Parameters
    ----------
    towns : pandas.DataFrame
        The run's town table (``Inputs.towns``): ``town``, ``population``, ``pop_grade``, ``village_units``.
    scale : float, default 1.0
        Multiplies every half-range (0 = fixed figures).
    impute_missing : bool, default True
        Impute a town with no figure at all (empty grade, e.g. 均安) as the simulator does.  Towns
        blanked by ``population_basis=official_only`` keep no population either way.
    sources : pandas.DataFrame, optional
        ``town, metric, value`` rows (default: ``data/reference/town_population_sources.csv``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``towns``: ``point``, ``lo``, ``hi`` (NaN without a population) and ``basis``.
    """
    alts = _alternatives(sources)
    pop = pd.to_numeric(towns["population"], errors="coerce").astype(float)
    units = towns["village_units"].astype(float)
    grade = towns.get("pop_grade", pd.Series("", index=towns.index)).fillna("").astype(str)
    per_unit = float((pop / units).median()) if pop.notna().any() else np.nan
    rows = {}
    for code in towns.index:
        m, g = pop[code], grade[code]
        if np.isfinite(m) and g in GRADE_HALF_WIDTH:
            h = GRADE_HALF_WIDTH[g]
            lo, hi, basis = m * (1 - h), m * (1 + h), f"grade {g}: ±{h:.0%}"
        elif np.isfinite(m):
            found = alts.get(str(towns.at[code, "town"]) if "town" in towns.columns else "", [])
            lo = min([m * (1 - C_MIN_HALF_WIDTH), *found])
            hi = max([m * (1 + C_MIN_HALF_WIDTH), *found])
            basis = f"grade {g or '?'}: comparable figures and at least ±{C_MIN_HALF_WIDTH:.0%}"
        elif g == "" and impute_missing and np.isfinite(per_unit):
            m = per_unit * units[code]
            lo, hi = m * (1 - IMPUTED_HALF_WIDTH), m * (1 + IMPUTED_HALF_WIDTH)
            basis = f"imputed: median residents per 村(社区) × units, ±{IMPUTED_HALF_WIDTH:.0%}"
        else:
            m = lo = hi = np.nan
            basis = "no population (left out of population-based metrics)"
        rows[code] = {"point": m, "lo": m - scale * (m - lo), "hi": m + scale * (hi - m), "basis": basis}
    out = pd.DataFrame.from_dict(rows, orient="index")
    bottom = out["point"] - (out["point"] - out["lo"]) * 10 / 9
    if (bottom <= 0).any():
        raise ValueError(
            f"population_ranges: scale {scale} lets populations reach zero for "
            f"{list(out.index[bottom <= 0])}; use a smaller population_uncertainty"
        )
    out.index.name = towns.index.name
    return out


def draw_population(ranges: pd.DataFrame, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Populations (draws, towns) from a two-piece uniform per town.

    Half the draws fall uniformly below the central value and half above; each half
    reaches 10/9 of its half-range, so exactly 90 % lie within ``[lo, hi]`` and the
    median is the published figure.  ``NaN`` ranges give ``NaN``.
    """
    m, lo, hi = (ranges[c].to_numpy(dtype=float) for c in ("point", "lo", "hi"))
    u = rng.random((draws, len(m)))
    below = m - (0.5 - u) / 0.45 * (m - lo)
    above = m + (u - 0.5) / 0.45 * (hi - m)
    return np.where(u < 0.5, below, above)


# --------------------------------------------------------------------------- need weights


def draw_need_weights(
    weights: Mapping[str, float], draws: int, rng: np.random.Generator, concentration: float | None = None
) -> np.ndarray:
    """Need weights (draws, columns), each row summing to 1.

    ``Dirichlet(concentration × w)`` over the columns with a positive weight ``w`` (normalised):
    its mean is ``w`` and the variance of weight ``c`` is ``w_c (1 - w_c) / (concentration + 1)``.
    Zero weights stay zero; ``None`` or 0 repeats ``w``.
    """
    w = np.array([float(v) for v in weights.values()])
    if w.size == 0 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"draw_need_weights: weights must be non-negative with a positive sum, got {dict(weights)}")
    w = w / w.sum()
    out = np.tile(w, (draws, 1))
    pos = w > 0
    if concentration and pos.sum() > 1:
        out[:, pos] = rng.dirichlet(concentration * w[pos], size=draws)
    return out


# --------------------------------------------------------------------------- grants


@dataclass
class GrantDraws:
    """Money per draw: ``by_programme`` (D, P, T) and ``org_totals`` (D, O)."""

    by_programme: np.ndarray
    org_totals: np.ndarray
    programmes: list


def _codes(ledger: pd.DataFrame, towns_index: pd.Index, programmes: list):
    town = pd.Index(towns_index).get_indexer(ledger["town_code"].astype(str))
    town = np.where(town < 0, len(towns_index), town)  # rows outside the town table: dropped
    prog = pd.Index(programmes).get_indexer(ledger["programme"])
    prog = np.where(prog < 0, len(programmes), prog)
    org, names = pd.factorize(ledger["recipient_name"])  # NaN → -1, dropped as groupby does
    org = np.where(org < 0, len(names), org)
    return town, prog, org, len(names), ledger["amount"].to_numpy(dtype=float)


def _sum(idx, town, prog, org, n_org, amount, d, n_towns, n_prog) -> GrantDraws:
    """Totals over the rows ``idx`` (D, N) of each draw."""
    a = amount[idx]
    cells = (n_prog + 1) * (n_towns + 1)
    key = np.arange(d)[:, None] * cells + prog[idx] * (n_towns + 1) + town[idx]
    by = np.bincount(key.ravel(), weights=a.ravel(), minlength=d * cells).reshape(d, n_prog + 1, n_towns + 1)
    okey = np.arange(d)[:, None] * (n_org + 1) + org[idx]
    orgs = np.bincount(okey.ravel(), weights=a.ravel(), minlength=d * (n_org + 1)).reshape(d, n_org + 1)
    return by[:, :n_prog, :n_towns], orgs[:, :n_org]


def grant_totals(ledger: pd.DataFrame, towns_index, programmes: list) -> GrantDraws:
    """The point totals of one ledger as a single draw."""
    town, prog, org, n_org, amount = _codes(ledger, towns_index, programmes)
    idx = np.arange(len(ledger))[None, :]
    by, orgs = _sum(idx, town, prog, org, n_org, amount, 1, len(towns_index), len(programmes))
    return GrantDraws(by, orgs, list(programmes))


def bootstrap_grants(
    ledger: pd.DataFrame, towns_index, programmes: list, draws: int, rng: np.random.Generator
) -> GrantDraws:
    """Stratified bootstrap: within each programme × year, resample as many rows as it has, with replacement."""
    town, prog, org, n_org, amount = _codes(ledger, towns_index, programmes)
    strata = ledger.groupby(["programme", "year"], sort=True).ngroup().to_numpy()
    order = np.argsort(strata, kind="stable")
    counts = np.bincount(strata)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    picks = [s + rng.integers(0, n, size=(draws, n)) for s, n in zip(starts, counts, strict=False) if n > 0]
    idx = order[np.concatenate(picks, axis=1)]
    by, orgs = _sum(idx, town, prog, org, n_org, amount, draws, len(towns_index), len(programmes))
    return GrantDraws(by, orgs, list(programmes))


_SIMULATED: dict[tuple, pd.DataFrame] = {}


def simulated_ledger(seed: int, knobs: Mapping | None = None) -> pd.DataFrame:
    """``simulate_ledger(seed=seed, **knobs)``, cached in memory per (seed, knobs); never written to disk."""
    from shunde_workbook.data.simulate import simulate_ledger

    knobs = dict(knobs or {})
    key = (int(seed), repr(sorted(knobs.items())))
    if key not in _SIMULATED:
        _SIMULATED[key] = simulate_ledger(seed=int(seed), **knobs)
    return _SIMULATED[key]


def _ensemble_grants(inp: Inputs, programmes: list, model: UncertaintyModel) -> GrantDraws:
    p = inp.params
    parts = []
    for seed in range(1, model.seed_ensemble + 1):
        led = filter_ledger(
            simulated_ledger(seed, model.simulator_knobs),
            p.get("programmes", ["众创共善", "和美社区"]),
            p.get("year_start", 2017),
            p.get("year_end", 2022),
            p.get("fields") or (),
        )
        parts.append(grant_totals(led, inp.towns.index, programmes))
    width = max(g.org_totals.shape[1] for g in parts)
    orgs = np.vstack([np.pad(g.org_totals, ((0, 0), (0, width - g.org_totals.shape[1]))) for g in parts])
    return GrantDraws(np.concatenate([g.by_programme for g in parts]), orgs, programmes)


# --------------------------------------------------------------------------- evidence


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

    def interval(self, name: str, town=None, level: float = 0.9, source: str = "draws"):
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

    def table(self, name: str, level: float = 0.9) -> pd.DataFrame:
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
    level: float = 0.9,
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
