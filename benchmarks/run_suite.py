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
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
from suite_common import (
    ROOT,
    baseline_phases,
    baseline_script,
    build_big_ledger,
    changed,
    planjobs_for,
    runner_cmd,
    runner_summary,
    say,
    snapshot,
    stamp,
    tail,
    timed,
    warm_up,
)
from suite_report import _report

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
            "peak_pss_mb": round(t.peak_pss_mb, 1),
            "exit_code": t.rc,
            "failed_steps": failed,
            "phases": baseline_phases(t),
            "commands": [shlex.join(c) for c in commands[:4]] + (["..."] if len(commands) > 4 else []),
        }
        say(
            f"{stamp()}  (a) done: {t.wall:.1f} s, peak RSS {t.peak_mb:.0f} MB (PSS {t.peak_pss_mb:.0f} MB)"
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
    say(f"{stamp()}  (b) done: {t.wall:.1f} s, peak RSS {t.peak_mb:.0f} MB (PSS {t.peak_pss_mb:.0f} MB), exit {t.rc}")
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
    say(f"{stamp()}  (c) done: {t.wall:.2f} s, peak RSS {t.peak_mb:.0f} MB (PSS {t.peak_pss_mb:.0f} MB), exit {t.rc}")
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
        say(
            f"{stamp()}  (d) done: {t.wall:.1f} s, peak RSS {t.peak_mb:.0f} MB (PSS {t.peak_pss_mb:.0f} MB), "
            f"exit {t.rc}"
        )
        if t.rc != 0:
            say(tail(t.log))
            notes.append(f"(d) exited {t.rc}: some reports failed on the big ledger.")

    return _report(args, results, jobs, notebooks, params_file, kernel, notes)


if __name__ == "__main__":
    sys.exit(main())
