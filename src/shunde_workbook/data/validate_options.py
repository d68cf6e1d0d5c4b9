"""The ``validate`` options for column mappings and exchange rates, shared by every command-line front end.

    add_options(parser)                  # --map, --mapping, --save-mapping, --fill, --rate, --rate-source
    argv = as_argv(args)                 # the same options as arguments again (a front end passing them on)

Only argparse here, so a front end can build its parser without importing pandas; what the options do is in
:mod:`shunde_workbook.data.ledger.options`.
"""

from __future__ import annotations

import argparse


def add_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Attach the mapping and rate options to a ``validate`` parser."""
    p.add_argument(
        "--map",
        action="append",
        default=None,
        metavar="'HEADER=COLUMN'",
        help="read the column HEADER as COLUMN (a template header such as 资助金额（万元）, an on-disk header or a "
        "column name; empty = ignore it); repeatable",
    )
    p.add_argument("--mapping", default=None, metavar="FILE.yaml", help="a column mapping file (see data/README.md)")
    p.add_argument(
        "--save-mapping", default=None, metavar="FILE.yaml", help="write the mapping used (guessed and given) to FILE"
    )
    p.add_argument(
        "--fill",
        action="append",
        default=None,
        metavar="'COLUMN=VALUE'",
        help="a value for every row of a column the file lacks, e.g. programme=和美社区 or year=2023; repeatable",
    )
    p.add_argument(
        "--rate", action="append", default=None, metavar="'CUR=RATE'", help="convert CUR amounts at RATE 元 per unit"
    )
    p.add_argument("--rate-source", default=None, metavar="TEXT", help="where the --rate figures come from (required)")
    return p


def as_argv(args: argparse.Namespace) -> list[str]:
    """The options of :func:`add_options` found on ``args``, as command-line arguments."""
    argv: list[str] = []
    for name in ("map", "fill", "rate"):
        for item in getattr(args, name, None) or []:
            argv += [f"--{name}", item]
    for name in ("mapping", "save_mapping", "rate_source"):
        value = getattr(args, name, None)
        if value:
            argv += ["--" + name.replace("_", "-"), str(value)]
    return argv
