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
    p.add_argument(
        "--partial",
        action="store_true",
        help="with --out: write the accepted rows although errors remain (marked partial beside the file)",
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
    from shunde_workbook.data.ledger.outputs import partial_note, write_html, write_validated
    from shunde_workbook.data.reconcile import format_table, reconcile
    from shunde_workbook.report.webfonts import embed_fonts_in_file

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
        embed_fonts_in_file(path)  # the page carries its CJK font (report.webfonts)
        print(Msg("cli.wrote_html", path=path).text(lang), file=out)
    code = 0 if report.ok else 1
    if getattr(args, "out", None):  # never leaves an older file in place with exit 0 (outputs.write_validated)
        outcome, code = write_validated(report, args.out, partial=getattr(args, "partial", False))
        what, _, removed = outcome.partition("+")
        stream = out if what in ("written", "partial") else sys.stderr
        note = partial_note(args.out).name
        counts = {"n": report.n_accepted, "left": report.n_rejected, "note": note, "flag": "--partial"}
        print(Msg(f"cli.out_{what}", path=args.out, **counts).text(lang), file=stream)
        if removed:
            print(Msg("cli.out_removed", path=args.out).text(lang), file=sys.stderr)
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
