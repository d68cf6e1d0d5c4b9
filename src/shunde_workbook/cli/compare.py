"""``shunde-workbook compare``: two runs side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "compare two outputs folders: parameters, inputs, measures, findings"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``compare`` to the command's subparsers."""
    p = sub.add_parser("compare", help=HELP, description=HELP)
    p.add_argument("a", help="outputs folder of the first run")
    p.add_argument("b", help="outputs folder of the second run (the comparison is written and linked here)")
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """Write the comparison into ``b``; 2 when the two folders cannot be compared."""
    from shunde_workbook.errors import RunError
    from shunde_workbook.experiments.compare import write_comparison

    try:
        files = write_comparison(Path(args.a), Path(args.b))
    except RunError as exc:
        print(f"Cannot compare: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote the comparison to {files['policy']} (analyst edition and CSV files beside it).")
    return 0
