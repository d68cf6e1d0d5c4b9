"""How sure is each figure?  An input-uncertainty model and Monte Carlo evidence for every district metric.

Every headline number rests on inputs that are simulated (the default ledger),
weak (C-grade town populations; 均安 has none) or a matter of judgement (need
weights).  :func:`evidence` draws the inputs many times from the model below,
recomputes every metric of :mod:`shunde_workbook.metrics.montecarlo` for all
draws at once and returns an :class:`Evidence` holding the draws.

    from shunde_workbook.analysis import evidence, load_inputs, uncertainty
    inp = load_inputs(params, boundaries=False)
    ev = evidence.evidence(inp, params["need_weights"], params["floor_share"])
    ev.point_value("gini"), ev.interval("gini")          # central value and 90 % interval
    ev.interval("per_resident", town="440606005")        # one town: (lo, hi)
    ev.table("alloc_per_resident")                       # every town: point, lo, hi
    ev.probability(lambda d: d["gini"] > 0.1)            # share of draws where it holds
    ev.rank_probability("per_resident", lowest=True)     # chance each town is lowest
    ev.ensemble                                          # per simulator seed, or None (real ledger)
    evidence.evidence(inp, w, 0.3, model=uncertainty.UncertaintyModel.none())  # no uncertainty

The model (documented with its reasons in data/README.md, "Uncertainty model"):

* **population**: on the default ``population_basis=census_anchored``, the census-anchored model
  of :mod:`shunde_workbook.analysis.population` (every town, each draw adding up to the 2020
  census total).  On the published figures (``best_available``/``official_only``), by grade:
  A ±1 %, B ±5 %, C from the lowest to the highest comparable
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

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shunde_workbook import paths
from shunde_workbook.analysis import population

__all__ = [
    "MODEL_DEFAULTS",
    "UncertaintyModel",
    "bootstrap_grants",
    "draw_need_weights",
    "draw_population",
    "grant_totals",
    "population_draws",
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


def population_draws(towns: pd.DataFrame, params: Mapping) -> np.ndarray:
    """The run's population draws (``draws`` × towns), the very ones behind the reports' intervals.

    Uses ``draws``, ``uncertainty_seed`` and ``population_uncertainty`` from ``params`` (defaults
    :data:`MODEL_DEFAULTS`) and the population stream of :func:`analysis.evidence.evidence`.  A
    census-anchored town table (the default) gives :func:`analysis.population.draws`, each row adding up
    to the census total; on the published figures the towns are drawn as the evidence does (no
    imputation: a town without a figure stays NaN).
    """
    p = {**MODEL_DEFAULTS, **{k: v for k, v in params.items() if k in MODEL_DEFAULTS}}
    rng = np.random.default_rng(np.random.SeedSequence(p["uncertainty_seed"]).spawn(3)[0])
    if population.is_anchored(towns):
        return population.draws(towns, p["draws"], rng, p["population_uncertainty"])
    return draw_population(population_ranges(towns, p["population_uncertainty"], False), p["draws"], rng)


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
    """Money per draw.

    ``by_programme`` (D, P, T), ``org_totals`` (D, O), ``by_year`` (D, Y) over ``years`` and
    ``by_village`` (D, V) over ``villages`` (the codes asked for; money to other codes is dropped).
    """

    by_programme: np.ndarray
    org_totals: np.ndarray
    programmes: list
    by_year: np.ndarray | None = None
    years: list = field(default_factory=list)
    by_village: np.ndarray | None = None
    villages: list = field(default_factory=list)


def _codes(ledger: pd.DataFrame, towns_index: pd.Index, programmes: list):
    town = pd.Index(towns_index).get_indexer(ledger["town_code"].astype(str))
    town = np.where(town < 0, len(towns_index), town)  # rows outside the town table: dropped
    prog = pd.Index(programmes).get_indexer(ledger["programme"])
    prog = np.where(prog < 0, len(programmes), prog)
    org, names = pd.factorize(ledger["recipient_name"])  # NaN → -1, dropped as groupby does
    org = np.where(org < 0, len(names), org)
    return town, prog, org, len(names), ledger["amount"].to_numpy(dtype=float)


def _extra_codes(ledger: pd.DataFrame, villages) -> tuple:
    """Year and village index of every row (village: position in ``villages``, else ``len(villages)``)."""
    years, year = np.unique(ledger["year"].to_numpy(dtype=int), return_inverse=True)
    codes = ledger["village_code"] if "village_code" in ledger else pd.Series("", index=ledger.index)
    vill = pd.Index([str(v) for v in villages]).get_indexer(codes.astype("string").fillna(""))
    vill = np.where(vill < 0, len(villages), vill)
    return year, [int(y) for y in years], vill


def _bin(idx, code, n, amount_rows, d) -> np.ndarray:
    """Sum of ``amount_rows`` (D, N) by ``code[idx]`` per draw: (D, n) (code ``n`` is dropped).

    ``idx`` None: ``code`` is already each pick's code, (D, N) or the same in every draw (1, N).
    """
    if idx is None:
        return _counted(np.arange(d)[:, None] * (n + 1) + code, n, amount_rows, d)
    key = code[idx]
    key += np.arange(d)[:, None] * (n + 1)  # in place: one (D, N) array less
    return _counted(key, n, amount_rows, d)


def _counted(key, n, amount_rows, d) -> np.ndarray:
    """Sum of ``amount_rows`` (D, N) by ``key`` (draw × (n + 1) + code, as :func:`_bin` makes it): (D, n)."""
    return np.bincount(key.ravel(), weights=amount_rows.ravel(), minlength=d * (n + 1)).reshape(d, n + 1)[:, :n]


def _sum(idx, cell, n_cells, org, n_org, a, d) -> tuple[np.ndarray, np.ndarray]:
    """Totals of the weights ``a`` (D, N) of the rows ``idx`` (D, N) of each draw: by cell and by organisation.

    ``cell``: each row's programme × town cell (:func:`_cells`), ``n_cells`` of them; the last programme
    and the last town of the grid hold the rows outside the tables and are dropped by the caller.
    """
    key = cell[idx]
    key += np.arange(d)[:, None] * n_cells  # in place: one (D, N) array less
    by = np.bincount(key.ravel(), weights=a.ravel(), minlength=d * n_cells)
    okey = org[idx]
    okey += np.arange(d)[:, None] * (n_org + 1)
    orgs = np.bincount(okey.ravel(), weights=a.ravel(), minlength=d * (n_org + 1)).reshape(d, n_org + 1)
    return by, orgs[:, :n_org]


def _cells(town, prog, n_towns: int, n_prog: int) -> tuple[np.ndarray, int, callable]:
    """Each row's programme × town cell, the number of cells, and the reshaping of a cell total (D, P, T)."""

    def shape(by: np.ndarray) -> np.ndarray:
        return by.reshape(-1, n_prog + 1, n_towns + 1)[:, :n_prog, :n_towns]

    return prog * (n_towns + 1) + town, (n_prog + 1) * (n_towns + 1), shape


