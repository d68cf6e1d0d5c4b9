"""``shunde-workbook build-geo``: rebuild the approximate town boundaries."""

from __future__ import annotations

import argparse
from pathlib import Path

from shunde_workbook.paths import SHAPEFILES

HELP = "rebuild the APPROXIMATE town boundaries in shapefiles/"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``build-geo`` to the command's subparsers."""
    p = sub.add_parser("build-geo", help=HELP, description=HELP)
    p.add_argument("--out", default=str(SHAPEFILES), help="folder to write the boundaries to (default: %(default)s)")
    p.add_argument(
        "--reference", default=str(SHAPEFILES / "source"), help="folder with the source inputs (default: %(default)s)"
    )
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """Build the boundaries and print the fit's figures; 0."""
    from shunde_workbook.geo.build import build_geo

    report = build_geo(Path(args.out), Path(args.reference))
    print(f"Wrote approximate town boundaries to {args.out}.")
    for key in ("outline_km2", "scale", "iterations", "max_rel_error"):
        if key in report:
            print(f"  {key}: {report[key]}")
    return 0
