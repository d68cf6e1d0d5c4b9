#!/usr/bin/env python
"""Benchmark: validate a 100,000-row, 3-sheet .xlsx laid out as an office keeps it.

Each sheet ("2019年", "2020年", "2021年") has a title row, a '单位：万元' row, the header on row 3 (序号 and Chinese
headers, no year column: the year comes from the sheet name), its share of the rows (repeated from the simulated
ledger, unique 项目编号) and a 合计 row with the right total as a plain number.  The workbook is written once with
openpyxl's write-only mode (not timed); then validate_ledger() is timed.  Target: under 10 s on the 2-core machine.

    PYTHONPATH=src .venv/bin/python benchmarks/validate_xlsx.py [--rows 100000] [--keep FILE.xlsx]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from shunde_workbook.data.ledger import validate_ledger
from shunde_workbook.data.places import place_index
from shunde_workbook.data.simulate import simulate_ledger

HEADER = [
    "序号",
    "项目编号",
    "项目名称",
    "申报单位",
    "所属镇街",
    "村(社区)",
    "资助领域",
    "资助金额",
    "计划",
    "数据来源",
]
YEARS = (2019, 2020, 2021)


def build(path: Path, rows: int, seed: int = 2023) -> None:
    """Write the benchmark workbook."""
    from openpyxl import Workbook

    base = simulate_ledger(seed)
    idx = place_index()
    wb = Workbook(write_only=True)
    rng = np.random.default_rng(seed)
    per = -(-rows // len(YEARS))
    n = 0
    for year in YEARS:
        src = base[base["year"] == year].reset_index(drop=True)
        ws = wb.create_sheet(f"{year}年")
        ws.append([f"{year}年资助项目汇总表（模拟数据）"])
        ws.append(["填报单位：（模拟）", None, None, None, None, None, None, "单位：万元"])
        ws.append(HEADER)
        count = min(per, rows - n)
        wan = np.round(src["amount"].to_numpy() / 10_000 * 1.0, 2)
        total = 0.0
        for k in range(count):
            r = src.iloc[k % len(src)]
            amount = float(np.round(wan[k % len(src)] * rng.uniform(0.8, 1.2), 2)) or 1.0
            total += amount
            village = idx.village_name.get(r["village_code"], "") if isinstance(r["village_code"], str) else ""
            ws.append(
                [
                    k + 1,
                    f"BENCH-{year}-{k:06d}",
                    r["title"],
                    r["recipient_name"],
                    idx.town_name[r["town_code"]],
                    village or "",
                    r["field"],
                    amount,
                    r["programme"],
                    "simulated",
                ]
            )
        ws.append(["合计", None, None, None, None, None, None, round(total, 2)])
        n += count
    wb.save(path)


def main(argv: list[str] | None = None) -> int:
    """Build, time, print; exit 1 when over 10 s or when the ledger does not validate."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, default=None, help="also keep the workbook here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "ledger_bench.xlsx"
        t = time.perf_counter()
        build(path, args.rows)
        built = time.perf_counter() - t
        size = path.stat().st_size / 1e6
        t0, c0 = time.perf_counter(), time.process_time()
        report = validate_ledger(path)
        t1, c1 = time.perf_counter(), time.process_time()
    if not report.ok or report.n_accepted != args.rows:
        print(report.format()[-3000:])
        return 1
    wall = t1 - t0
    print(f"rows: {args.rows:,} in {len(YEARS)} sheets ({size:.1f} MB xlsx, built in {built:.1f} s)")
    print(f"validate_ledger: {wall:.2f} s wall, {c1 - c0:.2f} s CPU ({args.rows / wall:,.0f} rows/s)")
    print("target: < 10 s")
    return 0 if wall < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
