#!/usr/bin/env python
"""Benchmark the report suite four ways in one invocation.

    (a) baseline: a sequential shell loop of the ``papermill`` CLI, then
        ``jupyter nbconvert --to html`` on each executed report;
    (b) our runner, cold: ``shunde-workbook run --outputs TMP --force``;
    (c) our runner again, nothing changed (same outputs folder, no --force);
    (d) our runner cold on a ledger SCALE times the default size
        (``--set ledger_path=BIG.csv --force``, another fresh outputs folder).

Every mode is a subprocess, so process start-up is timed for all of them.
The peak resident memory of each mode is sampled every 0.1 s over the whole
process tree (the command and all its descendants: pool workers, kernels,
nbconvert) and summed.  The figures are printed and written to
``outputs/benchmark.json``.

    .venv/bin/python benchmarks/run_suite.py                      # make bench
    .venv/bin/python benchmarks/run_suite.py --only overview --skip-baseline
    .venv/bin/python benchmarks/run_suite.py --notebooks tests/fixtures/notebooks --only fixture_ok

See benchmarks/README.md for the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from shunde_workbook.runner.manifest import git_commit
from shunde_workbook.runner.memory import PeakMemory

ROOT = Path(__file__).resolve().parents[1]
# The venv that runs this script (``make bench`` uses .venv/bin/python); not resolved, so a
# symlinked interpreter still points at the venv's bin folder.
BIN = Path(sys.executable).parent
if not (BIN / "papermill").exists() and (ROOT / ".venv" / "bin" / "papermill").exists():
    BIN = ROOT / ".venv" / "bin"

TARGET_SPEEDUP = 6.0  # (b) at least 6x faster than (a)  (issue 13)
TARGET_NOOP_S = 1.0  # (c) under 1 s
TARGET_SCALE_RATIO = 1.3  # (d) at most 1.3x (b)
TARGET_RSS_MB = 2048  # peak RSS under 2 GB for (b), (c), (d)
SAMPLE_S = 0.1

T_START = time.perf_counter()


def say(msg: str = "") -> None:
    print(msg, flush=True)


def stamp() -> str:
    return f"{time.perf_counter() - T_START:7.1f}s"


# --------------------------------------------------------------------------- timing one command


class Timed:
    """Result of one timed subprocess."""

    def __init__(self, wall: float, peak: int, rc: int, lines: list[tuple[float, str]], log: Path):
        self.wall, self.peak, self.rc, self.lines, self.log = wall, peak, rc, lines, log

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def timed(label: str, cmd: list[str], log: Path, show=lambda line: True) -> Timed:
    """Run ``cmd`` from the project folder; wall time, peak tree RSS, exit code, output lines.

    Output goes to ``log``; lines accepted by ``show`` are echoed as progress.
    """
    lines: list[tuple[float, str]] = []
    with open(log, "w", encoding="utf-8") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )

        def read():
            for line in proc.stdout:
                t = time.perf_counter() - t0
                fh.write(line)
                lines.append((t, line.rstrip("\n")))
                if show(line):
                    say(f"  {stamp()}  {label} +{t:6.1f}s  {line.rstrip()}")

        reader = threading.Thread(target=read, daemon=True)
        with PeakMemory(proc.pid, SAMPLE_S) as mem:
            reader.start()
            rc = proc.wait()
            wall = time.perf_counter() - t0
        reader.join(timeout=10)  # an orphaned grandchild could keep the pipe open; do not hang on it
    peak = mem.peak
    return Timed(wall, peak, rc, lines, log)


# --------------------------------------------------------------------------- planning


def planjobs_for(
    notebooks: Path, params_file: Path | None, overrides: list[str], only: list[str] | None, outputs: Path, kernel: str
):
    """The runner's own job list (notebook path, name and parameters of every report)."""
    from shunde_workbook.params import ParameterError
    from shunde_workbook.runner.runner import jobs_for, plan

    try:
        reports, merged, per_report = plan(params_file, overrides, only, notebooks)
    except ParameterError as exc:
        raise SystemExit(f"Parameter error, nothing was timed:\n{exc}") from None
    return [job for job, _report, _own in jobs_for(reports, merged, per_report, outputs, kernel)], per_report


