"""Measures-only sweeps: every measure, its 90 % interval and every finding's grade per set, without notebooks.

``shunde-workbook sweep SWEEP.yaml --measures-only`` calls the package directly for each
parameter set (no Jupyter kernel, no report):

* :func:`~shunde_workbook.analysis.evidence.evidence` draws the inputs and computes every
  district and town metric of :mod:`shunde_workbook.metrics.montecarlo` for all draws at
  once; each metric gives its point value and 90 % interval;
* the studies (overview, distribution, fairness, scenarios) build the findings of the policy
  brief, and :func:`~shunde_workbook.narrative.assess.assess` grades them on the same draws.

One row per set, measure and town (:data:`COLUMNS`) goes to ``<outputs>/measures.parquet``;
:func:`shunde_workbook.results.load` reads it.  Work is shared across sets where the
arithmetic allows, and a set's numbers are the ones it gets computed alone
(``tests/test_measures_exact.py``): a worker process loads each distinct input (ledger
filter, town table) once; the population and grant draws and the ledger's counts are drawn
once per inputs and model (``analysis.input_draws``) and the seed ensemble once per model
(``analysis.recompute``); the input-only studies (overview, distribution, reconciliation)
and the scenarios' input tables are computed once, the fairness study and the allocation
rules other than the floor's once per need weights; the village Theil, HHI and top-n share
of a shared bootstrap once (``metrics.recall``); the intervals of all town metrics come from
one quantile call over a stacked array, for the metrics the set changed.  Sets are sent to
workers in chunks (:func:`chunks`) through a process pool or Dask
(:mod:`shunde_workbook.experiments.measures_sweep`), and the table is built over all sets at
once (:func:`table`).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

#: Columns of the measures table, in order (``docs/sweeps.md``).
COLUMNS = (
    "set_index",
    "set_id",
    "parameters",
    "x",
    "measure",
    "town",
    "value",
    "lo",
    "hi",
    "grade",
    "finding",
    "source",
)
#: Parameters that do not change a run's inputs (sets differing only in these share one loaded
#: :class:`Inputs`); any other parameter, including one added later, is part of the inputs' key.
NOT_INPUT_PARAMS = (
    "language",
    "amount_unit",
    "scheme",
    "k",
    "breaks",
    "need_weights",
    "floor_share",
    "top_n",
    "allocation_unit",
    "draws",
    "uncertainty_seed",
    "population_uncertainty",
    "weight_concentration",
    "seed_ensemble",
)
_MEMO: dict[str, dict] = {}  # per process: input key -> {"inputs", "studies", "reconciliation"}
_MEMO_SIZE = 4


def input_key(merged: dict) -> str:
    """The key of the inputs a set reads (files and filters)."""
    kept = {k: v for k, v in merged.items() if k not in NOT_INPUT_PARAMS}
    return json.dumps(kept, sort_keys=True, default=str, ensure_ascii=False)


def shared(merged: dict) -> dict:
    """Inputs, input-only studies and reconciliation of ``merged``, loaded once per process."""
    from shunde_workbook.analysis import studies
    from shunde_workbook.analysis.inputs import load_inputs
    from shunde_workbook.data.reconcile import reconcile

    key = input_key(merged)
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        inp = load_inputs(merged, boundaries=False)
        _MEMO[key] = {
            "inputs": inp,
            "overview": studies.overview(inp),
            "distribution": studies.distribution(inp),
            "reconciliation": reconcile(inp.full_ledger),
            "fairness": {},
            "scenarios": studies.scenario_inputs(inp),
            "draws": {},  # the evidence's population and grant draws, by model (analysis.input_draws)
        }
    return _MEMO[key]


def metric_rows(ev) -> list[dict]:
    """Point value and 90 % interval of every metric of ``ev`` (district rows have town "")."""
    from shunde_workbook.metrics import montecarlo as mc

    rows = []
    for name in mc.DISTRICT_METRICS:
        if name in ev.draws:
            lo, hi = mc.interval(ev.draws[name])
            rows.append(_row(f"metric.{name}", "", ev.point[name][0], lo, hi))
    names = [n for n in mc.TOWN_METRICS if n in ev.draws]
    if names:
        lo, hi = changed_intervals(np.hstack([ev.draws[n] for n in names]))  # (D, M*T): all town metrics at once
        t = len(ev.towns)
        for i, name in enumerate(names):
            point = ev.point[name][0]
            for j, town in enumerate(ev.towns):
                rows.append(_row(f"metric.{name}", str(town), point[j], lo[i * t + j], hi[i * t + j]))
    return rows


_PREVIOUS: list = []  # per process: (x, lo, hi) of the last set's town metrics


def changed_intervals(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`intervals` of ``x``, computed only for the columns whose draws differ from the previous call's.

    Consecutive sets of a sweep often change a few metrics only (a new floor share moves two of the
    nineteen town metrics); the others keep the interval computed from the very same draws.
    """
    prev = _PREVIOUS[0] if _PREVIOUS else None
    if prev is None or prev[0].shape != x.shape:
        lo, hi = intervals(x)
    else:
        changed = ~np.all((x == prev[0]) | (np.isnan(x) & np.isnan(prev[0])), axis=0)
        lo, hi = prev[1].copy(), prev[2].copy()
        if changed.any():
            lo[changed], hi[changed] = intervals(x[:, changed])
    _PREVIOUS[:] = [(x, lo.copy(), hi.copy())]
    return lo, hi


