"""Where a sweep's sets run: a local pool (default) or a Dask cluster.

A set is one task: ``shunde-workbook run`` in a child process with the set's
parameters (as ``--set`` overrides of the base file), its notebooks and its own
outputs folder, one report at a time.  The task carries its parameters; input
files are read by path, so on a cluster the project folder (data, notebooks,
outputs) must be on storage every worker shares (``docs/sweeps.md``).  The child
is killed with its worker (``PR_SET_PDEATHSIG``), so a dead worker leaves no run
behind; the runner writes each report atomically.

A set whose process dies (signal, lost worker) is retried once, then reported as
failed; the other sets still finish.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

_REPORT = re.compile(r"^\[(\d+)/(\d+)\] (ok|FAILED)\s")
_CACHED = re.compile(r"(\d+) unchanged \(skipped\)")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_set(cmd: list[str], env: dict) -> subprocess.Popen:
    """Start a set's run in its own session, dying with this process, with SIGINT and SIGTERM held back.

    Between fork and exec the child runs Python (:func:`_die_with_parent`, and the interpreter's own
    after-fork hooks) under this process's signal handlers: a Ctrl-C landing there printed a traceback
    from the child.  The signals stay blocked through exec; the run lifts the block once its own handlers
    are in place (``runner.hygiene.Signals``), and a signal sent meanwhile waits for it.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})  # this thread, then the child
    try:
        return subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


#: Seconds a set's run waits for a previous run of the same set (a lost worker's) to free the folder's lock.
LOCK_WAIT = 60.0


def _lock_held(log: list[str]) -> bool:
    """Whether a run ended because another run holds the outputs folder's lock (the runner's message)."""
    return any("Another shunde-workbook run" in line for line in log)


STOP = threading.Event()  # set when the sweep is stopped by a signal
_LIVE: set[subprocess.Popen] = set()  # the sets' runs now running in this process
_LIVE_LOCK = threading.Lock()


def stop_sets(signum: int, wait: float = 5.0) -> None:
    """Stop every running set: forward ``signum`` once, wait up to ``wait`` s, then kill what is left.

    Each set's runner stops as ``shunde-workbook run`` does on that signal (its folder stays consistent).
    """
    from shunde_workbook.runner.hygiene import kill_trees

    STOP.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        try:
            proc.send_signal(signum)
        except OSError:
            pass
    deadline = time.monotonic() + wait
    for proc in live:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill_trees([proc.pid], grace=0.5)


def command(base: str, overrides: list[str], notebooks: list[str] | None, folder: str, force: bool) -> list[str]:
    """The ``shunde-workbook run`` command line of one set."""
    cmd = [sys.executable, "-m", "shunde_workbook.cli", "run", "--params", base, "--outputs", folder, "--jobs", "1"]
    for o in overrides:
        cmd += ["--set", o]
    if notebooks:
        cmd += ["--only", *notebooks]
    return cmd + (["--force"] if force else [])


