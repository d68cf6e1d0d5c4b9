"""The ``shunde-workbook`` command: one module per subcommand.

run        execute the notebooks and export the reports
check      verify an outputs folder against its manifest
validate   check a grant ledger and report every problem
template   write a data-entry ledger workbook
simulate   write the SIMULATED ledger
build-geo  rebuild the APPROXIMATE town boundaries
compare    two runs side by side
sweep      many parameter sets

Each module has ``add_parser(subparsers)`` and ``command(args) -> exit code``.  Heavy libraries are
imported inside each command, so a mistake in the arguments is reported at once.  Problems the user can fix
(:class:`~shunde_workbook.errors.WorkbookError`) end with ``error: …`` on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from shunde_workbook.cli import build_geo, check, compare, run, simulate, sweep, template, validate
from shunde_workbook.cli.run import replay_arguments

SUBCOMMANDS = (run, check, validate, template, simulate, build_geo, compare, sweep)

__all__ = ["SUBCOMMANDS", "build_parser", "main", "replay_arguments"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="shunde-workbook", description="The Shunde funding workbook: run, check and compare the reports."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv``; return the exit code."""
    args = build_parser().parse_args(argv)
    from shunde_workbook.errors import WorkbookError

    try:
        code = args.func(args)
    except WorkbookError as exc:  # a problem the user can fix: the message says what; anything else is a bug
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if code in (130, 143):  # stopped by a signal: the summary is out; leave without waiting on pool threads
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
