"""``shunde-workbook sweep SWEEP.yaml``: run many parameter sets, each into its own folder.

SWEEP.yaml (documented in ``docs/sweeps.md``)::

    base: params/default.yaml          # parameter set every set starts from
    notebooks: [05_scenarios_2023]     # which notebooks to run (default: all)
    outputs: outputs/sweeps/weights    # default: outputs/sweeps/<file stem>
    grid:                              # a Cartesian product ... (or ``sets:``, a list of mappings)
      need_weights: [{population: 0.2, village_units: 0.8}, {population: 0.8, village_units: 0.2}]
    x: need_weights.population         # the parameter on the charts' horizontal axis (optional)
    measures:                          # what the sweep report shows across the sets
      - measure: scenarios.rule_top.need_weighted.amount        # a results-store measure
      - {table: 05_scenarios_2023__allocations, column: 3}     # a headline-table column, one line per row

Every set is validated (:func:`shunde_workbook.runner.runner.plan`) before anything
runs.  A set's folder is named by a hash of its parameters, so an unchanged set
reruns into the same folder and the runner's cache skips it.  Sets run through a
backend (:mod:`shunde_workbook.experiments.backends`): a local pool by default, or Dask.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from shunde_workbook.data.safe_yaml import read_yaml_file
from shunde_workbook.errors import ParameterError, RunError
from shunde_workbook.experiments.backends import overrides
from shunde_workbook.paths import OUTPUTS, ROOT
from shunde_workbook.runner.hygiene import Interrupted, Signals


@dataclass
class Sweep:
    """A parsed SWEEP.yaml: base parameter file, the sets (overrides of the base), notebooks, output folder."""

    source: Path
    base: Path
    sets: list[dict]
    notebooks: list[str] | None
    outputs: Path
    measures: list[dict] = field(default_factory=list)
    x: str | None = None


def _path(value: str, sweep_file: Path) -> Path:
    p = Path(value)
    if p.is_absolute():
        return p
    near = sweep_file.parent / p
    return near if near.exists() else ROOT / p


MAX_SETS = 10_000  # sets a sweep may have unless --max-sets says otherwise
MAX_SWEEP_FILE = 1024 * 1024  # bytes


def count_sets(data: dict) -> int:
    """How many sets a sweep's ``grid`` (product of the list lengths) or ``sets`` list makes, without expanding it."""
    if "grid" in data and isinstance(data["grid"], dict):
        return math.prod(len(v) if isinstance(v, list) else 1 for v in data["grid"].values())
    return len(data["sets"]) if isinstance(data.get("sets"), list) else 0


def load_sweep(path: str | Path, max_sets: int = MAX_SETS) -> Sweep:
    """Read and check SWEEP.yaml's structure (parameter values are checked by :func:`validate_sweep`).

    The file is read like a parameter file (a regular file, size cap, no anchors or aliases, no
    duplicate keys), and a sweep of more than ``max_sets`` sets is refused before any set is expanded.
    """
    path = Path(path)
    data = read_yaml_file(path, "Sweep file", MAX_SWEEP_FILE) or {}
    if isinstance(data, dict) and count_sets(data) > max_sets:
        raise ParameterError(
            f"Sweep file {path} makes {count_sets(data):,} parameter sets; at most {max_sets:,} are run "
            "(raise the limit with --max-sets, or make the grid smaller)."
        )
    if not isinstance(data, dict):
        raise ParameterError(f"Sweep file {path} must be a mapping with base, grid or sets, notebooks, measures.")
    unknown = set(data) - {"base", "grid", "sets", "notebooks", "outputs", "measures", "x"}
    if unknown:
        raise ParameterError(f"Sweep file {path}: unknown entries {sorted(unknown)}.")
    if ("grid" in data) == ("sets" in data):
        raise ParameterError(f"Sweep file {path}: give either 'grid' (values per name) or 'sets' (a list), not both.")
    if "grid" in data:
        grid = data["grid"]
        if not isinstance(grid, dict) or not grid or not all(isinstance(v, list) and v for v in grid.values()):
            raise ParameterError(f"Sweep file {path}: 'grid' maps each parameter to a non-empty list of values.")
        sets = [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())]
    else:
        sets = data["sets"]
        if not isinstance(sets, list) or not sets or not all(isinstance(s, dict) for s in sets):
            raise ParameterError(f"Sweep file {path}: 'sets' is a non-empty list of parameter mappings.")
    notebooks = data.get("notebooks")
    if notebooks is not None and (not isinstance(notebooks, list) or not notebooks):
        raise ParameterError(f"Sweep file {path}: 'notebooks' is a list of notebook names.")
    measures = [m if isinstance(m, dict) else {"measure": str(m)} for m in data.get("measures") or []]
    for m in measures:
        if not ({"measure"} <= set(m) or {"table", "column"} <= set(m)):
            raise ParameterError(f"Sweep file {path}: a measure is {{measure: NAME}} or {{table: KEY, column: C}}.")
    return Sweep(
        source=path,
        base=_path(str(data.get("base", "params/default.yaml")), path),
        sets=sets,
        notebooks=notebooks,
        outputs=_path(str(data["outputs"]), path) if data.get("outputs") else OUTPUTS / "sweeps" / path.stem,
        measures=measures,
        x=data.get("x"),
    )


