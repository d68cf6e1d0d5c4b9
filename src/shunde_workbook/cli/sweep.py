"""``shunde-workbook sweep``: run a grid or list of parameter sets, each into its own folder."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "run a grid or list of parameter sets (SWEEP.yaml), each into its own folder"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``sweep`` to the command's subparsers."""
    p = sub.add_parser("sweep", help=HELP, description=HELP)
    p.add_argument("file", help="the sweep file (see docs/sweeps.md)")
    p.add_argument("--jobs", type=int, default=None, help="sets run at once on the local pool (default: cores)")
    p.add_argument("--dask", metavar="local|tcp://HOST:8786", help="run the sets on a Dask cluster")
    p.add_argument("--force", action="store_true", help="rebuild reports even when nothing changed")
    p.add_argument(
        "--measures-only",
        action="store_true",
        help="compute every measure, interval and grade per set without notebooks (measures.parquet)",
    )
    p.add_argument(
        "--max-sets",
        type=int,
        default=10_000,
        metavar="N",
        help="refuse a sweep of more than N parameter sets before expanding it (default: %(default)s)",
    )
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """Run the sweep; its exit code."""
    if args.measures_only:
        from shunde_workbook.experiments.measures_sweep import run_measures_sweep

        return run_measures_sweep(Path(args.file), jobs=args.jobs, dask=args.dask)
    from shunde_workbook.experiments.sweep import run_sweep

    return run_sweep(Path(args.file), jobs=args.jobs, dask=args.dask, force=args.force, max_sets=args.max_sets)
