"""``shunde-workbook simulate``: write the SIMULATED ledger calibrated to the published figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from shunde_workbook.paths import RAW

HELP = "write the SIMULATED ledger calibrated to the published figures"


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``simulate`` to the command's subparsers."""
    p = sub.add_parser("simulate", help=HELP, description=HELP)
    p.add_argument("--seed", type=int, default=2023, help="random seed (default: %(default)s)")
    p.add_argument("--out", type=Path, default=RAW / "grants_simulated.csv", help="output CSV (default: %(default)s)")
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """Write the simulated ledger; 0."""
    from shunde_workbook.data.simulate import write_simulated

    path = write_simulated(Path(args.out), seed=args.seed)
    print(f"Wrote the SIMULATED ledger (seed {args.seed}) to {path}. Every row is marked provenance=simulated.")
    return 0