def grant_totals(ledger: pd.DataFrame, towns_index, programmes: list, villages=()) -> GrantDraws:
    """The point totals of one ledger as a single draw (``villages``: codes to total money for)."""
    town, prog, org, n_org, amount = _codes(ledger, towns_index, programmes)
    cell, n_cells, shape = _cells(town, prog, len(towns_index), len(programmes))
    idx = np.arange(len(ledger))[None, :]
    a = amount[idx]
    by, orgs = _sum(idx, cell, n_cells, org, n_org, a, 1)
    year, years, vill = _extra_codes(ledger, villages)
    return GrantDraws(
        shape(by),
        orgs,
        list(programmes),
        _bin(idx, year, len(years), a, 1),
        years,
        _bin(idx, vill, len(villages), a, 1),
        list(villages),
    )


def bootstrap_grants(
    ledger: pd.DataFrame,
    towns_index,
    programmes: list,
    draws: int,
    rng: np.random.Generator,
    villages=(),
    keep_totals: bool = False,
) -> GrantDraws:
    """Stratified bootstrap: within each programme × year, resample as many rows as it has, with replacement.

    ``keep_totals`` rescales each stratum of each draw to the stratum's own total (a ratio-adjusted
    bootstrap): the yearly totals of each programme, and so the district total, are then the same in every
    draw, as they are when they are published; only how the money splits between towns, villages and
    organisations varies.  ``villages``: codes whose money ``by_village`` totals.

    The result is a function of the ledger, the arguments and the generator's state, so it is
    remembered: a second call with the same ledger and the same generator state (the tornado
    chart's grants-only row draws the same stream as the full evidence) returns the same
    draws and leaves ``rng`` in the state the computation would have.
    """
    key = (*_bootstrap_key(ledger, towns_index, programmes, draws, rng), tuple(map(str, villages)), bool(keep_totals))
    if key in _BOOTSTRAPS:
        result, state = _BOOTSTRAPS[key]
        rng.bit_generator.state = state
        return result
    result = _bootstrap(ledger, towns_index, programmes, draws, rng, list(villages), keep_totals)
    _BOOTSTRAPS.clear()  # one ledger per run: keep the latest only
    _BOOTSTRAPS[key] = (result, rng.bit_generator.state)
    return result


