"""The run's session: the outputs lock, the state published after every step, commits and stopping.

Split from :mod:`.runner`; see its docstring for the order of work.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from shunde_workbook.errors import RunError
from shunde_workbook.paths import remove_tree
from shunde_workbook.runner import commit as tx
from shunde_workbook.runner import manifest as mf
from shunde_workbook.runner.execute import Job
from shunde_workbook.runner.hygiene import EXIT_CODES, clean_text, kill_trees
from shunde_workbook.runner.zygote import pid_alive


def say(msg: str) -> None:
    """Print ``msg`` for the terminal, without escape codes or control characters."""
    print(clean_text(msg), flush=True)


def lock_outputs(outputs: Path):
    """Refuse a second run on the same outputs folder while one is in progress; take over a stale lock."""
    if outputs.exists() and not outputs.is_dir():
        raise RunError(
            f"The outputs path {outputs} is a file, not a folder. Give --outputs a folder "
            "(it is created when missing), or move the file out of the way."
        )
    probe = outputs / f".write-test-{os.getpid()}"
    try:
        outputs.mkdir(parents=True, exist_ok=True)
        probe.write_text("ok")
        probe.unlink()
    except (FileExistsError, NotADirectoryError):
        raise RunError(f"The outputs path {outputs} cannot be a folder: part of it is a file.") from None
    except OSError as exc:
        raise RunError(
            f"The outputs folder {outputs} is not writable ({exc.strerror}). Reports cannot be saved. "
            "Fix its permissions, or run from a copy of the project where you can write."
        ) from None
    links = tx.symlinks(outputs)
    if links:
        shown = ", ".join(str(p.relative_to(outputs)) for p in links[:10])
        raise RunError(
            f"The outputs folder {outputs} contains symbolic links ({shown}{', …' if len(links) > 10 else ''}). "
            "A run writes only real files inside its own folder; remove the links and run again."
        )
    handle = open(outputs / ".run.lock", "a+")  # noqa: SIM115 - held for the whole run
    handle.seek(0)
    before = handle.read().strip()
    holder = re.match(r"pid (\d+)", before)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        gone = holder and not pid_alive(int(holder.group(1)))
        raise RunError(
            f"Another shunde-workbook run is already writing to {outputs} ({before or 'unknown'}). "
            + (
                "That runner has ended, but a process it started still holds the lock. Wait for it to finish "
                "(or stop it), then run again."
                if gone
                else "Wait for it to finish, then run again; two runs must not write the same reports."
            )
        ) from None
    if holder and int(holder.group(1)) != os.getpid() and not pid_alive(int(holder.group(1))):
        say(
            f"Note: a previous run ({before}) ended without finishing; taking over its lock. "
            "Reports it did not commit are rebuilt."
        )
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, started {datetime.now().isoformat(timespec='seconds')}")
    handle.flush()
    return handle


class State:
    """What a run has done so far, enough to publish a consistent manifest at any moment."""

    def __init__(self, outputs, started, t0, params_file, merged):
        self.outputs, self.started, self.t0 = outputs, started, t0
        self.params_file, self.merged = params_file, merged
        self.records: dict[str, dict] = {}
        self.todo: list[Job] = []
        self.finished: list[str] = []
        self.inputs: dict = {}
        self.status_cache: Path | None = None  # where the inputs' statuses are remembered (manifest.fill_statuses)
        self.kernel, self.njobs, self.peak, self.pool = "", 0, 0, None
        self.zygote = None  # forks the kernels (runner.zygote)
        self.planned = False  # every report of the run has its record (finish_plan)

    def fill_statuses(self) -> None:
        """Read the provenance status of every input still without one (``manifest.fill_statuses``)."""
        mf.fill_statuses(self.inputs, self.status_cache)

    def close_zygote(self) -> None:
        """End the run's zygote, and with it any kernel it forked that is still running."""
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None

    def publish(self) -> dict:
        """Write manifest.json and index.html from the records (signals held back meanwhile)."""
        from shunde_workbook.publish.site import write_index

        run_info = {
            "started": self.started.isoformat(timespec="seconds"),
            "wall_seconds": round(time.perf_counter() - self.t0, 2),
            "peak_rss_mb": round(self.peak / 2**20, 1),
            "jobs": self.njobs,
            "kernel": self.kernel,
            "git_commit": mf.git_commit(),
            "params_file": str(self.params_file) if self.params_file else None,
            "parameters": self.merged,
            "inputs": self.inputs,
            "packages": mf.package_versions(),
            "python": sys.version.split()[0],
        }
        manifest = {"run": run_info, "reports": sorted(self.records.values(), key=lambda r: (r["order"], r["name"]))}
        try:
            with held_signals():
                write_json(self.outputs / "manifest.json", manifest)
                write_index(self.outputs, manifest)
        except OSError as exc:  # a full disk: the stamps stay the truth, the next run rewrites these
            for tmp in (self.outputs / "manifest.json.tmp", self.outputs / "index.html.tmp"):
                tmp.unlink(missing_ok=True)
            say(f"Could not write the manifest and index in {self.outputs} ({exc.strerror or exc}).")
        return manifest


