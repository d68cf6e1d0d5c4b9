"""The ``shunde-workbook`` command.

Subcommands: ``run`` (execute the notebooks and export the reports),
``check`` (verify an outputs folder against its manifest), ``validate``
(check a grant ledger), ``simulate`` (write the simulated ledger),
``build-geo`` (rebuild the approximate town boundaries), ``compare`` (two
runs) and ``sweep`` (many parameter sets).
Heavy libraries are imported inside each subcommand so that a mistake in
the arguments is reported at once.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from shunde_workbook.paths import OUTPUTS, PARAMS, RAW, SHAPEFILES


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


def _run(args) -> int:
    from shunde_workbook.build.runner import run

    overrides, only = list(args.set), args.only
    if args.replay:
        sets, notebooks = replay_arguments(Path(args.replay))
        overrides, only = sets + overrides, only or notebooks or None
        print(f"Replaying {args.replay}: {len(sets)} parameters, notebooks {', '.join(notebooks) or 'all'}.")
    return run(
        params_file=Path(args.params) if args.params else None,
        overrides=overrides,
        only=only,
        jobs=args.jobs,
        force=args.force,
        outputs=Path(args.outputs),
        cell_timeout=args.cell_timeout,
        report_timeout=args.report_timeout,
    )


def _check(args) -> int:
    from shunde_workbook.build.commit import check
    from shunde_workbook.build.hygiene import clean_text

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


def _validate(args) -> int:
    from shunde_workbook.data.cli import validate_main

    argv = (
        [args.file]
        + (["--unit", args.unit] if args.unit else [])
        + (["--provenance", args.provenance] if args.provenance else [])
        + (["--reconcile"] if args.reconcile else [])
        + (["--out", args.out] if args.out else [])
        + (["--partial"] if args.partial else [])
        + (["--html", args.html] if args.html else [])
        + (["--language", args.language] if args.language else [])
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


def _compare(args) -> int:
    from shunde_workbook.build.compare import write_comparison
    from shunde_workbook.errors import RunError

    try:
        files = write_comparison(Path(args.a), Path(args.b))
    except RunError as exc:
        print(f"Cannot compare: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote the comparison to {files['policy']} (analyst edition and CSV files beside it).")
    return 0


def _sweep(args) -> int:
    from shunde_workbook.build.sweep import run_sweep

    return run_sweep(Path(args.file), jobs=args.jobs, dask=args.dask, force=args.force, max_sets=args.max_sets)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
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
    run.add_argument(
        "--replay",
        metavar="MANIFEST",
        help="rerun with every parameter recorded in an outputs folder's manifest.json (and its notebooks)",
    )
    run.add_argument("--outputs", default=str(OUTPUTS), help="output folder (default: %(default)s)")
    run.add_argument(
        "--cell-timeout",
        type=float,
        default=600,
        metavar="SECONDS",
        help="stop a report whose cell runs longer than this (default: %(default)s)",
    )
    run.add_argument(
        "--report-timeout", type=float, default=None, metavar="SECONDS", help="stop a report running longer than this"
    )
    run.set_defaults(func=_run)

    chk = sub.add_parser("check", help="verify an outputs folder against its manifest (files, hashes, cache keys)")
    chk.add_argument("outputs", nargs="?", default=str(OUTPUTS))
    chk.set_defaults(func=_check)

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
    val.add_argument(
        "--partial",
        action="store_true",
        help="with --out: write the accepted rows although errors remain (marked partial)",
    )
    val.add_argument("--html", help="write a printable HTML validation report")
    val.add_argument(
        "--language",
        choices=("zh", "en"),
        default=None,
        help="language of the printed list (default en) and of the --html report (default zh)",
    )
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
    cmp_ = sub.add_parser("compare", help="compare two outputs folders: parameters, inputs, measures, findings")
    cmp_.add_argument("a", help="outputs folder of the first run")
    cmp_.add_argument("b", help="outputs folder of the second run (the comparison is written and linked here)")
    cmp_.set_defaults(func=_compare)

    swp = sub.add_parser("sweep", help="run a grid or list of parameter sets (SWEEP.yaml), each into its own folder")
    swp.add_argument("file", help="the sweep file (see docs/sweeps.md)")
    swp.add_argument(
        "--max-sets",
        type=int,
        default=10_000,
        metavar="N",
        help="refuse a sweep of more than N parameter sets before expanding it (default: %(default)s)",
    )
    swp.add_argument("--jobs", type=int, default=None, help="sets run at once on the local pool (default: cores)")
    swp.add_argument("--dask", metavar="local|tcp://HOST:8786", help="run the sets on a Dask cluster")
    swp.add_argument("--force", action="store_true", help="rebuild reports even when nothing changed")
    swp.set_defaults(func=_sweep)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv``; return the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "run" and args.jobs is not None and args.jobs < 1:
        print("--jobs must be at least 1", file=sys.stderr)
        return 2
    if args.command == "run" and not (
        _positive(args.cell_timeout) and (args.report_timeout is None or _positive(args.report_timeout))
    ):
        print("--cell-timeout and --report-timeout must be finite positive numbers of seconds", file=sys.stderr)
        return 2
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


def _positive(seconds: float) -> bool:
    return math.isfinite(seconds) and seconds > 0


if __name__ == "__main__":
    sys.exit(main())
