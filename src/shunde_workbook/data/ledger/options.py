"""What the ``validate`` mapping and rate options do (the options themselves: ``data/validate_options.py``).

report = validate_with(args)         # validate_ledger with the mapping and rates the options give
save_mapping(report, args.save_mapping)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shunde_workbook.data.ledger.mapping import Mapping, disk_name
from shunde_workbook.data.ledger.report import ValidationReport


def mapping_from(args: argparse.Namespace) -> Mapping | None:
    """The mapping the options give (--mapping, then --map and --fill on top), or None for the default."""
    given = Mapping.parse(getattr(args, "map", None), getattr(args, "fill", None))
    path = getattr(args, "mapping", None)
    if path:
        return Mapping.load(path).merged(given)
    return given if (given.columns or given.fill) else None


def validate_with(args: argparse.Namespace) -> ValidationReport:
    """Validate ``args.file`` with its unit, provenance, mapping and rate options (never raises on bad data)."""
    from shunde_workbook.data.ledger import validate_ledger
    from shunde_workbook.data.ledger.currency import parse_rates
    from shunde_workbook.data.ledger.messages import Msg
    from shunde_workbook.data.ledger.report import Issue
    from shunde_workbook.data.ledger.validate import _empty_frame

    try:
        mapping = mapping_from(args)
        rates = parse_rates(getattr(args, "rate", None))
    except ValueError as exc:
        report = ValidationReport(str(args.file), None, _empty_frame())
        report.errors = [Issue(str(args.file), 0, "", "", Msg("arg.bad", detail=exc.args[0]))]
        return report
    return validate_ledger(
        args.file,
        unit=args.unit,
        provenance=args.provenance,
        mapping=mapping,
        rates=rates,
        rate_source=getattr(args, "rate_source", None),
    )


def used_mapping(report: ValidationReport) -> Mapping:
    """The mapping a validation used, guessed and given: every header read as a column, the fills, unit, provenance.

    Saved, it reads the same file the same way with no further option.
    """
    given = report.mapping if isinstance(report.mapping, Mapping) else Mapping()
    columns = dict(given.columns)
    for sheet_roles in getattr(report, "roles", []):
        for role, header in sheet_roles.items():
            if isinstance(header, str) and role != "serial" and type(header) is str:
                columns.setdefault(header, disk_name(role))
    options = report.options or {}
    return Mapping(columns, dict(given.fill), options.get("provenance"), options.get("unit"))


def save_mapping(report: ValidationReport, path: str | Path) -> Path:
    """Write :func:`used_mapping` to ``path``."""
    return used_mapping(report).save(path)
