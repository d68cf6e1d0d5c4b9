#!/usr/bin/env python
"""Benchmark: validate and load a 100,000-row ledger.

Builds the ledger in a temporary directory by repeating the simulated ledger (seed 2023) with
unique identifiers and perturbed amounts (so values are not all identical), then times
validate_ledger() and load_ledger() on it.  Target: < 5 s each on the 2-core dev machine.

    .venv/bin/python benchmarks/validate_ledger.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger import load_ledger, validate_ledger
from shunde_workbook.data.simulate import simulate_ledger, to_disk_frame


def build(path: Path, rows: int, seed: int = 2023) -> None:
    base = to_disk_frame(simulate_ledger(seed))
    reps = -(-rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:rows].copy()
    rng = np.random.default_rng(seed)
    big["Identifier"] = [f"BENCH-{i:07d}" for i in range(len(big))]
    big["Amount Awarded"] = (big["Amount Awarded"] * rng.uniform(0.8, 1.2, len(big))).round(-2).astype("int64") + 100
    big.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger_bench.csv"
        build(path, args.rows)
        size = path.stat().st_size / 1e6
        t0, c0 = time.perf_counter(), time.process_time()
        report = validate_ledger(path)
        t1, c1 = time.perf_counter(), time.process_time()
        df = load_ledger(path)  # validates again, then returns the frame (what notebooks call)
        t2, c2 = time.perf_counter(), time.process_time()
    assert report.ok and len(df) == args.rows, report.format()[-2000:]
    v, load = t1 - t0, t2 - t1
    print(f"rows: {args.rows:,} ({size:.1f} MB CSV)")
    print(f"validate_ledger: {v:.2f} s wall, {c1 - c0:.2f} s CPU ({args.rows / v:,.0f} rows/s)")
    print(
        f"load_ledger:     {load:.2f} s wall, {c2 - c1:.2f} s CPU ({args.rows / load:,.0f} rows/s; includes validation)"
    )
    print(f"both calls:      {v + load:.2f} s wall (target: each call < 5 s)")
    return 0 if max(v, load) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
