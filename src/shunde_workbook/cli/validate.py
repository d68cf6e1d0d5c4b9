"""``shunde-workbook validate``: check a grant ledger and report every problem in one pass."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shunde_workbook.data.validate_options import add_options

HELP = "check a grant ledger (CSV/XLSX) and report every problem in one pass"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``validate`` to the command's subparsers."""
    p = sub.add_parser("validate", help=HELP, description=HELP)
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
        help="provenance of every row when the file has no provenance column (e.g. official)",
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
    p.add_argument("--html", type=Path, default=None, help="write a printable HTML validation report")
    p.add_argument(
        "--language",
        choices=["zh", "en"],
        default=None,
        help="language of the printed list (default en) and of the --html report (default zh)",
    )
    add_options(p)  # --map, --mapping, --save-mapping, --fill, --rate, --rate-source
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace, out=None) -> int:
    """Validate ``args.file``; print every problem, write --out/--html; 0 when there is no error, else 1."""
    import pandas as pd

    from shunde_workbook.data.ledger.messages import Msg
    from shunde_workbook.data.ledger.options import save_mapping, validate_with
    from shunde_workbook.data.ledger.outputs import write_clean, write_html
    from shunde_workbook.data.reconcile import format_table, reconcile

    out = out or sys.stdout
    language = getattr(args, "language", None)
    lang = language or "en"
    report = validate_with(args)
    print(report.format(lang), file=out)
    if getattr(args, "save_mapping", None) and report.columns:
        path = save_mapping(report, args.save_mapping)
        print(Msg("cli.wrote_mapping", path=path).text(lang), file=out)
    if getattr(args, "html", None):
        path = write_html(report, args.html, language or "zh")
        print(Msg("cli.wrote_html", path=path).text(lang), file=out)
    if getattr(args, "out", None):
        if report.n_accepted:
            path = write_clean(report, args.out)
            print(Msg("cli.wrote_clean", n=report.n_accepted, path=path).text(lang), file=out)
        else:
            print(Msg("cli.no_rows", path=args.out).text(lang), file=sys.stderr)
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
