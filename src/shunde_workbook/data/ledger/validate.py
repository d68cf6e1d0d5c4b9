"""validate_ledger (never raises) and load_ledger (raises LedgerError when anything is wrong).

Read the file, find the table in each sheet, run the column checks, keep the rows without errors.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shunde_workbook import paths
from shunde_workbook.data.ledger import layout
from shunde_workbook.data.ledger.checks import (
    check_amount,
    check_award_date,
    check_field,
    check_identifier,
    check_programme,
    check_provenance,
    check_year,
    copy_free_text,
    duplicate_message,
    fill_funder,
)
from shunde_workbook.data.ledger.columns import describe_columns, fill_from_mapping
from shunde_workbook.data.ledger.currency import check_currency, rate_arg
from shunde_workbook.data.ledger.mapping import Mapping, sidecar
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.ledger.place_columns import (
    check_places,
    fill_location,
    warn_villages_new_in_2023,
)
from shunde_workbook.data.ledger.reading import check_required_columns, map_headers
from shunde_workbook.data.ledger.report import Issue, ValidationReport
from shunde_workbook.data.ledger.sheet import Sheet
from shunde_workbook.data.ledger.sources import RawSheet, ReadFailure, read_sheets
from shunde_workbook.data.schema import FRAME_COLUMNS, PROGRAMME_TITLES, normalise_unit
from shunde_workbook.errors import LedgerError

DEFAULT_LEDGER = paths.RAW / "grants_simulated.csv"
TEXT_COLUMNS = [c for c in FRAME_COLUMNS if c not in ("amount", "award_date", "year")]
PASS = "\x00pass:"  # prefix of the columns carried along for --out, split off before the frame is typed


def validate_ledger(
    path: str | Path | None = None,
    unit: str | None = None,
    provenance: str | None = None,
    mapping: Mapping | str | Path | None = None,
    rates: dict[str, float] | None = None,
    rate_source: str | None = None,
) -> ValidationReport:
    """Validate a ledger file (CSV or .xlsx, every visible sheet holding a ledger table). Never raises.

    Parameters
    ----------
    path : str or Path, optional
        The ledger (default: the simulated ledger).  A file that cannot be read gives a report with one error
        saying why and what to do.
    unit : str, optional
        Unit of bare numbers in the amount column ('元' or '万元'); else the header's unit ('资助金额(万元)') or
        a '单位：万元' row above the header, else 元.
    provenance : str, optional
        Provenance of every row when the file has no provenance column (published | official | simulated).
    mapping : Mapping or path, optional
        Which header holds which column (:mod:`~shunde_workbook.data.ledger.mapping`); default: the mapping file
        beside the ledger (``grants.mapping.yaml`` for ``grants.xlsx``) when there is one.  Its ``unit`` and
        ``provenance`` apply when the arguments are not given.
    rates, rate_source : optional
        Exchange rates to 元 ({'GBP': 9.12}) and where they come from; without them amounts in another currency
        are an error (nothing is converted silently).
    """
    path = Path(path) if path is not None else DEFAULT_LEDGER
    report = ValidationReport(str(path), None, _empty_frame())
    try:
        mapping = _mapping_arg(path, mapping)
        report.mapping = mapping
        unit = normalise_unit(unit or (mapping.unit if mapping else None))
        provenance = provenance or (mapping.provenance if mapping else None)
        report.options = {"unit": unit, "provenance": provenance, "rates": rate_arg(rates, rate_source)}
        sheets, report.encoding = read_sheets(path)
        _validate_sheets(report, sheets, unit, provenance)
    except ReadFailure as exc:
        report.errors = [Issue(str(path), 0, "", "", Msg("read.cannot", cause=exc.cause), todo=exc.todo)]
    except (ValueError, KeyError) as exc:  # bad arguments, e.g. an unknown unit or provenance
        detail = exc.args[0] if exc.args and isinstance(exc.args[0], Msg) else str(exc)
        report.errors = [Issue(str(path), 0, "", "", Msg("arg.bad", detail=detail))]
    except MemoryError:
        report.errors = [Issue(str(path), 0, "", "", Msg("memory.too_large"), todo=Msg("todo.split"))]
    except Exception as exc:  # a bug or a file kind not foreseen: still a message, never a traceback
        report.errors = [
            Issue(
                str(path),
                0,
                "",
                "",
                Msg("read.unexpected", detail=f"{type(exc).__name__}: {str(exc)[:200]}"),
                todo=Msg("todo.unexpected"),
            )
        ]
    return report


def load_ledger(
    path: str | Path | None = None, unit: str | None = None, provenance: str | None = None, mapping=None
) -> pd.DataFrame:
    """Validated ledger as a DataFrame with columns schema.FRAME_COLUMNS; raises LedgerError listing all errors.

    Default path: data/raw/grants_simulated.csv (SIMULATED data, provenance=simulated on every row).
    """
    report = validate_ledger(path, unit=unit, provenance=provenance, mapping=mapping)
    if not report.ok:
        raise LedgerError(report)
    return report.frame


def _mapping_arg(path: Path, mapping) -> Mapping | None:
    """The mapping to use: the one given (a Mapping or a file), else the ledger's own mapping file, else None."""
    if isinstance(mapping, Mapping):
        return mapping
    if mapping is not None:
        return Mapping.load(mapping)
    beside = sidecar(path)
    return Mapping.load(beside) if beside.is_file() else None


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FRAME_COLUMNS})


