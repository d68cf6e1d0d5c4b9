#!/usr/bin/env python
"""Interrupt real runs at many moments and check that every one exits in time, cleanly (issue #25).

Each try starts ``shunde-workbook run`` (the command a user types, in its own process group like a
terminal's foreground job), sends SIGTERM to the runner or SIGINT to its whole group (as Ctrl-C does)
at an offset between 0.1 s and 5 s from the start, and then requires:

* the runner exits within 10 s of the signal, with 130 (SIGINT) or 143 (SIGTERM), or finished first;
* its output has the summary ("Stopped by …") and no Python traceback;
* ``shunde-workbook check`` accepts the outputs folder (when the run got far enough to write one);
* no process of the run is left 5 s after it exited.

    .venv/bin/python benchmarks/signal_loop.py                # 20 SIGTERM + 20 SIGINT
    .venv/bin/python benchmarks/signal_loop.py --tries 3 --only 01_data_audit
    .venv/bin/python benchmarks/signal_loop.py --double       # a second SIGINT 0.3 s after the first

Prints one line per try and a summary; exits 1 if any try failed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

EXE = str(Path(sys.executable).with_name("shunde-workbook"))
LIMIT = 10.0  # seconds from the signal to the exit


def _tree(pid: int) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.add(pid)
        except psutil.Error:
            pass
    return alive


def one_try(sig: signal.Signals, offset: float, out: Path, only: list[str], double: bool = False) -> dict:
    """Start a run, signal it ``offset`` s later, and report what happened (``ok`` False on any fault)."""
    cmd = [EXE, "run", "--outputs", str(out), "--jobs", "2", "--force", "--only", *only]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen: set[int] = set()
    while time.monotonic() - t0 < offset and proc.poll() is None:
        seen |= _tree(proc.pid)
        time.sleep(0.05)
    sent = time.monotonic()
    finished_first = proc.poll() is not None
    if not finished_first:
        seen |= _tree(proc.pid)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C reaches the terminal's whole foreground group
            if double:
                time.sleep(0.3)
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    pass
        else:
            os.kill(proc.pid, sig)
    try:
        stdout, stderr = proc.communicate(timeout=LIMIT + 20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    took = time.monotonic() - sent
    deadline = time.monotonic() + 5
    while _alive(seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive(seen)
    checked = subprocess.run([EXE, "check", str(out)], capture_output=True, text=True, timeout=120)
    wrote = (out / "manifest.json").exists()
    problems = []
    # The signal's default action during the interpreter's own start-up, before any workbook code ran (it
    # installs its handlers first thing): the process ended at once and wrote nothing; no summary is possible.
    startup = proc.returncode == -sig and not stdout.strip() and "Traceback" not in stderr
    if not finished_first and not startup:
        if took > LIMIT:
            problems.append(f"took {took:.1f} s")
        if proc.returncode not in ({signal.SIGINT: 130, signal.SIGTERM: 143}[sig], 0, 1):
            problems.append(f"exit {proc.returncode}")
        if "Stopped" not in stdout + stderr:
            problems.append("no summary")
    if "Traceback" in stdout + stderr:
        problems.append("traceback: " + (stdout + stderr).split("Traceback", 1)[1][-300:].replace("\n", " | "))
    if wrote and checked.returncode != 0:
        problems.append("check: " + (checked.stdout + checked.stderr).strip().replace("\n", " | ")[:300])
    if left:
        problems.append(f"left {sorted(left)}")
    if took > LIMIT / 2 and not finished_first:  # slow: show where the stop spent its time
        print("  slow stop; output tail:", (stdout[-600:] + stderr[-600:]).replace("\n", " | "))
    return {
        "signal": sig.name,
        "offset": offset,
        "exit": proc.returncode,
        "seconds": took,
        "finished_first": finished_first,
        "startup": startup,
        "ok": not problems,
        "problems": problems,
    }


def offsets(n: int, lo: float = 0.1, hi: float = 5.0) -> list[float]:
    """``n`` offsets spread evenly from ``lo`` to ``hi`` seconds."""
    return [lo + (hi - lo) * i / max(1, n - 1) for i in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tries", type=int, default=20, help="tries per signal (default 20)")
    ap.add_argument("--only", nargs="+", default=["01_data_audit", "02_funding_overview"], help="reports to run")
    ap.add_argument("--double", action="store_true", help="send SIGINT twice, 0.3 s apart")
    ap.add_argument("--fresh", action="store_true", help="start from an empty outputs folder (no previous build)")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="swk-signals-")) / "outputs"
    if not args.fresh:  # a folder with good reports, which every interrupted rebuild must keep
        subprocess.run([EXE, "run", "--outputs", str(out), "--jobs", "2", "--only", *args.only], check=True)
    results = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        for offset in offsets(args.tries):
            r = one_try(sig, offset, out, args.only, args.double and sig == signal.SIGINT)
            results.append(r)
            state = "finished before the signal" if r["finished_first"] else f"exit {r['exit']} in {r['seconds']:.1f} s"
            state += " (during interpreter start-up)" if r["startup"] else ""
            verdict = "OK" if r["ok"] else "FAIL " + "; ".join(r["problems"])
            print(f"{r['signal']:7s} at {offset:4.2f} s: {state:28s} {verdict}")
    bad = [r for r in results if not r["ok"]]
    stopped = [r["seconds"] for r in results if not r["finished_first"]]
    early = sum(r["startup"] for r in results)
    print(
        f"\n{len(results)} tries, {len(bad)} failed, {early} ended by the signal during interpreter start-up; "
        f"slowest exit {max(stopped, default=0):.1f} s after the signal, "
        f"median {sorted(stopped)[len(stopped) // 2] if stopped else 0:.1f} s."
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
