"""Bench row (e): a sweep of N sets × the 6 district notebooks, on the local pool and on a Dask LocalCluster.

    .venv/bin/python benchmarks/sweep_bench.py               # 12 sets, both backends
    .venv/bin/python benchmarks/sweep_bench.py --sets 4      # a shorter run

Each backend runs ``shunde-workbook sweep`` as a subprocess into a fresh temporary folder with
``--force``; the sets vary the population weight of ``need_weights``.  Prints wall time, reports
per minute and peak RSS of the whole process tree for each backend, and the Dask/local ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from shunde_workbook.paths import PARAMS
from shunde_workbook.runner.memory import PeakMemory
from shunde_workbook.runner.runner import discover


def sweep_file(folder: Path, sets: int, draws: int | None) -> tuple[Path, int]:
    """Write SWEEP.yaml for ``sets`` population weights; return it and the number of reports."""
    notebooks = [r.name for r in discover() if not r.per_town]
    pops = [round(0.2 + 0.6 * i / max(1, sets - 1), 3) for i in range(sets)]
    extra = {"draws": draws} if draws else {}
    data = {
        "base": str(PARAMS / "default.yaml"),
        "notebooks": notebooks,
        "outputs": str(folder / "out"),
        "sets": [{**extra, "need_weights": {"population": p, "village_units": round(1 - p, 3)}} for p in pops],
        "x": "need_weights.population",
        "measures": [{"table": "05_scenarios_2023__allocations", "column": 4}],
    }
    path = folder / "SWEEP.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path, sets * len(notebooks)


def bench(backend: str | None, sets: int, jobs: int, draws: int | None) -> dict:
    """Time one sweep on ``backend`` (None: local pool, "local": Dask LocalCluster)."""
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        path, reports = sweep_file(Path(tmp), sets, draws)
        cmd = [sys.executable, "-m", "shunde_workbook.cli", "sweep", str(path), "--jobs", str(jobs), "--force"]
        cmd += ["--dask", backend] if backend else []
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with PeakMemory(proc.pid, 0.2) as mem:
            out, _ = proc.communicate()
        wall = time.perf_counter() - t0
    return {
        "backend": "Dask LocalCluster" if backend else "local pool",
        "wall": wall,
        "reports": reports,
        "per_min": reports / wall * 60,
        "peak_mb": mem.peak / 2**20,
        "ok": proc.returncode == 0,
        "tail": out.strip().splitlines()[-1:],
    }


def main(argv: list[str] | None = None) -> int:
    """Run both backends and print the (e) rows and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--draws", type=int, default=None, help="Monte Carlo draws per report (default: the base file)")
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args(argv)
    rows = [bench(None, args.sets, args.jobs, args.draws)]
    if not args.skip_dask:
        rows.append(bench("local", args.sets, args.jobs, args.draws))
    print("| mode | wall | reports/min | peak RSS |\n|---|---|---|---|")
    for r in rows:
        flag = "" if r["ok"] else " (FAILED: " + " ".join(r["tail"]) + ")"
        print(
            f"| (e) sweep {args.sets} sets × {r['reports'] // args.sets} reports, {r['backend']} | "
            f"{r['wall']:.0f} s | {r['per_min']:.1f} | {r['peak_mb']:,.0f} MB |{flag}"
        )
    if len(rows) == 2:
        print(f"\nDask/local wall ratio: {rows[1]['wall'] / rows[0]['wall']:.2f} (target ≤ 1.25)")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