def set_id(params: dict) -> str:
    """The folder name of a set: a hash of its parameters (same parameters, same folder, cache reused)."""
    return "set-" + hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:10]


@dataclass
class SetPlan:
    """One parameter set ready to run: its index, overrides, merged parameters, folder and report count."""

    index: int
    params: dict
    merged: dict
    folder: Path
    reports: int


def validate_sweep(sweep: Sweep) -> list[SetPlan]:
    """Validate every set before anything runs; raise ParameterError listing the problems of all sets."""
    from shunde_workbook.runner.runner import jobs_for, plan

    problems, plans = [], []
    for i, params in enumerate(sweep.sets, 1):
        try:
            reports, merged, per_report = plan(sweep.base, overrides(params), sweep.notebooks)
        except ParameterError as exc:
            problems.append(f"set {i} ({json.dumps(params, ensure_ascii=False)}):\n  " + str(exc).replace("\n", "\n  "))
            continue
        folder = sweep.outputs / set_id(params)
        n = len(jobs_for(reports, merged, per_report, folder, "python3"))
        plans.append(SetPlan(i, params, merged, folder, n))
    if problems:
        raise ParameterError(f"{len(problems)} of {len(sweep.sets)} sets are invalid:\n" + "\n".join(problems))
    return plans


def backend_for(dask: str | None, jobs: int | None):
    """The backend for ``--dask`` (None: local pool; ``local``: a LocalCluster; else a scheduler address)."""
    from shunde_workbook.experiments.backends import LocalPool

    if not dask:
        return LocalPool(jobs)
    from shunde_workbook.experiments.dask_backend import DaskBackend

    return DaskBackend(dask, jobs)


def run_sweep(
    path: str | Path, jobs: int | None = None, dask: str | None = None, force: bool = False, max_sets: int = MAX_SETS
) -> int:
    """Validate, run every set through the chosen backend, write the sweep report; return an exit code."""
    t0 = time.perf_counter()
    try:
        sweep = load_sweep(path, max_sets)
        plans = validate_sweep(sweep)
    except ParameterError as exc:
        print(f"Parameter error — nothing was run:\n{exc}", flush=True)
        return 2
    total = sum(p.reports for p in plans)
    try:
        backend = backend_for(dask, jobs)
    except RunError as exc:
        print(f"Cannot start: {exc}", flush=True)
        return 2
    sweep.outputs.mkdir(parents=True, exist_ok=True)
    print(
        f"shunde-workbook sweep: {len(plans)} sets × {total // max(1, len(plans))} reports = {total} reports, "
        f"backend {backend.describe()}; every set validated.",
        flush=True,
    )
    with Signals():
        try:
            outcomes = backend.run(sweep, plans, force)
        except Interrupted as sig:
            return _stopped(sweep, plans, sig, time.perf_counter() - t0)
    from shunde_workbook.experiments.sweep_report import write_sweep_report  # pandas: only once the sets ran

    report = write_sweep_report(sweep, plans, outcomes, wall=time.perf_counter() - t0)
    failed = [o for o in outcomes.values() if o["status"] != "ok"]
    print(
        f"Sweep done: {len(plans) - len(failed)} of {len(plans)} sets built, {len(failed)} failed; "
        f"wall time {time.perf_counter() - t0:.1f} s. Open {report}",
        flush=True,
    )
    return 1 if failed else 0


def _stopped(sweep: Sweep, plans: list[SetPlan], sig, wall: float) -> int:
    """The summary of a sweep stopped by SIGINT/SIGTERM (each started set stopped as a run does)."""
    import signal

    from shunde_workbook.experiments.backends import stop_sets
    from shunde_workbook.runner.hygiene import EXIT_CODES

    stop_sets(sig.signum)  # the local pool did this already; for other backends, any set run from here
    outcomes = getattr(sig, "outcomes", {})
    done = [p for p in plans if outcomes.get(p.index, {}).get("status") == "ok"]
    failed = [p for p in plans if outcomes.get(p.index, {}).get("status") == "failed"]
    stopped = [p for p in plans if outcomes.get(p.index, {}).get("status") == "stopped"]
    started = [p for p in plans if p.folder.is_dir()]
    rest = len(plans) - len(done) - len(failed) - len(stopped)
    print(
        f"\nStopped by {signal.Signals(sig.signum).name} after {wall:.1f} s: {len(done)} of {len(plans)} sets built, "
        f"{len(failed)} failed, {len(stopped)} stopped while running, {rest} "
        f"not finished or not started. The folders of the {len(started)} started sets are consistent (check one with: "
        f"shunde-workbook check {started[0].folder if started else sweep.outputs}); the sweep report was not "
        "written. Run the same sweep again to finish: unchanged sets are skipped.",
        flush=True,
    )
    return EXIT_CODES.get(sig.signum, 1)