def intervals(x: np.ndarray, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`metrics.montecarlo.interval` of every column of ``x`` (D, K), in one quantile call.

    Columns without ``NaN`` (nearly all) go through one vectorised ``np.quantile``; the others
    through ``mc.interval`` (which ignores ``NaN`` draws).  Same numbers as ``mc.interval``.

    >>> x = np.column_stack([np.arange(101.0), np.r_[np.nan, np.arange(100.0)]])
    >>> [v.round(6).tolist() for v in intervals(x)]
    [[5.0, 4.95], [95.0, 94.05]]
    """
    from shunde_workbook.metrics import montecarlo as mc

    level = mc.LEVEL if level is None else level
    lo, hi = np.full(x.shape[1], np.nan), np.full(x.shape[1], np.nan)
    gaps = np.isnan(x).any(axis=0)
    if (~gaps).any():
        lo[~gaps], hi[~gaps] = np.quantile(x[:, ~gaps], [(1 - level) / 2, (1 + level) / 2], axis=0)
    if gaps.any():
        lo[gaps], hi[gaps] = mc.interval(x[:, gaps], level)
    return lo, hi


def _row(measure, town, value, lo, hi, grade="", finding="", source="metric") -> dict:
    def num(v):
        return float(v) if v is not None and np.isfinite(v) else None

    return {
        "measure": measure,
        "town": town,
        "value": num(value),
        "lo": num(lo),
        "hi": num(hi),
        "grade": grade,
        "finding": finding,
        "source": source,
    }


def finding_rows(merged: dict, base: dict, ev) -> list[dict]:
    """The policy brief's findings for ``merged``, graded on ``ev``: one row per value, with its grade."""
    from shunde_workbook.analysis import studies
    from shunde_workbook.narrative import statements
    from shunde_workbook.narrative.assess import assess
    from shunde_workbook.results.writer import rows_for

    inp = base["inputs"]
    weights = merged.get("need_weights") or _default_weights()
    key = json.dumps([weights, merged.get("top_n", 10)], sort_keys=True)
    if key not in base["fairness"]:  # fairness does not depend on the floor share: once per weights
        base["fairness"][key] = studies.fairness(inp, weights, merged.get("top_n", 10))
    results = {
        "overview": base["overview"],
        "distribution": base["distribution"],
        "fairness": base["fairness"][key],
        "scenarios": studies.scenarios(
            inp, weights, merged.get("floor_share", 0.3), merged.get("allocation_unit", 0.1), base["scenarios"]
        ),
    }
    findings = (
        statements.overview_findings(results["overview"], inp.statuses)
        + statements.distribution_findings(results["distribution"], inp.towns, inp.statuses)
        + statements.fairness_findings(results["fairness"], inp.towns, inp.statuses)
        + statements.scenario_findings(results["scenarios"], inp.towns, inp.statuses)
    )
    assess(findings, results, ev, inp.statuses, base["reconciliation"], merged)
    return [
        _row(r["measure"], r["town"], r["value"], r["lo"], r["hi"], r["grade"], r["finding"], "finding")
        for r in rows_for("measures", findings)
    ]


def _default_weights() -> dict:
    from shunde_workbook.analysis.evidence import DEFAULT_NEED_WEIGHTS

    return DEFAULT_NEED_WEIGHTS


def measure_set(merged: dict, grades: bool = True) -> list[dict]:
    """Every metric with its interval and (``grades``) every graded finding of one parameter set.

    The evidence is drawn exactly as a report draws it (``evidence.for_params``, outside a run's cache).
    """
    from shunde_workbook.analysis.evidence import for_params
    from shunde_workbook.metrics import MissingDataWarning

    base = shared(merged)
    with warnings.catch_warnings():
        # expected and explained on the reports: a town with no population, empty draws
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", MissingDataWarning)
        ev = for_params(base["inputs"], merged, reconciled=base["reconciliation"], memo=base["draws"])
        rows = metric_rows(ev)
        if grades:
            rows += finding_rows(merged, base, ev)
    return rows


def measure_chunk(items: list[dict], grades: bool = True) -> list[dict]:
    """One worker task: :func:`measure_set` for each ``{"index", "id", "params", "x", "merged"}`` item.

    Returns ``{"index", "id", "rows" | "error"}`` per set; an error in one set does not lose the others.
    """
    out = []
    for item in items:
        try:
            rows = measure_set(item["merged"], grades)
            out.append({"index": item["index"], "id": item["id"], "rows": rows})
        except Exception as exc:  # noqa: BLE001 - reported per set, the sweep goes on
            out.append({"index": item["index"], "id": item["id"], "error": f"{type(exc).__name__}: {exc}"})
    return out


def chunks(items: list, workers: int, most: int = 25) -> list[list]:
    """Split ``items`` into chunks: at least four per worker (for balance), at most ``most`` items each.

    >>> [len(c) for c in chunks(list(range(10)), 2)]
    [2, 2, 2, 2, 2]
    >>> len(chunks(list(range(1000)), 2))
    40
    """
    n = max(1, min(len(items), max(4 * workers, -(-len(items) // most))))
    size = -(-len(items) // n)
    return [items[i : i + size] for i in range(0, len(items), size)]


def table(outcomes: dict[int, dict], plans, x: str | None) -> pd.DataFrame:
    """The tidy measures table of every set that succeeded (:data:`COLUMNS`), in set order.

    Built column by column over all sets at once (a thousand sets make some 200,000 rows).
    """
    from shunde_workbook.experiments.sweep_report import param_at

    done = [(p, outcomes[p.index]["rows"]) for p in plans if "rows" in outcomes.get(p.index, {})]
    if not done:
        return pd.DataFrame(columns=list(COLUMNS))
    sizes = [len(rows) for _, rows in done]
    rows = [r for _, part in done for r in part]

    def per_set(values, dtype=object) -> np.ndarray:
        return np.repeat(np.array(values, dtype=dtype), sizes)

    def at_x(p) -> float:
        value = param_at(p.merged, x)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else np.nan

    cols = {
        "set_index": per_set([p.index for p, _ in done], np.int64),
        "set_id": per_set([p.folder.name for p, _ in done]),
        "parameters": per_set([json.dumps(p.params, sort_keys=True, ensure_ascii=False) for p, _ in done]),
        "x": per_set([at_x(p) for p, _ in done], float),
    }
    for name in COLUMNS[4:]:
        if name in ("value", "lo", "hi"):
            cols[name] = np.array([r[name] for r in rows], dtype=float)  # None -> NaN
        else:
            cols[name] = [r[name] for r in rows]
    return pd.DataFrame(cols, columns=list(COLUMNS))


def write_table(df: pd.DataFrame, path) -> None:
    """Write ``df`` as Parquet atomically (a failed write keeps the previous table)."""
    import os
    from pathlib import Path

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False, engine="pyarrow")
    os.replace(tmp, path)