def _validate_sheets(report: ValidationReport, sheets: list[RawSheet], unit, provenance) -> None:
    """Pick the sheets holding a ledger table, check each, then combine and look for ids repeated across sheets."""
    chosen = _choose_sheets(report, sheets)
    several = len(chosen) > 1
    frames = []
    for raw, header_row, line in chosen:
        if raw.table.empty:
            message = Msg("file.empty_sheet", sheet=raw.name) if raw.name else Msg("file.empty")
            report.errors.append(Issue(report.path, 0, "", "", message, sheet=raw.name))
            continue
        depth = layout.header_depth(raw, header_row)
        sheet = Sheet.from_table(report.path, raw.table, unit, provenance, header_row, raw.name, depth)
        frames.append(_check_sheet(report, sheet, raw, provenance, several, line))
    frames = [f for f in frames if f is not None]
    frame = pd.concat(frames, ignore_index=True) if frames else None
    if frame is not None and several:
        frame = _duplicates_across_sheets(report, frame)
    if frame is not None:
        extra = [c for c in frame.columns if c.startswith(PASS)]
        if extra:
            report.passthrough = frame[extra].rename(columns=lambda c: c[len(PASS) :]).reset_index(drop=True)
        report.frame = _typed(frame.drop(columns=["_sheet", "_row", *extra]), report)
    report.sheets = [s for s in report.sheets if s]


def _choose_sheets(report: ValidationReport, sheets: list[RawSheet]) -> list[tuple[RawSheet, int | None, int]]:
    """(sheet, header row, its line in ``report.sheets``) of each sheet to check.

    The others are listed in ``report.sheets`` with the reason, in the workbook's order.
    """
    if len(sheets) == 1:
        raw = sheets[0]
        report.sheets.append("")
        return [(raw, layout.find_header_row(raw.table)[0] if len(raw.table) else None, 0)]
    chosen = []
    for raw in sheets:
        if raw.hidden:
            report.sheets.append(Msg("sheet.hidden", sheet=raw.name))
            continue
        if raw.table.empty:
            report.sheets.append(Msg("sheet.empty", sheet=raw.name))
            continue
        row, score = layout.find_header_row(raw.table)
        if score < layout.HEADER_MIN_MATCHES:
            report.sheets.append(Msg("sheet.no_header", sheet=raw.name, n=layout.HEADER_SEARCH_ROWS))
            continue
        chosen.append((raw, row, len(report.sheets)))
        report.sheets.append("")
    if not chosen:
        visible = [r for r in sheets if not r.hidden and not r.table.empty] or sheets
        chosen = [(visible[0], layout.find_header_row(visible[0].table)[0] if len(visible[0].table) else None, 0)]
        report.sheets.insert(0, "")
    return chosen