def papermill_args(params: dict) -> list[str]:
    """Parameters as papermill CLI options.

    Lists and dicts go as ``-y 'name: <yaml>'``; strings as ``-r`` (raw) so that a value such as a
    town code ``440606003`` stays a string as the runner passes it (``-p`` would turn it into an
    int); numbers and booleans as ``-p``.
    """
    import yaml

    args: list[str] = []
    for name, value in params.items():
        if isinstance(value, (list, dict)):
            flow = yaml.safe_dump({name: value}, allow_unicode=True, default_flow_style=True, width=10**6).strip()
            args += ["-y", flow[1:-1] if flow.startswith("{") else flow]
        elif isinstance(value, str):
            args += ["-r", name, value]
        elif value is None:
            args += ["-p", name, "None"]
        else:
            args += ["-p", name, repr(value) if isinstance(value, float) else str(value)]
    return args


def baseline_script(jobs, out: Path, kernel: str) -> tuple[str, list[list[str]]]:
    """A plain sequential shell loop: papermill, then nbconvert, per report."""
    nbdir = out / "notebooks"
    lines = [
        "#!/bin/bash",
        "# Naive baseline: one papermill run, then one nbconvert HTML export, per report.",
        f"cd {shlex.quote(str(ROOT))}",
        f"mkdir -p {shlex.quote(str(nbdir))}",
    ]
    commands = []
    n = len(jobs)
    for i, job in enumerate(jobs, 1):
        executed = nbdir / f"{job.name}.ipynb"
        pm = [str(BIN / "papermill"), job.notebook, str(executed), *papermill_args(job.parameters), "-k", kernel]
        nbc = [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)]
        commands += [pm, nbc]
        q = shlex.quote
        lines += [
            f"echo {q(f'## [{i}/{n}] papermill  {job.name}')}",
            f"{shlex.join(pm)} || echo {q(f'## FAILED papermill {job.name}')}",
            f"echo {q(f'## [{i}/{n}] nbconvert  {job.name}')}",
            f"{shlex.join(nbc)} || echo {q(f'## FAILED nbconvert {job.name}')}",
        ]
    lines.append("echo '## done'")
    return "\n".join(lines) + "\n", commands


def runner_cmd(
    notebooks: Path,
    params_file: Path | None,
    overrides: list[str],
    only: list[str] | None,
    outputs: Path,
    force: bool,
    jobs: int | None,
) -> list[str]:
    """``shunde-workbook run`` for the project's notebooks; the same call via ``python -c`` otherwise."""
    from shunde_workbook.paths import NOTEBOOKS

    if notebooks.resolve() == NOTEBOOKS.resolve():
        cmd = [
            str(BIN / "shunde-workbook"),
            "run",
            "--outputs",
            str(outputs),
            "--params",
            str(params_file) if params_file else "",
        ]
        for item in overrides:
            cmd += ["--set", item]
        if only:
            cmd += ["--only", *only]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        if force:
            cmd.append("--force")
        return cmd
    spec = {
        "params_file": str(params_file) if params_file else None,
        "overrides": overrides,
        "only": only,
        "jobs": jobs,
        "force": force,
        "outputs": str(outputs),
        "notebooks_dir": str(notebooks),
    }
    code = (
        "import json, sys; from pathlib import Path; from shunde_workbook.runner.runner import RunOptions, run; "
        "a = json.loads(sys.argv[1]); "
        "sys.exit(run(RunOptions(params_file=Path(a['params_file']) if a['params_file'] else None, "
        "overrides=a['overrides'], only=a['only'], jobs=a['jobs'], force=a['force'], outputs=Path(a['outputs']), "
        "notebooks_dir=Path(a['notebooks_dir']))))"
    )
    return [str(BIN / "python"), "-c", code, json.dumps(spec, ensure_ascii=False)]


# --------------------------------------------------------------------------- the big ledger


def build_big_ledger(src: Path, dest: Path, scale: int) -> int:
    """``src`` repeated ``scale`` times with unique Identifiers; every other cell as it was."""
    import pandas as pd

    raw = src.read_bytes()[:3]
    encoding = "utf-8-sig" if raw == b"\xef\xbb\xbf" else "utf-8"
    base = pd.read_csv(src, dtype=str, keep_default_na=False, encoding=encoding)
    if "Identifier" not in base.columns:
        raise SystemExit(f"{src} has no Identifier column; cannot build the scaled ledger")
    parts = []
    for rep in range(scale):
        part = base.copy()
        if rep:
            part["Identifier"] = part["Identifier"] + f"-X{rep:03d}"
        parts.append(part)
    big = pd.concat(parts, ignore_index=True)
    assert big["Identifier"].is_unique
    if "provenance" in big.columns:
        assert set(big["provenance"]) <= set(base["provenance"])
    big.to_csv(dest, index=False, encoding=encoding, lineterminator="\n")
    return len(big)


