"""The report-suite benchmark's summary: figures, targets met or not, ``outputs/benchmark.json``."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import psutil
from suite_common import TARGET_NOOP_S, TARGET_RSS_MB, TARGET_SCALE_RATIO, TARGET_SPEEDUP, say, verdict

from shunde_workbook.runner.manifest import git_commit


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
        "peak_rss": {
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
    say(f"{'mode':<52}{'wall s':>9}{'peak RSS MB':>13}{'PSS MB':>8}{'exit':>5}")
    for k in ("a", "b", "c", "d"):
        if k in results:
            r = results[k]
            say(
                f"{titles[k]:<52}{r['wall_seconds']:>9.2f}{r['peak_rss_mb']:>13.0f}"
                f"{r.get('peak_pss_mb', 0):>8.0f}{r['exit_code']:>5}"
            )
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
        f"  peak RSS under {TARGET_RSS_MB / 1024:g} GB (max of b, c, d)    {fmt(targets['peak_rss']['value']):>8} MB "
        f"{verdict(targets['peak_rss']['met'])}"
    )
    say("Notes:")
    say("  - the baseline exports ONE HTML per report (nbconvert default template); the runner exports TWO editions")
    say("    (policy + analyst) plus the executed notebook, and writes manifest.json and index.html.")
    say("  - peak RSS is the sum over the whole process tree, sampled every 0.1 s (shared pages count once per")
    say("    process); PSS divides each shared page among its sharers (the kernels forked from the run's zygote")
    say("    share most of their libraries with it), so its sum is the memory the tree really holds. PSS is read")
    say("    once a second (about 7 ms per process).")
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