def _bootstrap_key(ledger: pd.DataFrame, towns_index, programmes: list, draws: int, rng) -> tuple:
    cols = ["programme", "year", "town_code", "recipient_name", "amount"]
    rows = pd.util.hash_pandas_object(ledger[cols], index=False).to_numpy()
    fingerprint = hashlib.sha256(rows.tobytes()).hexdigest()  # row order matters: it decides which rows are drawn
    return (fingerprint, tuple(map(str, towns_index)), tuple(programmes), int(draws), repr(rng.bit_generator.state))


def _bootstrap(
    ledger: pd.DataFrame, towns_index, programmes: list, draws: int, rng, villages: list, keep_totals: bool
) -> GrantDraws:
    town, prog, org, n_org, amount = _codes(ledger, towns_index, programmes)
    cell, n_cells, shape = _cells(town, prog, len(towns_index), len(programmes))
    year, years, vill = _extra_codes(ledger, villages)
    strata = ledger.groupby(["programme", "year"], sort=True).ngroup().to_numpy()
    stratum_total = np.bincount(strata, weights=amount)
    order = np.argsort(strata, kind="stable")
    counts = np.bincount(strata)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # The rows in stratum order: a pick is a position in this order, so it reads its row's values directly.
    amount, cell, org, vill = amount[order], cell[order], org[order], vill[order]
    # Column j of every draw picks a row of the same stratum (the picks are laid out stratum by stratum), so a
    # pick's stratum and year are those of its column: no need to look them up row by row.
    col_stratum = np.repeat(np.arange(len(counts)), counts)[None, :]
    col_year = year[order[starts]][col_stratum]
    # Resample in batches of draws so that memory stays bounded on a large ledger (rows × draws per batch).
    per = max(1, BOOTSTRAP_CELLS // max(1, len(ledger)))
    parts, year_keys = [], {}
    for first in range(0, draws, per):
        d = min(per, draws - first)
        pos = np.empty((d, len(ledger)), dtype=np.int64)
        for s, n in zip(starts, counts, strict=False):
            if n > 0:
                block = pos[:, s : s + n]
                block[...] = rng.integers(0, n, size=(d, n))
                block += s
        a = amount[pos]
        if keep_totals:
            drawn = _bin(None, col_stratum, len(counts), a, d)  # (d, S) each stratum's drawn total
            with np.errstate(invalid="ignore", divide="ignore"):
                factor = np.where(drawn > 0, stratum_total[None, :] / drawn, 1.0)
            a = a * factor[:, col_stratum[0]]
        by, orgs = _sum(pos, cell, n_cells, org, n_org, a, d)
        if d not in year_keys:  # the same in every batch of d draws
            year_keys[d] = np.arange(d)[:, None] * (len(years) + 1) + col_year
        by_year = _counted(year_keys[d], len(years), a, d)
        parts.append((shape(by), orgs, by_year, _bin(pos, vill, len(villages), a, d)))
    by, orgs, by_year, by_village = (np.concatenate([p[i] for p in parts]) for i in range(4))
    return GrantDraws(by, orgs, list(programmes), by_year, years, by_village, list(villages))


_SIMULATED: dict[tuple, pd.DataFrame] = {}
_BOOTSTRAPS: dict[tuple, tuple] = {}  # bootstrap_grants' memory: key -> (draws, generator state after)
#: Rows × draws resampled at once by :func:`bootstrap_grants` (about 32 MB per index array).
BOOTSTRAP_CELLS = 4_000_000


def simulated_ledger(seed: int, knobs: Mapping | None = None) -> pd.DataFrame:
    """``simulate_ledger(seed=seed, **knobs)``, cached in memory per (seed, knobs); never written to disk."""
    from shunde_workbook.data.simulate import simulate_ledger

    knobs = dict(knobs or {})
    key = (int(seed), repr(sorted(knobs.items())))
    if key not in _SIMULATED:
        _SIMULATED[key] = simulate_ledger(seed=int(seed), **knobs)
    return _SIMULATED[key]


def stack_grants(parts: list[GrantDraws]) -> GrantDraws:
    """One :class:`GrantDraws` with the rows of ``parts`` (ledgers of one shape: same towns and villages)."""
    width = max(g.org_totals.shape[1] for g in parts)
    orgs = np.vstack([np.pad(g.org_totals, ((0, 0), (0, width - g.org_totals.shape[1]))) for g in parts])
    years = sorted({y for g in parts for y in g.years})
    by_year = np.zeros((sum(g.by_programme.shape[0] for g in parts), len(years)))
    row = 0
    for g in parts:
        n = g.by_programme.shape[0]
        for j, y in enumerate(g.years):
            by_year[row : row + n, years.index(y)] = g.by_year[:, j]
        row += n
    return GrantDraws(
        np.concatenate([g.by_programme for g in parts]),
        orgs,
        parts[0].programmes,
        by_year,
        years,
        np.concatenate([g.by_village for g in parts]),
        parts[0].villages,
    )
