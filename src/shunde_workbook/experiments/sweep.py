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
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from shunde_workbook.errors import ParameterError, RunError
from shunde_workbook.experiments.backends import overrides
from shunde_workbook.paths import OUTPUTS, ROOT


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


def load_sweep(path: str | Path) -> Sweep:
    """Read and check SWEEP.yaml's structure (parameter values are checked by :func:`validate_sweep`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ParameterError(f"Sweep file {path}: cannot read it ({exc.strerror}).") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"Sweep file {path} is not valid YAML: {exc}") from None
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


def run_sweep(path: str | Path, jobs: int | None = None, dask: str | None = None, force: bool = False) -> int:
    """Validate, run every set through the chosen backend, write the sweep report; return an exit code."""
    from shunde_workbook.experiments.sweep_report import write_sweep_report

    t0 = time.perf_counter()
    try:
        sweep = load_sweep(path)
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
    outcomes = backend.run(sweep, plans, force)
    report = write_sweep_report(sweep, plans, outcomes, wall=time.perf_counter() - t0)
    failed = [o for o in outcomes.values() if o["status"] != "ok"]
    print(
        f"Sweep done: {len(plans) - len(failed)} of {len(plans)} sets built, {len(failed)} failed; "
        f"wall time {time.perf_counter() - t0:.1f} s. Open {report}",
        flush=True,
    )
    return 1 if failed else 0
