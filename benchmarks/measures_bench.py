"""Benchmark: a measures-only sweep (``sweep --measures-only``) on the local pool and on a Dask LocalCluster.

Prints, per backend::

    sweep (measures only): 1000 sets in 41.2 s (24.3 sets/s), local pool
    sweep (measures only): 1000 sets in 45.0 s (22.2 sets/s), Dask LocalCluster

then the CPU seconds the sweep used (this process and its workers: a figure that does not
depend on what else the machine runs), the peak memory of the process tree, the phases (sets,
then table, Parquet and page), the load average
and the Dask / local ratio.  The sets are a grid of need weights × floor shares on the default
parameters, every set with the default 1,000 draws; every district and town measure gets its 90 %
interval and every finding its grade.  Target (issue #24): 1,000 sets in < 60 s on the 2-core
test machine; Dask ≤ 1.25 × the local pool.

    .venv/bin/python benchmarks/measures_bench.py [--sets 1000] [--jobs 2] [--only local|dask] [--no-grades]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def grid(sets: int) -> dict:
    """Need weights × floor shares, about ``sets`` sets (exactly when ``sets`` is a multiple of 25 up to 1,000)."""
    floors = min(25, max(1, sets // 40 or 1))
    weights = max(1, -(-sets // floors))
    pops = [round(i / max(1, weights - 1), 6) for i in range(weights)]
    return {
        "need_weights": [{"population": p, "village_units": round(1 - p, 6)} for p in pops],
        "floor_share": [round(0.05 + 0.9 * i / max(1, floors - 1), 6) for i in range(floors)],
    }


class PeakRSS:
    """Peak of the summed RSS of this process and its descendants, sampled every 0.2 s."""

    def __init__(self):
        self.peak, self._stop = 0, threading.Event()

    def _sample(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(backend: str, sets: int, jobs: int, folder: Path, grades: bool = True) -> float:
    """One sweep; print its line; return its wall time."""
    from shunde_workbook.analysis import evidence
    from shunde_workbook.experiments import measures
    from shunde_workbook.experiments.measures_sweep import run_measures_sweep

    # every backend starts cold: no inputs, bootstrap or seed ensembles remembered from a previous run
    measures._MEMO.clear()
    evidence.clear_caches()
    path = folder / f"bench-{backend}.yaml"
    data = {
        "base": str(ROOT / "params" / "default.yaml"),
        "outputs": str(folder / backend),
        "grid": grid(sets),
        "x": "need_weights.population",
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    n = len(data["grid"]["need_weights"]) * len(data["grid"]["floor_share"])
    log = io.StringIO()
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    with PeakRSS() as rss, contextlib.redirect_stdout(log):
        rc = run_measures_sweep(path, jobs=jobs, dask="local" if backend == "dask" else None, grades=grades)
    wall = time.perf_counter() - t0
    if rc != 0:
        print(log.getvalue()[-3000:])
        raise SystemExit(f"the {backend} sweep failed (exit {rc})")
    where = "Dask LocalCluster" if backend == "dask" else "local pool"
    what = "measures only" if grades else "measures only, no grades"
    print(f"sweep ({what}): {n} sets in {wall:.1f} s ({n / wall:.1f} sets/s), {where}", flush=True)
    cpu = cpu_seconds() - cpu0
    print(
        f"    CPU {cpu:.0f} s (this process and its finished workers; {cpu / n * 1000:.0f} ms per set), "
        f"peak RSS {rss.peak / 2**30:.2f} GB (process tree), {jobs} workers",
        flush=True,
    )
    import json

    compute = json.loads((folder / backend / "measures.json").read_text(encoding="utf-8"))["seconds"]
    print(
        f"    phases: validate and measure every set {compute:.1f} s, then table, Parquet and page "
        f"{wall - compute:.1f} s",
        flush=True,
    )
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", choices=["local", "dask"])
    ap.add_argument("--no-grades", action="store_true", help="metrics and intervals only (no findings or grades)")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores", flush=True)
    walls = {}
    with tempfile.TemporaryDirectory(prefix="measures-bench-") as tmp:
        for backend in ["local", "dask"]:
            if args.only in (None, backend):
                walls[backend] = run(backend, args.sets, args.jobs, Path(tmp), not args.no_grades)
    if len(walls) == 2:
        print(f"Dask / local pool: {walls['dask'] / walls['local']:.2f} (target ≤ 1.25)", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
