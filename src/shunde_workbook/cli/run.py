"""``shunde-workbook run``: execute the notebooks with papermill and export the reports."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from shunde_workbook.paths import OUTPUTS, PARAMS

HELP = "execute the notebooks with papermill and export HTML reports"


def replay_arguments(manifest_path: Path) -> tuple[list[str], list[str]]:
    """The ``--set`` overrides and ``--only`` notebooks that reproduce the run recorded in a manifest.

    Every effective parameter of that run is set explicitly (as JSON, which the YAML reader takes), so the
    replay does not depend on what ``params/default.yaml`` says today.
    """
    import json

    from shunde_workbook.errors import InputError

    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
        parameters = manifest["run"]["parameters"]
        if not isinstance(parameters, dict):
            raise TypeError("run.parameters is not a mapping")
        bad = [k for k in parameters if not isinstance(k, str) or not k.isidentifier()]
        if bad:  # a key such as "x=1,ledger_path" would otherwise override another parameter
            raise ValueError(f"parameter names that are not plain names: {', '.join(map(repr, bad[:5]))}")
        reports = manifest.get("reports", [])
        notebooks = sorted({Path(r["notebook"]).stem for r in reports if isinstance(r, dict) and r.get("notebook")})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"--replay {manifest_path}: not a readable manifest.json of a run ({type(exc).__name__}: {exc}). "
            "Give the manifest.json of an outputs folder."
        ) from None
    sets = [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in parameters.items()]
    return sets, notebooks


def add_parser(sub) -> argparse.ArgumentParser:
    """Attach ``run`` to the command's subparsers."""
    p = sub.add_parser("run", help=HELP, description=HELP)
    p.add_argument("--params", default=str(PARAMS / "default.yaml"), help="YAML parameter set (default: %(default)s)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one parameter, e.g. --set language=en (repeatable)",
    )
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks (file names without .ipynb)")
    p.add_argument("--jobs", type=int, default=None, help="parallel reports (default: number of cores)")
    p.add_argument("--force", action="store_true", help="rebuild reports even when nothing changed")
    p.add_argument(
        "--replay",
        metavar="MANIFEST",
        help="rerun with every parameter recorded in an outputs folder's manifest.json (and its notebooks)",
    )
    p.add_argument("--outputs", default=str(OUTPUTS), help="output folder (default: %(default)s)")
    p.add_argument(
        "--cell-timeout",
        type=float,
        default=600,
        metavar="SECONDS",
        help="stop a report whose cell runs longer than this (default: %(default)s)",
    )
    p.add_argument(
        "--report-timeout", type=float, default=None, metavar="SECONDS", help="stop a report running longer than this"
    )
    p.set_defaults(func=command)
    return p


def command(args: argparse.Namespace) -> int:
    """Run the reports; the runner's exit code (2 for options out of range)."""
    if args.jobs is not None and args.jobs < 1:
        print("--jobs must be at least 1", file=sys.stderr)
        return 2
    limits = [args.cell_timeout] + ([args.report_timeout] if args.report_timeout is not None else [])
    if not all(math.isfinite(t) and t > 0 for t in limits):  # nan and inf included
        print("--cell-timeout and --report-timeout must be finite positive numbers of seconds", file=sys.stderr)
        return 2
    from shunde_workbook.runner.runner import RunOptions, run

    overrides, only = list(args.set), args.only
    if args.replay:
        sets, notebooks = replay_arguments(Path(args.replay))
        overrides, only = sets + overrides, only or notebooks or None
        print(f"Replaying {args.replay}: {len(sets)} parameters, notebooks {', '.join(notebooks) or 'all'}.")
    return run(
        RunOptions(
            params_file=Path(args.params) if args.params else None,
            overrides=overrides,
            only=only,
            jobs=args.jobs,
            force=args.force,
            outputs=Path(args.outputs),
            cell_timeout=args.cell_timeout,
            report_timeout=args.report_timeout,
        )
    )
