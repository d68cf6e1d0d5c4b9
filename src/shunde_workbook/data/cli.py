"""Command-line entry points for the ledger commands (``validate``, ``simulate`` and ``template``).

A command-line front end (such as ``shunde-workbook``) can either call the plain functions

    validate_main(argv) -> int      # validate FILE [--unit 元|万元] [--provenance P] [--reconcile]
                                    #               [--out clean.csv] [--html report.html] [--language zh|en]
    simulate_main(argv) -> int      # simulate [--seed N] [--out PATH]
    template_main(argv) -> int      # template ledger_template.xlsx

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
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the accepted rows as a clean CSV in the on-disk schema (usable as run --set ledger_path=…)",
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="with --out: write the accepted rows even though errors remain (marked partial beside the file)",
    )
    p.add_argument("--html", type=Path, default=None, help="write a printable HTML validation report")
    p.add_argument(
        "--language",
        choices=["zh", "en"],
        default=None,
        help="language of the printed list (default en) and of the HTML report (default zh)",
    )
    return p


def _template_args(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("file", type=Path, help="the .xlsx to write, e.g. ledger_template.xlsx")
    return p


def _simulate_args(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--seed", type=int, default=2023, help="random seed (default 2023)")
    p.add_argument("--out", type=Path, default=None, help="output CSV (default data/raw/grants_simulated.csv)")
    return p


def run_validate(args: argparse.Namespace, out=None) -> int:
    """Validate ``args.file``; print every problem, write --out/--html; 0 when there is no error."""
    from shunde_workbook.data.ledger import validate_ledger
    from shunde_workbook.data.ledger.messages import Msg
    from shunde_workbook.data.ledger.outputs import write_html, write_validated
    from shunde_workbook.data.reconcile import format_table, reconcile

    out = out or sys.stdout
    language = getattr(args, "language", None)
    lang = language or "en"
    report = validate_ledger(args.file, unit=args.unit, provenance=args.provenance)
    print(report.format(lang), file=out)
    if getattr(args, "html", None):
        path = write_html(report, args.html, language or "zh")
        print(Msg("cli.wrote_html", path=path).text(lang), file=out)
    code = 0 if report.ok else 1
    if getattr(args, "out", None):
        outcome, code = write_validated(report, args.out, partial=getattr(args, "partial", False))
        what, _, removed = outcome.partition("+")
        n = report.n_accepted
        print(Msg(f"cli.out_{what}", n=n, left=report.n_rejected, path=args.out).text(lang), file=out)
        if removed:
            print(Msg("cli.out_removed", path=args.out).text(lang), file=out)
    if args.reconcile:
        table = reconcile(report.frame)
        print("\nReconciliation with published facts (amounts in 万元):", file=out)
        with pd.option_context("display.width", 250, "display.max_colwidth", 80):
            print(format_table(table), file=out)
        counts = table["status"].value_counts()
        print(", ".join(f"{k}: {v}" for k, v in counts.items()), file=out)
        if not report.ok:
            print("(reconciliation uses the accepted rows only)", file=out)
    return code


def run_simulate(args: argparse.Namespace, out=None) -> int:
    """Write the simulated ledger; returns 0."""
    from shunde_workbook.data.simulate import write_simulated

    out = out or sys.stdout
    path = write_simulated(args.out, seed=args.seed)
    print(f"wrote SIMULATED ledger (seed {args.seed}) to {path}", file=out)
    return 0


def run_template(args: argparse.Namespace, out=None) -> int:
    """Write the data-entry template workbook; 2 when the name does not end in .xlsx."""
    from shunde_workbook.data.ledger.template import write_template

    out = out or sys.stdout
    if args.file.suffix.lower() != ".xlsx":
        print(f"{args.file}: the template is an Excel workbook; give a name ending in .xlsx", file=out)
        return 2
    path = write_template(args.file)
    print(
        f"wrote the ledger template to {path}; fill in the sheet 台账, then: shunde-workbook validate {path}", file=out
    )
    return 0


def add_template_parser(subparsers) -> argparse.ArgumentParser:
    """Attach the ``template`` sub-command to an argparse sub-parser set."""
    p = subparsers.add_parser("template", help="write a data-entry ledger workbook with drop-down lists")
    _template_args(p).set_defaults(func=run_template)
    return p


def template_main(argv: list[str] | None = None) -> int:
    """``template FILE.xlsx`` as a plain function."""
    return run_template(_template_args(argparse.ArgumentParser(prog="shunde-workbook template")).parse_args(argv))


def add_validate_parser(subparsers) -> argparse.ArgumentParser:
    """Attach the ``validate`` sub-command to an argparse sub-parser set."""
    p = subparsers.add_parser("validate", help="validate a grant ledger file (all problems in one pass)")
    _validate_args(p).set_defaults(func=run_validate)
    return p


def add_simulate_parser(subparsers) -> argparse.ArgumentParser:
    """Attach the ``simulate`` sub-command to an argparse sub-parser set."""
    p = subparsers.add_parser("simulate", help="write the SIMULATED ledger calibrated to published facts")
    _simulate_args(p).set_defaults(func=run_simulate)
    return p


def validate_main(argv: list[str] | None = None) -> int:
    """``validate FILE …`` as a plain function."""
    p = _validate_args(argparse.ArgumentParser(prog="shunde-workbook validate"))
    return run_validate(p.parse_args(argv))


def simulate_main(argv: list[str] | None = None) -> int:
    """``simulate …`` as a plain function."""
    p = _simulate_args(argparse.ArgumentParser(prog="shunde-workbook simulate"))
    return run_simulate(p.parse_args(argv))


if __name__ == "__main__":  # python -m shunde_workbook.data.cli validate FILE …
    parser = argparse.ArgumentParser(prog="python -m shunde_workbook.data.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    add_validate_parser(sub)
    add_simulate_parser(sub)
    add_template_parser(sub)
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