class held_signals:  # noqa: N801 - used like a function
    """Hold SIGINT/SIGTERM back while a commit or the manifest is being written."""

    def __enter__(self):
        self.old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_SETMASK, self.old)


def on_disk(rec: dict, stamp: dict | None, status: str, error: dict | None) -> None:
    """Point ``rec`` at the version on disk (the stamp's), or at nothing, after a report did not finish."""
    rec.update(status=status, error=error, seconds=0.0)
    if stamp:
        rec.update(cache_key=stamp["cache_key"], files=stamp.get("files", {}), built_at=stamp.get("built_at"))
        rec["run_started"] = stamp.get("run_started")
        if "parameters" in stamp and stamp["parameters"] != rec.get("parameters"):
            # the files on disk are an earlier build: the manifest describes them, and says what was asked
            rec["requested_parameters"] = rec.get("parameters")
            rec["parameters"] = stamp["parameters"]
    else:
        rec.update(cache_key=None, files={}, built_at=None, run_started=None)


def finish_plan(state: State, previous: dict) -> None:
    """Complete the run's records: keep reports built by earlier runs but not planned in this one.

    ``previous`` holds the last manifest's records by name; a report is kept when its stamp still holds.
    From here on a stop may publish the records: before, they describe only part of the outputs folder.
    """
    for name, prev in previous.items():
        if name in state.records:
            continue
        stamp = tx.valid_stamp(state.outputs, name)
        if stamp:
            rec = {k: prev.get(k) for k in ("name", "notebook", "title", "parameters", "order", "per_town", "group")}
            rec["order"] = rec["order"] if isinstance(rec["order"], int) else 50
            on_disk(rec, stamp, "cached", None)
            rec["seconds"] = stamp.get("seconds", 0.0)
            state.records[name] = rec
    state.planned = True


def commit_report(state: State, job: Job, res: dict, rec: dict) -> dict:
    """Move a finished report into place and stamp it; a failure (a full disk) fails the report."""
    built = datetime.now(UTC).isoformat(timespec="seconds")
    info = {"files": res["files"], "built_at": built, "seconds": round(res["seconds"], 2)}
    info.update(parameters=rec.get("parameters"), run_started=state.started.isoformat(timespec="seconds"))
    if res.get("phases"):
        info["phases"] = res["phases"]
    try:
        with held_signals():
            tx.commit(state.outputs, job.name, rec["_key"], info)
    except OSError as exc:
        remove_tree(tx.stage_dir(state.outputs, job.name), state.outputs)
        return {**res, "status": "failed", "error": {"exception": type(exc).__name__, "message": str(exc)[:500]}}
    rec.update(status="ok", cache_key=rec.pop("_key"), error=None, **info)
    rec.pop("requested_parameters", None)
    return res


def stop(state: State, signum: int) -> int:
    """After SIGINT/SIGTERM: stop the workers and kernels, publish what is on disk, summarise."""
    # A second signal from here on exits at once, and the whole stop is bounded in time (hygiene._raise).
    # The pool's workers and, under them, their kernels; not multiprocessing's resource tracker,
    # which exits by itself with the runner and complains (with a traceback) when killed.
    kill_trees(list(getattr(state.pool, "_processes", None) or {}))
    state.close_zygote()
    if state.pool is not None:
        state.pool.shutdown(wait=False, cancel_futures=True)
        manager = getattr(state.pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(timeout=2)  # the CLI leaves with os._exit, never waiting on it at exit
    remove_tree(state.outputs / ".work" / "stage", state.outputs)
    state.fill_statuses()  # stopped before the first report: the statuses were not read yet
    cancelled, previous, missing = [], [], []
    for job in state.todo:
        if job.name in state.finished:
            continue
        rec = state.records[job.name]
        rec.pop("_key", None)
        cancelled.append(job.name)
        (previous if rec.get("files") else missing).append(job.name)
        stamp = tx.valid_stamp(state.outputs, job.name)
        on_disk(rec, stamp, "failed", {"exception": "Cancelled", "message": "the run was stopped before it finished"})
    for rec in state.records.values():
        rec.pop("_key", None)
    try:
        if state.planned:  # stopped before the plan was complete: the previous manifest stands as it is
            state.publish()
    except Exception as exc:  # noqa: BLE001 - e.g. a module whose import the signal cut short
        # The manifest last published stays: it and the stamps were written atomically, so they agree.
        say(f"Could not rewrite the manifest after the stop ({type(exc).__name__}); the previous one stands.")
    done = [n for n in state.finished if state.records[n]["status"] == "ok"]

    def names(xs):
        return ", ".join(xs) if xs else "none"

    say(
        f"\nStopped by {signal.Signals(signum).name}: the pool and its kernels were terminated. "
        f"Finished and saved: {len(done)} ({names(done)}). Cancelled: {len(cancelled)} ({names(cancelled)}); "
        f"of these, still the previous good version: {names(previous)}; not built at all: {names(missing)}. "
        f"The outputs folder is consistent (check it with: shunde-workbook check {state.outputs}); "
        "run the same command again to finish."
    )
    return EXIT_CODES.get(signum, 1)


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON atomically."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