def _check_sheet(report: ValidationReport, sheet: Sheet, raw: RawSheet, provenance, several: bool, line: int):
    """Every check on one sheet; returns its accepted rows (with _sheet and _row) or None."""
    issues = sheet.issues
    for note in raw.notes:
        issues.header("", note, warning=True)
    sheet.roles = map_headers(sheet.headers, sheet.body, issues, report.mapping)
    layout.fill_merged(sheet, raw)
    layout.drop_notes(sheet)
    layout.apply_unit(sheet, raw)
    layout.check_totals(sheet, raw)
    report.n_rows += layout.report_row_errors(sheet, raw)
    batch = layout.columns_from_sheet_name(sheet) if sheet.name else None
    layout.identifiers(sheet, several)
    fill_from_mapping(sheet, report.mapping)
    report.n_rows += len(sheet.body)
    if not len(sheet.body):
        issues.header("", Msg("rows.none"), warning=True)
    report.header_map.update({k: v for k, v in sheet.roles.names.items() if k not in report.header_map})
    if sheet.name:
        rows = f"{sheet.header_row}–{sheet.header_row + 1}" if sheet.header_depth == 2 else sheet.header_row
        report.sheets[line] = Msg("sheet.read", sheet=sheet.name, row=rows, n=len(sheet.body))
    report.columns.append(describe_columns(sheet))
    how = sheet.roles.how
    report.roles.append({r: h for r, h in sheet.roles.names.items() if how.get(r) in ("given", "alias", "qualified")})
    missing = check_required_columns(sheet.roles, provenance, issues)
    layout.report_uncached(sheet, raw)
    for check in (
        check_identifier,
        check_amount,
        check_programme,
        check_award_date,
        check_year,
        check_field,
        check_places,
        check_provenance,
        copy_free_text,
        fill_funder,
        fill_location,
        warn_villages_new_in_2023,
    ):
        check(sheet)
    check_currency(sheet, report.options.get("rates"))
    out = sheet.out
    if batch:
        title = out["programme"].map(PROGRAMME_TITLES).fillna("") + " " + batch
        out["programme_title"] = out["programme_title"].fillna(title.str.strip())
    keep = ~issues.bad
    if missing or (provenance is None and not sheet.has("provenance")):
        keep[:] = False
    frame = out.loc[keep, FRAME_COLUMNS].copy()
    for header in sheet.roles.kept:  # 360Giving columns not used: carried along, written back by --out
        frame[PASS + header] = sheet.body.loc[keep, sheet.headers.index(header)].to_numpy()
    frame["_sheet"], frame["_row"] = sheet.name, sheet.rownum[keep].astype(int)
    _merge(report, issues)
    return frame


def _merge(report: ValidationReport, issues) -> None:
    issues.close()
    report.errors += sorted(issues.errors, key=lambda e: (e.row, e.column))
    report.warnings += issues.warnings
    report.fixes += issues.fixes


def _duplicates_across_sheets(report: ValidationReport, frame: pd.DataFrame) -> pd.DataFrame:
    """Identifiers accepted on more than one sheet: one error per identifier, every such row left out."""
    ident = frame["identifier"]
    dup = ident.duplicated(keep=False)
    if not dup.any():
        return frame
    for value, g in frame[dup].groupby("identifier", sort=False):
        where = [f"{s}!{r}" for s, r in zip(g["_sheet"], g["_row"], strict=True)]
        column = report.header_map.get("identifier", "Identifier")
        message = duplicate_message(where, key="id.duplicate_sheets")
        report.errors.append(
            Issue(report.path, int(g["_row"].iloc[0]), column, value, message, None, g["_sheet"].iloc[0])
        )
    return frame[~dup]


def _typed(frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """load_ledger's dtypes."""
    frame = frame.reset_index(drop=True)
    frame["amount"] = frame["amount"].astype(float)
    frame["year"] = frame["year"].astype("int64")
    frame["award_date"] = pd.to_datetime(frame["award_date"])
    for c in TEXT_COLUMNS:
        frame[c] = frame[c].astype("str")
    frame.attrs.update({"source": report.path, "encoding": report.encoding})
    return frame
