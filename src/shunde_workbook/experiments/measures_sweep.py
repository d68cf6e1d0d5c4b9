"""Run a measures-only sweep: validate every set, compute its measures on a local pool or Dask, write the table.

``shunde-workbook sweep SWEEP.yaml --measures-only`` ends here.  Sets go to workers in
chunks (:func:`shunde_workbook.experiments.measures.chunks`); each chunk is one task of
:func:`~shunde_workbook.experiments.measures.measure_chunk`.

* **Local pool** (default): ``--jobs`` worker processes forked from this one, so the
  loaded inputs are inherited rather than read again.
* **Dask** (``--dask local`` or ``--dask tcp://HOST:8786``): one task per chunk.  When a
  worker dies, the scheduler reruns its unfinished chunks on the others; the table keeps
  one result per set whatever ran twice, so every set appears exactly once.  A LocalCluster's
  workers are forked after this process has measured the first set, as the pool's are.

Outputs in the sweep's folder: ``measures.parquet`` (:data:`~shunde_workbook.experiments.measures.COLUMNS`),
``measures.json`` (the sets and their status) and ``measures.html``
(:mod:`shunde_workbook.experiments.measures_page`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from shunde_workbook.errors import ParameterError, RunError
from shunde_workbook.experiments.measures import chunks, measure_chunk, table, write_table
from shunde_workbook.experiments.sweep import SetPlan, load_sweep, set_id


def validate_sets(sweep) -> list[SetPlan]:
    """Check every set as ``shunde-workbook run`` would (the notebooks' declared names, cross-checks).

    The notebooks are read once, not once per set; raises ParameterError listing every invalid set.
    """
    from shunde_workbook.experiments.backends import overrides
    from shunde_workbook.params import coerce, cross_check, declared_parameters, load_param_file, parse_set, validate
    from shunde_workbook.runner.runner import discover

    declared: dict = {}
    for r in discover():
        for name, info in declared_parameters(r.path).items():
            declared.setdefault(name, info)
    file_params = coerce(load_param_file(sweep.base))
    base_problems = validate(file_params, declared, source=str(sweep.base))
    if base_problems:
        raise ParameterError(f"Base parameters {sweep.base}:\n" + "\n".join(base_problems))
    problems, plans = [], []
    for i, params in enumerate(sweep.sets, 1):
        set_params = coerce(parse_set(overrides(params)))
        merged = {**file_params, **set_params}
        found = validate(set_params, declared) + cross_check(merged)
        if found:
            text = "\n  ".join(found)
            problems.append(f"set {i} ({json.dumps(params, ensure_ascii=False)}):\n  {text}")
            continue
        plans.append(SetPlan(i, params, merged, sweep.outputs / set_id(params), 0))
    if problems:
        raise ParameterError(f"{len(problems)} of {len(sweep.sets)} sets are invalid:\n" + "\n".join(problems))
    return plans


def _items(plans) -> list[dict]:
    return [{"index": p.index, "id": p.folder.name, "merged": p.merged} for p in plans]


class _Progress:
    """``[sets 40/200] chunk 2/8 done, 3.1 s`` lines; duplicate results are ignored."""

    def __init__(self, n: int, done: dict | None = None):
        self.n, self.outcomes, self.t0, self.duplicates = n, dict(done or {}), time.perf_counter(), 0

    def add(self, results: list[dict], chunk: int, chunks: int) -> None:
        for r in results:
            if r["index"] in self.outcomes:
                self.duplicates += 1
                continue
            self.outcomes[r["index"]] = r
        failed = sum("error" in o for o in self.outcomes.values())
        print(
            f"[sets {len(self.outcomes)}/{self.n}] chunk {chunk}/{chunks} done"
            + (f", {failed} failed" if failed else "")
            + f", {time.perf_counter() - self.t0:.1f} s",
            flush=True,
        )


def run_local(items: list[dict], jobs: int, grades: bool = True, done: dict | None = None) -> dict:
    """Every item on ``jobs`` forked worker processes (or in this process for one job).

    ``done``: outcomes of sets already measured (counted in the progress lines and returned with the rest).
    """
    parts = chunks(items, jobs) if items else []
    progress = _Progress(len(items) + len(done or {}), done)
    if jobs <= 1:
        for i, part in enumerate(parts, 1):
            progress.add(measure_chunk(part, grades), i, len(parts))
        return progress.outcomes
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = {pool.submit(measure_chunk, part, grades): i for i, part in enumerate(parts, 1)}
        for fut in as_completed(futures):
            progress.add(fut.result(), futures[fut], len(parts))
    return progress.outcomes


def run_dask(
    items: list[dict], address: str, jobs: int, grades: bool = True, client=None, done: dict | None = None
) -> dict:
    """Every item as Dask tasks (one per chunk); a chunk lost with its worker is rerun by the scheduler.

    ``done``: as for :func:`run_local`.  A LocalCluster's workers are forked from this process, so they
    inherit what it has loaded and drawn for the sets it measured (as the local pool's workers do).
    """
    from contextlib import ExitStack

    from distributed import as_completed as dask_completed

    from shunde_workbook.experiments.dask_backend import DaskBackend

    backend = DaskBackend(address, jobs, client, fork=True)
    progress = _Progress(len(items) + len(done or {}), done)
    with ExitStack() as stack:
        c = backend._client(stack)
        workers = max(1, len(c.scheduler_info().get("workers", {})) or jobs)
        parts = chunks(items, workers)
        futures = {
            c.submit(measure_chunk, part, grades, key=f"measures-{i}-{time.time_ns()}", pure=False): i
            for i, part in enumerate(parts, 1)
        }
        for fut in dask_completed(list(futures)):
            i = futures[fut]
            try:
                progress.add(fut.result(), i, len(parts))
            except Exception as exc:  # noqa: BLE001 - a chunk lost too often: its sets fail, the rest go on
                error = f"{type(exc).__name__}: {exc}"
                failed = [{"index": it["index"], "id": it["id"], "error": error} for it in parts[i - 1]]
                progress.add(failed, i, len(parts))
    if progress.duplicates:
        print(f"({progress.duplicates} results of rerun chunks ignored: each set is kept once)", flush=True)
    return progress.outcomes


def run_measures_sweep(path, jobs: int | None = None, dask: str | None = None, grades: bool = True) -> int:
    """Validate, compute every set's measures, write the table, the sets file and the page; return an exit code."""
    from shunde_workbook.experiments.measures_page import write_page

    t0 = time.perf_counter()
    try:
        sweep = load_sweep(path)
        plans = validate_sets(sweep)
    except ParameterError as exc:
        print(f"Parameter error — nothing was run:\n{exc}", flush=True)
        return 2
    jobs = max(1, jobs or os.cpu_count() or 1)
    where = "local pool" if not dask else ("Dask LocalCluster" if dask == "local" else f"Dask scheduler {dask}")
    print(f"shunde-workbook sweep --measures-only: {len(plans)} sets, {where}; every set validated.", flush=True)
    items = _items(plans)
    try:
        if dask:
            from shunde_workbook.experiments.dask_backend import DaskBackend

            DaskBackend(dask, jobs)  # without dask and distributed: a RunError before any set runs
        if dask and dask != "local":
            outcomes = run_dask(items, dask, jobs, grades)
        else:
            # The first set here: the inputs, the bootstrap and the seed ensemble are then drawn once,
            # and the forked workers (of the pool or of a Dask LocalCluster) inherit them.
            first = measure_chunk(items[:1], grades)
            print(f"[sets 1/{len(items)}] set {first[0]['index']} done before the workers start", flush=True)
            done = {first[0]["index"]: first[0]}
            if dask:
                outcomes = run_dask(items[1:], dask, jobs, grades, done=done)
            else:
                outcomes = run_local(items[1:], jobs, grades, done=done)
    except RunError as exc:
        print(f"Cannot start: {exc}", flush=True)
        return 2
    compute = time.perf_counter() - t0
    sweep.outputs.mkdir(parents=True, exist_ok=True)
    df = table(outcomes, plans, sweep.x)
    write_table(df, sweep.outputs / "measures.parquet")
    failed = {i: o["error"] for i, o in outcomes.items() if "error" in o}
    missing = [p.index for p in plans if p.index not in outcomes]
    sets = [
        {
            "index": p.index,
            "id": p.folder.name,
            "parameters": p.params,
            "status": "ok" if p.index in outcomes and p.index not in failed else "failed",
            **({"error": failed[p.index]} if p.index in failed else {}),
        }
        for p in plans
    ]
    (sweep.outputs / "measures.json").write_text(
        json.dumps(
            {"source": str(sweep.source), "backend": where, "seconds": compute, "sets": sets},
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    page = write_page(sweep, plans, df, seconds=compute, backend=where)
    bad = len(failed) + len(missing)
    for i, err in sorted(failed.items())[:5]:
        print(f"set {i} failed: {err}", flush=True)
    print(
        f"Sweep done: {len(plans) - bad} of {len(plans)} sets measured in {compute:.1f} s "
        f"({len(plans) / max(compute, 1e-9):.1f} sets/s, {where}); "
        f"{sweep.outputs / 'measures.parquet'} ({len(df)} rows). Open {page}",
        flush=True,
    )
    return 1 if bad else 0
