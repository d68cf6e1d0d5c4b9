"""Plan, validate and run the reports; write the manifest and the index.

``shunde-workbook run`` calls :func:`run`.  The order of work is:

1. read the parameter set and ``--set`` overrides; validate every name and value against the notebooks'
   ``parameters`` cells (no kernel starts on a mistake);
2. expand per-town notebooks into one report per 镇街;
3. skip reports whose cache key (notebook, parameters, input hashes, package versions, package code) is
   unchanged, unless ``--force``; only a report's stamp (written last when it was committed) is trusted;
4. run the rest in a process pool (one process and kernel per job), each into its own staging folder;
5. commit each finished report under the lock (see :mod:`.commit`) and
   rewrite ``outputs/manifest.json`` and ``outputs/index.html`` after each.

A run where nothing changed still hashes every input and every stamped file and
rewrites the manifest and the index, but imports none of pandas, geopandas,
nbconvert, papermill or jupyter_client: input statuses are remembered by content
hash in ``outputs/.work/input-status.json``, the index's town map in
``outputs/.work/site/``, and the kernelspec is looked up only when a report runs
(``tests/test_noop_run.py``).

SIGINT and SIGTERM stop the pool and the kernels, print a summary and exit
with 130 or 143; the folder stays consistent whatever the interruption.
"""

from __future__ import annotations

import csv
import json
import math
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shunde_workbook.data.cache import input_hash
from shunde_workbook.errors import ParameterError, RunError, closest, user_error_names
from shunde_workbook.geo.names import town_slug
from shunde_workbook.narrative.text import LANGS, town_label, tr
from shunde_workbook.params import (
    SPECS,
    coerce,
    cross_check,
    declared_parameters,
    load_param_file,
    parse_set,
    resolve_path,
    validate,
)
from shunde_workbook.paths import NOTEBOOKS, OUTPUTS, PARAMS, ROOT, remove_tree, safe_name
from shunde_workbook.runner import commit as tx
from shunde_workbook.runner import manifest as mf
from shunde_workbook.runner import zygote
from shunde_workbook.runner.execute import Job, as_dict, kernel_name, run_job
from shunde_workbook.runner.hygiene import EXIT_CODES, Interrupted, Signals
from shunde_workbook.runner.kernels import WARM_IMPORTS, kernel_argv, worker_start
from shunde_workbook.runner.memory import PeakMemory
from shunde_workbook.runner.precompute import before_reports, open_run_cache
from shunde_workbook.runner.session import (
    State,
    commit_report,
    finish_plan,
    held_signals,
    lock_outputs,
    on_disk,
    say,
    stop,
)

INPUT_KINDS = mf.INPUT_KINDS


@dataclass
class NotebookSpec:
    """A notebook the runner knows how to run: its name, file, titles, per-town flag, order and index group."""

    name: str
    path: Path
    title: dict
    per_town: bool
    order: int
    group: str = ""  # the index page's group (``site.group_<group>``); "" for the brief and town profiles


def discover(notebooks_dir: Path = NOTEBOOKS) -> list[NotebookSpec]:
    """Every ``notebooks/*.ipynb`` whose name does not start with ``_``, in report order."""
    reports = []
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        if path.name.startswith("_"):
            continue
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("shunde_workbook", {})
        title = meta.get("title") or {lang: path.stem for lang in LANGS}
        order, group = int(meta.get("order", 50)), str(meta.get("group", ""))
        reports.append(NotebookSpec(path.stem, path, title, bool(meta.get("per_town")), order, group))
    return sorted(reports, key=lambda r: (r.order, r.name))


