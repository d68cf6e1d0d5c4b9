"""Command-line entry points for the ledger commands (``validate`` and ``simulate``).

A command-line front end (such as ``shunde-workbook``) can either call the plain functions

    validate_main(argv) -> int      # validate FILE [--unit 元|万元] [--provenance P] [--reconcile]
    simulate_main(argv) -> int      # simulate [--seed N] [--out PATH]

or attach the sub-commands to its own argparse parser:

    sub = parser.add_subparsers(dest="command")
    add_validate_parser(sub); add_simulate_parser(sub)
    args = parser.parse_args(); sys.exit(args.func(args))
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def _validate_args(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("file", type=Path, help="ledger file: .csv (UTF-8, UTF-8 BOM, GBK/GB18030) or .xlsx")
    p.add_argument(
        "--unit",
        choices=["元", "万元"],
        default=None,
        help="unit of bare numbers in the amount column (default: from the header, else 元)",
    )
    p.add_argument(
        "--provenance",
        choices=["published", "official", "simulated"],
        default=None,
        help="provenance for every row when the file has no provenance column",
    )
    p.add_argument(
        "--reconcile",
        action="store_true",
        help="also compare the accepted rows with data/reference/published_facts.csv",
    )
    return p


def _simulate_args(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--seed", type=int, default=2023, help="random seed (default 2023)")
    p.add_argument("--out", type=Path, default=None, help="output CSV (default data/raw/grants_simulated.csv)")
    return p


def run_validate(args: argparse.Namespace, out=None) -> int:
    from shunde_workbook.data.ledger import validate_ledger
    from shunde_workbook.data.reconcile import format_table, reconcile

    out = out or sys.stdout
    if not args.file.exists():
        print(f"{args.file}: no such file", file=out)
        return 1
    report = validate_ledger(args.file, unit=args.unit, provenance=args.provenance)
    for fix in report.fixes:
        print(f"fixed: {fix.format()}", file=out)
    for w in report.warnings:
        print(f"warning: {w.format()}", file=out)
    for e in report.errors:
        print(e.format(), file=out)
    print(report.summary(), file=out)
    if args.reconcile:
        table = reconcile(report.frame)
        print("\nReconciliation with published facts (amounts in 万元):", file=out)
        with pd.option_context("display.width", 250, "display.max_colwidth", 80):
            print(format_table(table), file=out)
        counts = table["status"].value_counts()
        print(", ".join(f"{k}: {v}" for k, v in counts.items()), file=out)
        if not report.ok:
            print("(reconciliation uses the accepted rows only)", file=out)
    return 0 if report.ok else 1


def run_simulate(args: argparse.Namespace, out=None) -> int:
    from shunde_workbook.data.simulate import write_simulated

    out = out or sys.stdout
    path = write_simulated(args.out, seed=args.seed)
    print(f"wrote SIMULATED ledger (seed {args.seed}) to {path}", file=out)
    return 0


def add_validate_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("validate", help="validate a grant ledger file (all problems in one pass)")
    _validate_args(p).set_defaults(func=run_validate)
    return p


def add_simulate_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("simulate", help="write the SIMULATED ledger calibrated to published facts")
    _simulate_args(p).set_defaults(func=run_simulate)
    return p


def validate_main(argv: list[str] | None = None) -> int:
    p = _validate_args(argparse.ArgumentParser(prog="shunde-workbook validate"))
    return run_validate(p.parse_args(argv))


def simulate_main(argv: list[str] | None = None) -> int:
    p = _simulate_args(argparse.ArgumentParser(prog="shunde-workbook simulate"))
    return run_simulate(p.parse_args(argv))


if __name__ == "__main__":  # python -m shunde_workbook.data.cli validate FILE …
    parser = argparse.ArgumentParser(prog="python -m shunde_workbook.data.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    add_validate_parser(sub)
    add_simulate_parser(sub)
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
