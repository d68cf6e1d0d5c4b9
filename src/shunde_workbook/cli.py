"""The ``shunde-workbook`` command.

Subcommands: ``run`` (execute the notebooks and export the reports),
``validate`` (check a grant ledger), ``simulate`` (write the simulated
ledger) and ``build-geo`` (rebuild the approximate town boundaries).
Heavy libraries are imported inside each subcommand so that a mistake in
the arguments is reported at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shunde_workbook.paths import OUTPUTS, PARAMS, RAW, SHAPEFILES


def _run(args) -> int:
    from shunde_workbook.build.runner import run

    return run(
        params_file=Path(args.params) if args.params else None,
        overrides=args.set,
        only=args.only,
        jobs=args.jobs,
        force=args.force,
        outputs=Path(args.outputs),
    )


def _validate(args) -> int:
    from shunde_workbook.data.cli import validate_main

    argv = (
        [args.file]
        + (["--unit", args.unit] if args.unit else [])
        + (["--provenance", args.provenance] if args.provenance else [])
        + (["--reconcile"] if args.reconcile else [])
        + (["--out", args.out] if args.out else [])
        + (["--html", args.html, "--language", args.language] if args.html else [])
    )
    return validate_main(argv)


def _template(args) -> int:
    from shunde_workbook.data.cli import template_main

    return template_main([args.file])


def _simulate(args) -> int:
    from shunde_workbook.data.simulate import write_simulated

    out = Path(args.out)
    write_simulated(out, seed=args.seed)
    print(f"Wrote simulated ledger (seed {args.seed}) to {out}. Every row is marked provenance=simulated.")
    return 0


def _build_geo(args) -> int:
    from shunde_workbook.geo.build import build_geo

    report = build_geo(Path(args.out), Path(args.reference))
    print(f"Wrote approximate town boundaries to {args.out}.")
    for key in ("outline_km2", "scale", "iterations", "max_rel_error"):
        if key in report:
            print(f"  {key}: {report[key]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shunde-workbook", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the notebooks with papermill and export HTML reports")
    run.add_argument("--params", default=str(PARAMS / "default.yaml"), help="YAML parameter set (default: %(default)s)")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one parameter, e.g. --set language=en (repeatable)",
    )
    run.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks (file names without .ipynb)")
    run.add_argument("--jobs", type=int, default=None, help="parallel reports (default: number of cores)")
    run.add_argument("--force", action="store_true", help="rebuild reports even when nothing changed")
    run.add_argument("--outputs", default=str(OUTPUTS), help="output folder (default: %(default)s)")
    run.set_defaults(func=_run)

    val = sub.add_parser("validate", help="check a grant ledger (CSV/XLSX) and report every problem")
    val.add_argument("file")
    val.add_argument("--unit", choices=("元", "万元"), help="unit of the amount column when the cells carry none")
    val.add_argument(
        "--provenance",
        choices=("published", "official", "simulated"),
        help="provenance of every row when the file has no provenance column (e.g. official)",
    )
    val.add_argument("--reconcile", action="store_true", help="also compare the ledger with the published facts")
    val.add_argument("--out", help="write the accepted rows as a clean CSV (usable as run --set ledger_path=…)")
    val.add_argument("--html", help="write a printable HTML validation report")
    val.add_argument("--language", choices=("zh", "en"), default="zh", help="language of the --html report")
    val.set_defaults(func=_validate)

    tpl = sub.add_parser("template", help="write a data-entry ledger workbook (.xlsx) with drop-down lists")
    tpl.add_argument("file", help="e.g. ledger_template.xlsx")
    tpl.set_defaults(func=_template)

    sim = sub.add_parser("simulate", help="write the simulated ledger calibrated to published figures")
    sim.add_argument("--seed", type=int, default=2023)
    sim.add_argument("--out", default=str(RAW / "grants_simulated.csv"))
    sim.set_defaults(func=_simulate)

    geo = sub.add_parser("build-geo", help="rebuild the approximate town boundaries in shapefiles/")
    geo.add_argument("--out", default=str(SHAPEFILES))
    geo.add_argument(
        "--reference", default=str(SHAPEFILES / "source"), help="folder with the source inputs (default: %(default)s)"
    )
    geo.set_defaults(func=_build_geo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run" and args.jobs is not None and args.jobs < 1:
        print("--jobs must be at least 1", file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