def _towns(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def plan(
    params_file: Path | None, overrides: list[str], only: list[str] | None, notebooks_dir: Path = NOTEBOOKS
) -> tuple[list[NotebookSpec], dict, dict[str, dict]]:
    """Validate parameters and pick the reports; raise ParameterError listing every problem."""
    reports = discover(notebooks_dir)
    declared: dict[str, dict] = {}  # every name any notebook declares: a parameter set serves them all
    per_report = {}
    for r in reports:
        per_report[r.name] = declared_parameters(r.path)
        for name, info in per_report[r.name].items():
            declared.setdefault(name, info)
    if only:
        names = {r.name for r in reports}
        unknown = [o for o in only if o not in names]
        if unknown:
            hints = {u: closest(u, names) for u in unknown}
            raise ParameterError(
                "; ".join(
                    f"--only: no notebook named '{u}'" + (f" (did you mean '{hint}'?)" if hint else "")
                    for u, hint in hints.items()
                )
                + f". Available: {', '.join(sorted(names))}."
            )
        reports = [r for r in reports if r.name in only]
    if not reports:
        raise ParameterError(f"No notebooks to run in {notebooks_dir}.")
    per_report = {r.name: per_report[r.name] for r in reports}
    file_params = coerce(load_param_file(params_file)) if params_file else {}
    set_params = coerce(parse_set(overrides))
    problems = validate(file_params, declared, source=str(params_file)) + validate(set_params, declared)
    merged = {**file_params, **set_params}
    problems += cross_check(merged)
    if problems:
        raise ParameterError("\n".join(problems))
    return reports, merged, per_report


def jobs_for(
    reports, merged, per_report, outputs: Path, kernel: str, timeouts: tuple = (600, None)
) -> list[tuple[Job, NotebookSpec, dict]]:
    """One job per report, and per town for per-town notebooks; each gets only the names it declares.

    A notebook's ``output_dir`` is the job's staging folder; ``timeouts`` is (per cell, per report).
    """
    language = merged.get("language", "zh")
    jobs = []
    for r in reports:
        declared = per_report[r.name]
        own = {
            k: (str(resolve_path(v)) if k in SPECS and SPECS[k].kind == "path" else v)
            for k, v in merged.items()
            if k in declared
        }
        title = r.title.get(language) or r.title.get("zh") or r.name

        def add(name: str, title: str, r=r, own=own, declared=declared, **runner_set):  # defaults bind the loop values
            name = safe_name(name, "report name")
            runner_set.update(project_root=str(ROOT), output_dir=str(tx.stage_dir(outputs, name)), report_name=name)
            params = {**own, **{k: v for k, v in runner_set.items() if k in declared}}
            shown = {**own, **({"town": runner_set["town"]} if "town" in runner_set else {})}
            job = Job(name, str(r.path), title, params, language, str(outputs), kernel, *timeouts)
            jobs.append((job, r, shown))

        if not r.per_town:
            add(r.name, title)
            continue
        towns_csv = resolve_path(
            merged.get("towns_path", declared.get("towns_path", {}).get("default", "data/reference/towns.csv"))
        )
        for row, t in enumerate(_towns(towns_csv), 2):
            code = str(t.get("town_code") or "").strip()
            if "town" in merged and code != merged["town"]:
                continue
            slug = town_slug(code, f"{towns_csv}, row {row}")  # the file name never comes from the table's text
            add(
                f"{r.name}-{slug}",
                tr("site.title_for_town", language, title=title, town=town_label(code, language)[:60]),
                town=code,
            )
    return jobs


def _inputs(merged: dict, per_report: dict, status_cache: Path | None = None) -> dict[str, dict]:
    """Every input file of the run with its hash and provenance status (remembered in ``status_cache``).

    A status not remembered there is None: it is read from the file later (``manifest.fill_statuses``),
    by the run's zygote when reports run, so that the runner needs neither pandas nor pyogrio.
    """
    paths: dict[str, Path] = {}
    for decl in per_report.values():
        for name in INPUT_KINDS:
            if name in decl:
                paths[name] = resolve_path(merged.get(name, decl[name]["default"]))
    out = {}
    for name, path in paths.items():
        if path.exists():
            digest = input_hash(path)
            out[str(path)] = {
                "parameter": name,
                "sha256": digest,
                "status": mf.cached_input_status(INPUT_KINDS[name], path, digest, status_cache, compute=False),
            }
    ref = ROOT / "data" / "reference"
    for path in sorted(ref.glob("*.csv")) if ref.exists() else []:
        out.setdefault(str(path), {"parameter": None, "sha256": input_hash(path), "status": "published"})
    return out


def _previous(outputs: Path) -> dict:
    try:
        return {r["name"]: r for r in json.loads((outputs / "manifest.json").read_text("utf-8"))["reports"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


@dataclass(frozen=True)
class RunOptions:
    """What to run and how: the options of one :func:`run` (the ``run`` subcommand's flags)."""

    params_file: Path | None = PARAMS / "default.yaml"  # None: only the notebooks' own defaults
    overrides: list[str] | tuple[str, ...] = ()  # ``NAME=VALUE`` strings, as ``--set`` takes them
    only: list[str] | None = None  # notebook names (without .ipynb); None: every notebook
    jobs: int | None = None  # reports at once; None: the number of cores
    force: bool = False  # rebuild reports whose cache key still holds
    outputs: Path = OUTPUTS
    notebooks_dir: Path = NOTEBOOKS
    cell_timeout: float = 600  # seconds a cell may run
    report_timeout: float | None = None  # seconds a report may run; None: no limit


def run(options: RunOptions | None = None, /, **fields) -> int:
    """Run the reports; return the exit code (0 all good, 1 a report failed, 2 cannot start, 130/143 stopped).

    Give a :class:`RunOptions`, or its fields as keywords (``run(outputs=out, jobs=1)``), not both.
    """
    if options is not None and fields:
        raise TypeError("run() takes a RunOptions or its fields as keywords, not both")
    opts = options if options is not None else RunOptions(**fields)
    with Signals():
        try:
            return _start(opts)
        except Interrupted as sig:  # before the lock was taken: nothing written yet
            say(f"Stopped by {signal.Signals(sig.signum).name} before any report started; nothing was written.")
            return EXIT_CODES[sig.signum]


def _start(opts: RunOptions) -> int:
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    limits = [opts.cell_timeout] + ([opts.report_timeout] if opts.report_timeout is not None else [])
    if not all(isinstance(t, int | float) and math.isfinite(t) and t > 0 for t in limits):
        say("Parameter error — nothing was run:\nthe cell and report timeouts must be finite positive seconds")
        return 2
    try:
        reports, merged, per_report = plan(opts.params_file, list(opts.overrides or []), opts.only, opts.notebooks_dir)
    except ParameterError as exc:
        say(f"Parameter error — nothing was run:\n{exc}")
        return 2
    outputs = Path(opts.outputs).resolve()
    try:
        lock = lock_outputs(outputs)
    except RunError as exc:
        say(f"Cannot start: {exc}")
        return 2
    from shunde_workbook.data.cache import CACHE_ENV

    saved = os.environ.get(CACHE_ENV)
    try:
        state = State(outputs, started, t0, opts.params_file, merged)
        try:
            timeouts = (opts.cell_timeout, opts.report_timeout)
            return _run_locked(reports, per_report, opts.jobs, opts.force, timeouts, state)
        except ParameterError as exc:  # a towns table that cannot name the per-town reports
            say(f"Parameter error — nothing was run:\n{exc}")
            return 2
        except Interrupted as sig:
            return stop(state, sig.signum)
    finally:
        lock.seek(0)
        lock.truncate()  # an empty lock file: the last run ended cleanly
        lock.close()
        if saved is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = saved


def _run_locked(reports, per_report, jobs, force, timeouts, state: State) -> int:
    outputs, merged = state.outputs, state.merged
    remove_tree(outputs / ".work" / "stage", outputs)  # left by an interrupted run
    state.status_cache = outputs / ".work" / "input-status.json"
    state.inputs = inputs = _inputs(merged, per_report, state.status_cache)
    hashes = {p: i["sha256"] for p, i in inputs.items()}
    planned = jobs_for(reports, merged, per_report, outputs, "", timeouts)  # kernel chosen below, if any runs
    previous = _previous(outputs)
    records, todo = state.records, state.todo
    for job, report, own in planned:
        key = mf.cache_key(Path(job.notebook), job.parameters | {"_title": job.title}, hashes)
        nb = Path(job.notebook)
        rec = {
            "name": job.name,
            "notebook": str(nb.relative_to(ROOT)) if nb.is_relative_to(ROOT) else job.notebook,
            "title": job.title,
            "parameters": own,
            "cache_key": key,
            "order": report.order,
            "per_town": report.per_town,
            "group": report.group,
        }
        records[job.name] = rec
        stamp = tx.valid_stamp(outputs, job.name)
        if not force and stamp and stamp.get("cache_key") == key:
            rec.update(status="cached", files=stamp.get("files", {}), built_at=stamp.get("built_at"), seconds=0.0)
            rec["run_started"] = stamp.get("run_started")
        else:
            unfinished = {"exception": "Unfinished", "message": "the run building this report did not finish"}
            on_disk(rec, stamp, "failed", unfinished)
            rec["_key"] = key
            todo.append(job)
    finish_plan(state, previous)
    state.njobs = njobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    cached = len(planned) - len(todo)
    if todo:  # finding the kernelspec imports jupyter_client: only when a kernel will start
        state.kernel = kernel = kernel_name()
        for job in todo:
            job.kernel_name = kernel
    else:
        state.fill_statuses()  # with reports to run, the zygote's child reads them (runner.precompute)
    say(
        f"shunde-workbook: {len(planned)} reports, {cached} unchanged (skipped), {len(todo)} to run"
        + (f" with {njobs} parallel job(s), kernel '{state.kernel}'." if todo else ".")
    )
    failures = []
    with PeakMemory() as mem:
        state.mem = mem
        if todo:
            cache = outputs / ".work" / "cache"
            open_run_cache(cache)
            state.zygote = zygote.start(kernel_argv(kernel), WARM_IMPORTS)  # forks the workers' kernels
            ctx = multiprocessing.get_context("spawn")
            # Longest first (by last build time) so the workers finish together.
            todo.sort(key=lambda j: -(previous.get(j.name) or {}).get("seconds", 0.0) or 0.0)
            for job in todo[: len(todo) - njobs]:  # each worker's last report needs no next kernel
                job.warm_next = True
            try:
                queue, lost, done = list(todo), set(), 0
                while queue:  # a second round only for reports whose worker process was lost (retried once)
                    # the workers boot their kernels while the ledgers are validated (not again in a retry)
                    before = None if lost else (lambda: before_reports(state, cache))
                    pool, futures = _start_pool(state, ctx, min(njobs, len(queue)), kernel, queue, before)
                    if not lost:  # the first index page, while the first reports run (its map and font take ~1.5 s)
                        state.publish()
                    queue = []
                    for fut in as_completed(futures):
                        job = futures[fut]
                        if isinstance(fut.exception(), BrokenProcessPool) and job.name not in lost:
                            lost.add(job.name)  # killed (kill -9, out of memory): every report in flight is retried
                            queue.append(job)
                            continue
                        done += 1
                        res = _result(fut, job)
                        rec = records[job.name]
                        if res["status"] == "ok":
                            res = commit_report(state, job, res, rec)
                        if res["status"] == "ok":
                            say(f"[{done}/{len(todo)}] ok      {job.name}  ({res['seconds']:.1f} s)")
                        else:
                            on_disk(rec, tx.valid_stamp(outputs, job.name), "failed", res.get("error"))
                            rec["seconds"] = round(res["seconds"], 2)
                            failures.append(rec)
                            say(f"[{done}/{len(todo)}] FAILED  {job.name}  ({res['seconds']:.1f} s)")
                        state.finished.append(job.name)
                        state.peak = max(state.peak, mem.peak)
                        state.publish()
                    pool.shutdown()
                    if queue:
                        say(f"A worker process was lost; running again once: {', '.join(j.name for j in queue)}.")
            finally:
                state.close_zygote()
    state.peak = mem.peak
    for rec in records.values():
        rec.pop("_key", None)
    state.publish()
    wall = time.perf_counter() - state.t0
    for rec in failures:
        say(_failure_summary(rec))
    ok = sum(r["status"] == "ok" for r in records.values())
    say(
        f"Done: {ok} built, {cached} unchanged, {len(failures)} failed. Wall time {wall:.1f} s, "
        f"peak memory {mem.peak / 2**20:.0f} MB (runner, workers and kernels together)."
    )
    say(f"Open {outputs / 'index.html'}")
    from shunde_workbook.publish.browser import PDF_REPORTS, chromium, no_chromium_hint

    if chromium() is None and any(job.name in PDF_REPORTS for job in todo):
        say(no_chromium_hint())
    return 1 if failures else 0


def _start_pool(state: State, ctx, workers: int, kernel: str, jobs: list[Job], before=None):
    """A process pool running ``jobs``; returns (pool, {future: job}).

    ``before`` runs in this process once the workers are starting, before any job is submitted.

    Signals are held while the pool starts its workers (a signal landing inside the executor's start-up
    left it unable to shut down); the workers inherit the mask and lift it once their own handlers are
    set (``hygiene.worker_init``), so a terminal's Ctrl-C never reaches them.
    """
    with held_signals():
        state.pool = pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=worker_start, initargs=(kernel,)
        )
        for _ in range(workers):  # each submission starts one worker process (and its first kernel) now
            pool.submit(int)
    if before is not None:
        before()
    return pool, {pool.submit(run_job, job): job for job in jobs}


def _result(fut, job: Job) -> dict:
    try:
        return as_dict(fut.result())
    except Exception as exc:  # noqa: BLE001 - a worker process died
        message = str(exc)
        if isinstance(exc, BrokenProcessPool):
            message = "the worker process running this report died twice (killed, or out of memory)"
        return {
            "name": job.name,
            "status": "failed",
            "seconds": 0.0,
            "files": {},
            "error": {
                "exception": "WorkerLost" if isinstance(exc, BrokenProcessPool) else type(exc).__name__,
                "message": message,
            },
        }


#: Failures whose message already names the cause; none of them is a bug.
NOT_A_BUG = ("Timeout", "DiskFull", "Cancelled", "WorkerLost", "KernelDied")


def _failure_summary(rec: dict) -> str:
    """What failed, where, and whose it is: the inputs, the notebook's own code, or the workbook (a bug)."""
    err = rec.get("error") or {}
    cell = err.get("exec_count")
    where = f"cell {cell}" if cell is not None else "before or after execution"
    kept = err.get("partial_notebook")
    what = f"{err.get('exception')} in {where}: {err.get('message')}"
    trace = ""
    if err.get("exception") in NOT_A_BUG:
        what, hint = f"{err.get('exception')}: {err.get('message')}", ""
    elif err.get("exception") in user_error_names():  # a problem with the inputs or parameters, not a bug
        hint = "  This is a problem with the inputs or parameters: the message says what to change.\n"
    elif err.get("origin") == "notebook":  # raised by the notebook's own code: the author's error, shown whole
        line = f", line {err['line']}" if err.get("line") else ""
        code = f": {err['code'].strip()}" if err.get("code") else ""
        hint = f"  The notebook's own code raised it (cell {err.get('cell', cell)}{line}{code}); fix that cell.\n"
        trace = err.get("kernel_traceback") or ""
    else:
        hint = "  This looks like a bug in the workbook: please report it" + (
            " with the kept notebook.\n" if kept else ", with the command you ran.\n"
        )
        trace = err.get("kernel_traceback") or ""
    shown = "".join(f"    {ln}\n" for ln in trace.splitlines()[-40:])
    return (
        f"\nFAILED {rec['name']} ({rec['notebook']}): {what}\n"
        + hint
        + shown
        + (f"  Partially executed notebook kept for debugging: {kept}\n" if kept else "")
        + ("  The previous good report is still in place.\n" if rec.get("files") else "")
    )
