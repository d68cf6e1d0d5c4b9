"""validate_ledger: read the file, map its headers, run the column checks, keep the rows without errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shunde_workbook import paths
from shunde_workbook.data.ledger.checks import (
    check_amount,
    check_award_date,
    check_currency,
    check_field,
    check_identifier,
    check_programme,
    check_provenance,
    check_year,
    copy_free_text,
    fill_funder,
)
from shunde_workbook.data.ledger.place_columns import (
    check_places,
    fill_location,
    warn_villages_new_in_2023,
)
from shunde_workbook.data.ledger.reading import (
    check_required_columns,
    map_headers,
    read_table,
)
from shunde_workbook.data.ledger.report import Issue, ValidationReport
from shunde_workbook.data.ledger.sheet import Sheet
from shunde_workbook.data.schema import FRAME_COLUMNS, normalise_unit
from shunde_workbook.errors import LedgerError

DEFAULT_LEDGER = paths.RAW / "grants_simulated.csv"
TEXT_COLUMNS = [c for c in FRAME_COLUMNS if c not in ("amount", "award_date", "year")]


def validate_ledger(
    path: str | Path | None = None, unit: str | None = None, provenance: str | None = None
) -> ValidationReport:
    """Validate a ledger file; never raises for bad data (only for a missing file or bad arguments).

    unit: the unit of bare numbers in the amount column ('元' or '万元'); a unit in the header, e.g.
    '资助金额(万元)', is used when no unit is given.  provenance: used for every row when the file has no
    provenance column (published | official | simulated).
    """
    path = Path(path) if path is not None else DEFAULT_LEDGER
    unit = normalise_unit(unit)
    table, encoding = read_table(path)
    report = ValidationReport(str(path), encoding, _empty_frame())
    if table.empty:
        report.errors.append(Issue(str(path), 1, "", "", "file is empty (no header row)"))
        return report
    sheet = Sheet.from_table(str(path), table, unit, provenance)
    report.n_rows = len(sheet.body)
    sheet.roles = map_headers(sheet.headers, sheet.body, sheet.issues)
    report.header_map = sheet.roles.names
    check_required_columns(sheet.roles, provenance, sheet.issues)
    if sheet.issues.errors:  # cannot check rows without the required columns
        report.errors, report.warnings = sheet.issues.errors, sheet.issues.warnings
        return report
    check_identifier(sheet)
    check_amount(sheet)
    check_programme(sheet)
    check_award_date(sheet)
    check_year(sheet)
    check_field(sheet)
    check_places(sheet)
    check_provenance(sheet)
    check_currency(sheet)
    copy_free_text(sheet)
    fill_funder(sheet)
    fill_location(sheet)
    warn_villages_new_in_2023(sheet)
    return _finish(report, sheet)


def load_ledger(path: str | Path | None = None, unit: str | None = None, provenance: str | None = None) -> pd.DataFrame:
    """Validated ledger as a DataFrame with columns schema.FRAME_COLUMNS; raises LedgerError listing all errors.

    Default path: data/raw/grants_simulated.csv (SIMULATED data, provenance=simulated on every row).
    """
    report = validate_ledger(path, unit=unit, provenance=provenance)
    if not report.ok:
        raise LedgerError(report)
    return report.frame


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FRAME_COLUMNS})


def _finish(report: ValidationReport, sheet: Sheet) -> ValidationReport:
    """The accepted rows (no error) with load_ledger's dtypes; errors sorted by row, then column."""
    frame = sheet.out.loc[~sheet.issues.bad, FRAME_COLUMNS].reset_index(drop=True)
    frame["amount"] = frame["amount"].astype(float)
    frame["year"] = frame["year"].astype("int64")
    for c in TEXT_COLUMNS:
        frame[c] = frame[c].astype("str")
    frame.attrs.update({"source": report.path, "encoding": report.encoding})
    sheet.issues.errors.sort(key=lambda e: (e.row, e.column))
    report.frame = frame
    report.errors, report.warnings, report.fixes = sheet.issues.errors, sheet.issues.warnings, sheet.issues.fixes
    return report
