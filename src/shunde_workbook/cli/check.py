"""``shunde-workbook check``: verify an outputs folder against its manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

from shunde_workbook.paths import OUTPUTS

HELP = "verify an outputs folder against its manifest (files, hashes, cache keys)"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``check`` to the command's subparsers."""
    p = sub.add_parser("check", help=HELP, description=HELP)
    p.add_argument("outputs", nargs="?", default=str(OUTPUTS), help="the outputs folder (default: %(default)s)")
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """0 when every report matches the manifest, else 1 with the list of problems."""
    from shunde_workbook.runner.commit import check
    from shunde_workbook.runner.hygiene import clean_text

    problems = check(Path(args.outputs))
    if not problems:
        print(f"{args.outputs}: every report matches the manifest (files present, hashes and cache keys agree).")
        return 0
    print(f"{args.outputs}: {len(problems)} problem(s); run the reports again to repair:")
    for line in problems[:200]:
        print("  - " + clean_text(line))
    if len(problems) > 200:
        print(f"  … and {len(problems) - 200} more")
    return 1