# --------------------------------------------------------------------------- helpers


def manifest_of(outputs: Path) -> dict:
    try:
        return json.loads((outputs / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def runner_summary(t: Timed, outputs: Path) -> dict:
    man = manifest_of(outputs)
    reps = man.get("reports", [])
    status: dict[str, int] = {}
    for r in reps:
        status[r.get("status", "?")] = status.get(r.get("status", "?"), 0) + 1
    return {
        "wall_seconds": round(t.wall, 2),
        "peak_rss_mb": round(t.peak_mb, 1),
        "exit_code": t.rc,
        "statuses": status,
        "runner_reported": {k: man.get("run", {}).get(k) for k in ("wall_seconds", "peak_rss_mb", "jobs")},
        "report_seconds": {r["name"]: r.get("seconds") for r in reps},
        "phase_seconds": phase_totals(reps),
    }


def phase_totals(reps: list[dict]) -> dict:
    """Seconds per phase summed over the reports built (the runner's per-report ``phases``), and warm starts."""
    totals: dict[str, float] = {}
    warm = 0
    for r in reps:
        for k, v in (r.get("phases") or {}).items():
            if k == "warm_kernel":
                warm += bool(v)
            else:
                totals[k] = round(totals.get(k, 0.0) + v, 2)
    return {**totals, "warm_kernels": warm}


def baseline_phases(t: Timed) -> dict:
    """Seconds spent in papermill and in nbconvert, from the times the loop's markers arrived."""
    marks = [(s, line[3:]) for s, line in t.lines if line.startswith("## ")]
    totals = {"papermill": 0.0, "nbconvert": 0.0}
    per_report: dict[str, dict] = {}
    for (s, text), (s_next, _) in zip(marks, marks[1:] + [(t.wall, "")], strict=True):
        parts = text.split()
        if len(parts) >= 3 and parts[1] in totals:
            totals[parts[1]] += s_next - s
            per_report.setdefault(parts[2], {})[parts[1]] = round(s_next - s, 2)
    return {"totals": {k: round(v, 2) for k, v in totals.items()}, "per_report": per_report}


def tail(path: Path, n: int = 25) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def snapshot(notebooks: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every notebook and package source file (the cache key's inputs)."""
    import shunde_workbook

    files = list(notebooks.glob("*.ipynb")) + list(Path(shunde_workbook.__file__).parent.rglob("*"))
    out = {}
    for f in files:
        try:
            if f.is_file() and "__pycache__" not in f.parts:
                st = f.stat()
                out[str(f)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            pass
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def warm_up() -> None:
    """Untimed: load the heavy libraries once so that neither (a) nor (b) pays for a cold page cache."""
    code = (
        "import pandas, numpy, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot; "
        "import nbconvert, nbformat, papermill, jupyter_client, ipykernel"
    )
    for extra in ("import geopandas", "import mapclassify"):
        code += f"\ntry:\n    {extra}\nexcept Exception:\n    pass"
    subprocess.run(
        [str(BIN / "python"), "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT MET")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    from shunde_workbook.paths import NOTEBOOKS, OUTPUTS, PARAMS, RAW
    from shunde_workbook.runner.execute import kernel_name

    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", nargs="+", metavar="NAME", help="restrict the report set (baseline and runner)")
    ap.add_argument("--skip-baseline", action="store_true", help="do not time (a)")
    ap.add_argument("--scale", type=int, default=100, help="ledger size multiple for (d) (default: %(default)s)")
    ap.add_argument("--notebooks", default=str(NOTEBOOKS), help="notebooks folder (default: %(default)s)")
    ap.add_argument(
        "--params",
        default=None,
        help="parameter file, or 'none' (default: params/default.yaml for the project's notebooks, "
        "none for any other --notebooks folder)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="parameter override for every mode (repeatable)",
    )
    ap.add_argument("--jobs", type=int, default=None, help="runner --jobs (default: the runner's default)")
    ap.add_argument("--ledger", default=str(RAW / "grants_simulated.csv"), help="ledger to scale for (d)")
    ap.add_argument("--json", default=str(OUTPUTS / "benchmark.json"), help="where to write the figures")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders (outputs, logs, big ledger)")
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed library warm-up")
    args = ap.parse_args(argv)

    notebooks = Path(args.notebooks)
    notebooks = (notebooks if notebooks.is_absolute() else Path.cwd() / notebooks).resolve()
    if args.params is None:
        params_file = PARAMS / "default.yaml" if notebooks == NOTEBOOKS.resolve() else None
    elif args.params.lower() in ("none", ""):
        params_file = None
    else:
        params_file = Path(args.params).resolve()
    if args.scale < 1:
        ap.error("--scale must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="swk-bench-"))
    kernel = kernel_name()
    try:
        return _bench(args, notebooks, params_file, tmp, kernel)
    finally:
        if args.keep:
            say(f"Temporary files kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(args, notebooks: Path, params_file: Path | None, tmp: Path, kernel: str) -> int:
    out_a, out_b, out_d = tmp / "baseline", tmp / "runner", tmp / "runner-scaled"
    logs = tmp / "logs"
    logs.mkdir()
    jobs, per_report = planjobs_for(notebooks, params_file, args.set, args.only, out_a, kernel)
    uses_ledger = any("ledger_path" in decl for decl in per_report.values())
    cpu = os.cpu_count()
    mem_gb = psutil.virtual_memory().total / 2**30
    say(
        f"Shunde workbook benchmark: {len(jobs)} reports from {notebooks}, kernel '{kernel}', "
        f"{cpu} cores, {mem_gb:.1f} GB RAM"
    )
    say(f"  parameters: {params_file or 'notebook defaults'}" + (f" + {' '.join(args.set)}" if args.set else ""))
    say(f"  reports: {', '.join(j.name for j in jobs)}")
    say(f"  temporary folder: {tmp}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    say(f"  load average now: {load} (other work on the machine skews timings)")
    results: dict = {}
    notes: list[str] = []

    uncertainty = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "uncertainty.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    say(uncertainty.stdout.strip() or f"uncertainty: benchmark failed: {uncertainty.stderr.strip()[-500:]}")

    if not args.no_warmup:
        say(f"{stamp()}  warm-up (untimed): importing the heavy libraries once")
        warm_up()

    # (a) baseline ------------------------------------------------------------------------------
    if args.skip_baseline:
        say(f"{stamp()}  (a) baseline skipped (--skip-baseline)")
    else:
        script, commands = baseline_script(jobs, out_a, kernel)
        (tmp / "baseline.sh").write_text(script, encoding="utf-8")
        say(
            f"{stamp()}  (a) baseline: sequential shell loop, papermill CLI then jupyter nbconvert --to html, "
            f"{len(jobs)} reports (script: {tmp / 'baseline.sh'})"
        )
        t = timed(
            "(a)", ["bash", str(tmp / "baseline.sh")], logs / "a-baseline.log", show=lambda line: line.startswith("## ")
        )
        failed = [line[3:] for _, line in t.lines if line.startswith("## FAILED")]
        results["a"] = {
            "wall_seconds": round(t.wall, 2),
            "peak_rss_mb": round(t.peak_mb, 1),
            "exit_code": t.rc,
            "failed_steps": failed,
            "phases": baseline_phases(t),
            "commands": [shlex.join(c) for c in commands[:4]] + (["..."] if len(commands) > 4 else []),
        }
        say(
            f"{stamp()}  (a) done: {t.wall:.1f} s, peak RSS {t.peak_mb:.0f} MB"
            + (f", {len(failed)} FAILED steps: {'; '.join(failed)}" if failed else "")
        )
        if failed:
            say(tail(t.log))

    runner_show = lambda line: line.strip() != ""  # noqa: E731 - the runner prints little; show all of it

    # (b) cold -------------------------------------------------------------------------------------
    before = snapshot(notebooks)
    say(f"{stamp()}  (b) runner cold: --force into a fresh outputs folder, jobs={args.jobs or 'default'}")
    t = timed(
        "(b)",
        runner_cmd(notebooks, params_file, args.set, args.only, out_b, True, args.jobs),
        logs / "b-cold.log",
        show=runner_show,
    )
    results["b"] = runner_summary(t, out_b)
    say(f"{stamp()}  (b) done: {t.wall:.1f} s, peak RSS {t.peak_mb:.0f} MB, exit {t.rc}")
    if t.rc != 0:
        say(tail(t.log))
        notes.append(f"(b) exited {t.rc}: some reports failed, so the timings are not comparable.")

    # (c) nothing changed --------------------------------------------------------------------------
    say(f"{stamp()}  (c) runner again, nothing changed (same outputs folder, no --force)")
    t = timed(
        "(c)",
        runner_cmd(notebooks, params_file, args.set, args.only, out_b, False, args.jobs),
        logs / "c-noop.log",
        show=runner_show,
    )
    results["c"] = runner_summary(t, out_b)
    say(f"{stamp()}  (c) done: {t.wall:.2f} s, peak RSS {t.peak_mb:.0f} MB, exit {t.rc}")
    edited = changed(before, snapshot(notebooks))
    not_cached = {k: v for k, v in results["c"]["statuses"].items() if k != "cached"}
    if not_cached:
        why = (
            f"notebooks or package files were edited between (b) and (c): {', '.join(edited[:5])}; rerun "
            "when nobody is editing"
            if edited
            else "the cache key changed between two identical runs"
        )
        notes.append(f"(c) did not skip every report: statuses {results['c']['statuses']} ({why}).")
        say(f"  WARNING: {notes[-1]}")

    # (d) big ledger -------------------------------------------------------------------------------
    if not uses_ledger:
        say(f"{stamp()}  (d) skipped: no notebook in this report set declares ledger_path")
        notes.append("(d) skipped: no notebook in the report set declares ledger_path.")
    else:
        big = tmp / f"ledger_x{args.scale}.csv"
        say(f"{stamp()}  (d) building the ledger x{args.scale} from {args.ledger} (untimed)")
        rows = build_big_ledger(Path(args.ledger), big, args.scale)
        say(f"{stamp()}  (d) {rows:,} rows, {big.stat().st_size / 1e6:.0f} MB: runner --set ledger_path=... --force")
        t = timed(
            "(d)",
            runner_cmd(notebooks, params_file, [*args.set, f"ledger_path={big}"], args.only, out_d, True, args.jobs),
            logs / "d-scaled.log",
            show=runner_show,
        )
        results["d"] = runner_summary(t, out_d) | {"ledger_rows": rows, "scale": args.scale}
        say(f"{stamp()}  (d) done: {t.wall:.1f} s, peak RSS {t.peak_mb:.0f} MB, exit {t.rc}")
        if t.rc != 0:
            say(tail(t.log))
            notes.append(f"(d) exited {t.rc}: some reports failed on the big ledger.")

    return _report(args, results, jobs, notebooks, params_file, kernel, notes)


def _report(args, results, jobs, notebooks, params_file, kernel, notes) -> int:
    w = {k: v["wall_seconds"] for k, v in results.items()}
    rss = {k: v["peak_rss_mb"] for k, v in results.items()}
    ratios = {
        "a_over_b": round(w["a"] / w["b"], 2) if "a" in w and w.get("b") else None,
        "a_over_c": round(w["a"] / w["c"], 2) if "a" in w and w.get("c") else None,
        "d_over_b": round(w["d"] / w["b"], 2) if "d" in w and w.get("b") else None,
    }
    runner_rss = [rss[k] for k in ("b", "c", "d") if k in rss]
    targets = {
        "a_over_b": {
            "value": ratios["a_over_b"],
            "target": f">= {TARGET_SPEEDUP}",
            "met": None if ratios["a_over_b"] is None else ratios["a_over_b"] >= TARGET_SPEEDUP,
        },
        "c_seconds": {
            "value": w.get("c"),
            "target": f"< {TARGET_NOOP_S} s",
            "met": None if "c" not in w else w["c"] < TARGET_NOOP_S,
        },
        "d_over_b": {
            "value": ratios["d_over_b"],
            "target": f"<= {TARGET_SCALE_RATIO}",
            "met": None if ratios["d_over_b"] is None else ratios["d_over_b"] <= TARGET_SCALE_RATIO,
        },
        "peak_rss_under_2GB": {
            "value": max(runner_rss) if runner_rss else None,
            "target": f"< {TARGET_RSS_MB} MB",
            "met": None if not runner_rss else max(runner_rss) < TARGET_RSS_MB,
        },
    }
    titles = {
        "a": "(a) baseline: papermill + nbconvert loop",
        "b": f"(b) runner cold (--force, jobs={results.get('b', {}).get('runner_reported', {}).get('jobs')})",
        "c": "(c) runner, nothing changed",
        "d": f"(d) runner cold, ledger x{args.scale}"
        + (f" ({results['d']['ledger_rows']:,} rows)" if "d" in results else ""),
    }
    say("")
    say("=" * 78)
    say(
        f"Results ({len(jobs)} reports, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"commit {git_commit()})"
    )
    say(f"{'mode':<52}{'wall s':>9}{'peak RSS MB':>13}{'exit':>5}")
    for k in ("a", "b", "c", "d"):
        if k in results:
            r = results[k]
            say(f"{titles[k]:<52}{r['wall_seconds']:>9.2f}{r['peak_rss_mb']:>13.0f}{r['exit_code']:>5}")
        else:
            say(f"{titles[k]:<52}{'skipped':>9}")
    fmt = lambda v: "n/a" if v is None else f"{v:.2f}"  # noqa: E731
    say(f"Ratios: a/b = {fmt(ratios['a_over_b'])}   a/c = {fmt(ratios['a_over_c'])}   d/b = {fmt(ratios['d_over_b'])}")
    say("Targets:")
    say(
        f"  b at least {TARGET_SPEEDUP:g}x faster than a (a/b)       {fmt(ratios['a_over_b']):>8}   "
        f"{verdict(targets['a_over_b']['met'])}"
    )
    say(
        f"  c under {TARGET_NOOP_S:g} s                              {fmt(w.get('c')):>8} s "
        f"{verdict(targets['c_seconds']['met'])}"
    )
    say(
        f"  d at most {TARGET_SCALE_RATIO:g}x b (d/b)                    {fmt(ratios['d_over_b']):>8}   "
        f"{verdict(targets['d_over_b']['met'])}"
    )
    say(
        f"  peak RSS under 2 GB (max of b, c, d)      {fmt(targets['peak_rss_under_2GB']['value']):>8} MB "
        f"{verdict(targets['peak_rss_under_2GB']['met'])}"
    )
    say("Notes:")
    say("  - the baseline exports ONE HTML per report (nbconvert default template); the runner exports TWO editions")
    say("    (policy + analyst) plus the executed notebook, and writes manifest.json and index.html.")
    say("  - peak RSS is the sum over the whole process tree, sampled every 0.1 s")
    say("    (shared pages count once per process).")
    if "a" in results:
        ph = results["a"]["phases"]["totals"]
        say(f"  - baseline split: papermill {ph['papermill']:.1f} s, nbconvert {ph['nbconvert']:.1f} s")
    if results.get("b", {}).get("report_seconds"):
        slow = sorted(results["b"]["report_seconds"].items(), key=lambda kv: -(kv[1] or 0))[:5]
        say(
            "  - slowest reports in (b) (seconds inside a worker, run 'jobs' at a time): "
            + ", ".join(f"{n} {s:.1f}" for n, s in slow if s is not None)
        )
    for k in ("b", "d"):
        ph = results.get(k, {}).get("phase_seconds")
        if ph:
            parts = ", ".join(f"{n} {v:.1f} s" for n, v in ph.items() if n != "warm_kernels")
            say(f"  - ({k}) worker time by phase, summed: {parts}; warm kernels used: {ph['warm_kernels']}")
    for n in notes:
        say(f"  - {n}")

    data = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "git_commit": git_commit(),
        "notebooks": str(notebooks),
        "params_file": str(params_file) if params_file else None,
        "overrides": args.set,
        "kernel": kernel,
        "reports": [j.name for j in jobs],
        "scale": args.scale,
        "modes": results,
        "ratios": ratios,
        "targets": targets,
        "notes": notes + ["baseline writes one HTML per report; the runner writes two editions (policy, analyst)"],
    }
    dest = Path(args.json)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp_json = dest.with_suffix(".json.tmp")
    tmp_json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp_json, dest)
    say(f"Figures written to {dest}")
    failed = any(r.get("exit_code") for r in results.values()) or bool(results.get("a", {}).get("failed_steps"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
