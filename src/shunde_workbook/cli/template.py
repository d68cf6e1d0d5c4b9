"""``shunde-workbook template``: write a data-entry ledger workbook with drop-down lists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write a data-entry ledger workbook (.xlsx) with drop-down lists"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``template`` to the command's subparsers."""
    p = sub.add_parser("template", help=HELP, description=HELP)
    p.add_argument("file", type=Path, help="the .xlsx to write, e.g. ledger_template.xlsx")
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """Write the template workbook; 2 when the name does not end in .xlsx."""
    from shunde_workbook.data.ledger.template import write_template

    file = Path(args.file)
    if file.suffix.lower() != ".xlsx":
        print(f"{file}: the template is an Excel workbook; give a name ending in .xlsx", file=sys.stderr)
        return 2
    path = write_template(file)
    print(f"Wrote the ledger template to {path}; fill in the sheet 台账, then: shunde-workbook validate {path}")
    return 0