def run_set(
    base: str, overrides: list[str], notebooks: list[str] | None, folder: str, force: bool = False, on_line=None
) -> dict:
    """Run one set in a child process; retry once if the process is killed. Returns status, seconds, log tail."""
    t0 = time.perf_counter()
    if STOP.is_set():  # the sweep is stopping: a set not started yet is not started at all
        return {"status": "cancelled", "returncode": None, "tries": 0, "seconds": 0.0, "log": [], "host": ""}
    cmd = command(base, overrides, notebooks, folder, force)
    Path(folder).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    tries, log = 0, []
    while True:
        tries += 1
        # Its own session: a terminal's Ctrl-C reaches only the sweep, which forwards one signal to each set.
        with _LIVE_LOCK:
            if STOP.is_set():
                break
            proc = start_set(cmd, env)
            _LIVE.add(proc)
        log = []
        for line in proc.stdout:
            log.append(line.rstrip("\n"))
            if on_line:
                on_line(line.rstrip("\n"))
        rc = proc.wait()
        with _LIVE_LOCK:
            _LIVE.discard(proc)
        if rc == 2 and _lock_held(log) and time.perf_counter() - t0 < LOCK_WAIT and not STOP.is_set():
            # A retry on another worker can find the lost worker's run still ending (it stops on its
            # parent's death within a few seconds, then frees the set's lock): wait for it, not a try.
            tries -= 1
            time.sleep(1.0)
            continue
        if rc >= 0 or tries >= 2 or STOP.is_set():
            break
    if tries == 1 and STOP.is_set() and not log:
        return {"status": "cancelled", "returncode": None, "tries": 0, "seconds": 0.0, "log": [], "host": ""}
    status = "ok" if rc == 0 else ("stopped" if STOP.is_set() else "failed")
    return {
        "status": status,
        "returncode": rc,
        "tries": tries,
        "seconds": round(time.perf_counter() - t0, 2),
        "log": log[-40:],
        "host": os.uname().nodename,
    }


class LocalPool:
    """Sets in parallel on this machine, ``jobs`` at a time (each set one report at a time)."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)

    def describe(self) -> str:
        """How the backend is shown in the progress line."""
        return f"local pool ({self.jobs} at a time)"

    def run(self, sweep, plans, force: bool) -> dict:
        """Run every set; return {set index: outcome of :func:`run_set`}, printing progress by sets and reports."""
        total = sum(p.reports for p in plans)
        state = {"sets": 0, "reports": 0}
        lock = threading.Lock()

        def progress(plan, line: str) -> None:
            m, c = _REPORT.match(line), _CACHED.search(line)
            with lock:
                if m:
                    state["reports"] += 1
                    tag = line
                elif c and int(c.group(1)):
                    state["reports"] += int(c.group(1))
                    tag = f"{c.group(1)} reports unchanged (cache)"
                else:
                    return
                print(
                    f"[sets {state['sets']}/{len(plans)} · reports {state['reports']}/{total}] "
                    f"set {plan.index} {plan.folder.name}: {tag}",
                    flush=True,
                )

        from shunde_workbook.runner.hygiene import Interrupted

        outcomes = {}
        with ThreadPoolExecutor(max_workers=min(self.jobs, len(plans))) as pool:
            futures = {
                pool.submit(run_set, *set_args(sweep, p, force), lambda line, p=p: progress(p, line)): p for p in plans
            }
            try:
                for fut in as_completed(futures):
                    p = futures[fut]
                    outcomes[p.index] = fut.result()
                    with lock:
                        state["sets"] += 1
                        print(_set_line(state["sets"], len(plans), p, outcomes[p.index]), flush=True)
            except Interrupted as sig:
                stop_sets(sig.signum)
                pool.shutdown(wait=True, cancel_futures=True)  # the threads return at once now
                for fut, p in futures.items():
                    if fut.done() and not fut.cancelled() and fut.exception() is None:
                        outcomes[p.index] = fut.result()
                sig.outcomes = outcomes
                raise
        return outcomes


def overrides(params: dict) -> list[str]:
    """A set as the runner's ``--set NAME=VALUE`` strings (values as JSON, which YAML reads back exactly)."""
    return [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in params.items()]


def set_args(sweep, plan, force: bool) -> tuple:
    """The positional arguments of :func:`run_set` for one set of ``sweep`` (the same for every backend)."""
    return str(sweep.base), overrides(plan.params), sweep.notebooks, str(plan.folder), force


def _set_line(done: int, n: int, plan, outcome: dict) -> str:
    word = "ok" if outcome["status"] == "ok" else "FAILED"
    retry = " after a retry" if outcome.get("tries", 1) > 1 else ""
    return f"[sets {done}/{n}] {word} set {plan.index} {plan.folder.name} ({outcome['seconds']:.1f} s{retry})"
