#!/usr/bin/env python
"""Benchmark: validate a 100,000-row, 3-sheet .xlsx laid out as an office keeps it.

Each sheet ("2019年", "2020年", "2021年") has a title row, a '单位：万元' row, the header on row 3 (序号 and Chinese
headers, no year column: the year comes from the sheet name), its share of the rows (repeated from the simulated
ledger, unique 项目编号) and a 合计 row with the right total as a plain number.  The workbook is written once with
openpyxl's write-only mode (not timed); then validate_ledger() is timed.  Target: under 10 s on the 2-core machine.

    PYTHONPATH=src .venv/bin/python benchmarks/validate_xlsx.py [--rows 100000] [--keep FILE.xlsx]

With ``--giving360 4116`` it times instead a foreign file: a 360Giving flat workbook of that many grants in GBP,
with every column of the standard (``data/ledger/standard/giving360_columns.csv``), multi-line descriptions, amounts
such as '6,950.09' and places outside Shunde.  The run reports every problem in one pass (the currency, the missing
programme, the places): it must read every row and finish in under 5 s.
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


def build_giving360(path: Path, rows: int, seed: int = 2023) -> None:
    """A 360Giving flat workbook in GBP with every column of the standard's grants template and more."""
    from openpyxl import Workbook

    from shunde_workbook.data.ledger.headers import STANDARD_FILE

    lines = [x for x in STANDARD_FILE.read_text("utf-8").splitlines() if x and not x.startswith("#")][1:]
    header = [x.split(",")[0] for x in lines if x.endswith(",grants.csv")]
    rng = np.random.default_rng(seed)
    places = ["Warwickshire", "Coventry", "Birmingham", "Solihull", "Rugby"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("grants")
    ws.append(header)
    for k in range(rows):
        row = dict.fromkeys(header, None)
        row.update(
            {
                "Identifier": f"360G-BENCH-{k:06d}",
                "Title": f"Grant {k}",
                "Description": f"Line one of grant {k}\nline two, with a comma",
                "Currency": "GBP",
                "Amount Awarded": f"{rng.uniform(500, 250_000):,.2f}",
                "Amount Applied For": f"{rng.uniform(500, 300_000):,.2f}",
                "Award Date": f"20{15 + k % 6}-0{1 + k % 9}-1{k % 10}",
                "Recipient Org:Identifier": f"GB-CHC-{100000 + k % 900}",
                "Recipient Org:Name": f"Charity {k % 900}",
                "Recipient Org:Charity Number": str(100000 + k % 900),
                "Beneficiary Location:Name": places[k % len(places)],
                "Funding Org:Identifier": "GB-CHC-999999",
                "Funding Org:Name": "A Benchmark Trust",
                "Last modified": "2020-01-01T00:00:00+00:00",
            }
        )
        ws.append([row[h] for h in header])
    wb.save(path)


def giving360(rows: int, keep: Path | None) -> int:
    """Time the validation of a 360Giving workbook; exit 1 when over 5 s or when a row is not read."""
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "giving360_bench.xlsx"
        build_giving360(path, rows)
        t0, c0 = time.perf_counter(), time.process_time()
        report = validate_ledger(path)
        t1, c1 = time.perf_counter(), time.process_time()
    wall = t1 - t0
    print(f"360Giving workbook: {rows:,} grants, {len(report.errors)} error line(s), {len(report.fixes)} fix line(s)")
    print(f"validate_ledger: {wall:.2f} s wall, {c1 - c0:.2f} s CPU ({rows / wall:,.0f} rows/s); target: < 5 s")
    return 0 if wall < 5 and report.n_rows == rows else 1


def main(argv: list[str] | None = None) -> int:
    """Build, time, print; exit 1 when over 10 s or when the ledger does not validate."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, default=None, help="also keep the workbook here")
    ap.add_argument("--giving360", type=int, default=None, metavar="ROWS", help="time a 360Giving workbook instead")
    args = ap.parse_args(argv)
    if args.giving360:
        return giving360(args.giving360, args.keep)
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
