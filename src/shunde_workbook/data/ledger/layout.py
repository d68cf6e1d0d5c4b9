"""Finding the ledger table in a sheet laid out for people.

The header row below title and unit rows, 合计 / 小计 / 总计 rows (checked, then left out), note rows, merged cells,
the year or batch in a sheet name, identifiers from 序号, and formula cells without a cached value.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from shunde_workbook.data.ledger.amounts import parse_amounts
from shunde_workbook.data.ledger.distinct import joined, map_unique
from shunde_workbook.data.ledger.headers import recognise
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.ledger.reading import SERIAL_KEYS
from shunde_workbook.data.ledger.report import Fix
from shunde_workbook.data.ledger.sheet import Sheet
from shunde_workbook.data.ledger.sources import RawSheet
from shunde_workbook.data.schema import UNITS, normalise_unit

#: Rows searched for the header.
HEADER_SEARCH_ROWS = 30
#: Known headers a row needs to count as the header row (fewer: the best row, else the first).
HEADER_MIN_MATCHES = 3

_UNIT_ROW = re.compile(r"单位\s*[:：]\s*(?:人民币)?\s*(万元|元|万)")
_TOTAL = re.compile(r"^(合计|小计|总计|总合计|共计)[:：]?$")
_NOTE = re.compile(r"^(备注|注|说明|填表说明|制表人?|审核人?|填报人|联系人|附注)\s*\d*\s*[:：]")
_SHEET_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_DATA_LIKE = re.compile(r"^[\d\s.,:/\-+¥£$€%]+$")
_NOTE_FIRST = "备注说填制审联附"  # the first characters of _NOTE
_SHEET_BATCH = re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*(批|季度|期)")


def _norm(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def header_score(cells: list[str]) -> int:
    """How many cells of a row are known ledger headers (序号 and unused 360Giving columns count)."""
    serial = frozenset(SERIAL_KEYS)
    return sum(1 for c in cells if str(c).strip() and recognise(str(c), serial).how is not None)


def header_depth(raw: RawSheet, header_row: int | None) -> int:
    """2 when the header row holds a group header merged across columns over a row of sub-headers, else 1.

    The row below counts as sub-headers when its filled cells all lie under merged groups or under blank header
    cells (a group exported to CSV), and none of them looks like data (a number or a date).
    """
    table = raw.table
    if header_row is None or header_row + 1 not in table.index:
        return 1
    top = [str(v).strip() for v in table.loc[header_row]]
    below = [str(v).strip() for v in table.loc[header_row + 1]]
    under = {c for r1, c1, r2, c2 in raw.merged if r1 == header_row and r2 == header_row and c2 > c1
             for c in range(c1, c2 + 1)}  # fmt: skip
    vertical = {c1 for r1, c1, r2, _ in raw.merged if r1 == header_row and r2 > header_row}
    filled = [c for c, v in enumerate(below) if v]
    if not filled or any(_DATA_LIKE.match(below[c]) for c in filled):
        return 1
    if under and all(c in under for c in filled) and len(set(filled)) >= 2:
        return 2
    blanks = {c for c, v in enumerate(top) if not v and c > 0 and c not in vertical}
    group = blanks | {c - 1 for c in blanks}
    if blanks and all(c in group for c in filled) and len(filled) >= 2 and len(filled) < len(below):
        return 2
    return 1


def find_header_row(table: pd.DataFrame) -> tuple[int, int]:
    """(spreadsheet row of the header, its score): the first of the top rows with enough known headers."""
    best, best_score = int(table.index[0]), 0
    for r in table.index[:HEADER_SEARCH_ROWS]:
        score = header_score(table.loc[r].tolist())
        if score >= HEADER_MIN_MATCHES:
            return int(r), score
        if score > best_score:
            best, best_score = int(r), score
    return best, best_score


def unit_above(raw: RawSheet, header_row: int) -> tuple[str, int, str] | None:
    """(unit, row, cell text) of a '单位：万元' cell above the header, or None."""
    for r in raw.table.index[raw.table.index < header_row]:
        for cell in raw.table.loc[r]:
            m = _UNIT_ROW.search(_norm(cell))
            if m:
                return normalise_unit(m.group(1)), int(r), str(cell)
    return None


def apply_unit(sheet: Sheet, raw: RawSheet) -> None:
    """A unit above the header (or in the amount header) declares the unit of bare amounts; recorded as a fix."""
    column = sheet.hname("amount")
    if column is None:
        return
    found = unit_above(raw, sheet.header_row)
    header_unit = sheet.roles.unit.get("amount")
    if found and not header_unit:
        unit, row, text = found
        sheet.roles.unit["amount"] = unit
        sheet.issues.fixes.append(Fix(sheet.file, column, text, unit, (row,), Msg("unit.above", unit=unit), sheet.name))
    elif header_unit and sheet.unit is None:
        sheet.issues.fixes.append(
            Fix(
                sheet.file,
                column,
                column,
                header_unit,
                (sheet.header_row,),
                Msg("unit.header", unit=header_unit),
                sheet.name,
            )
        )


def fill_merged(sheet: Sheet, raw: RawSheet) -> None:
    """A cell merged down over several data rows applies to each of them (recorded as a fix)."""
    body = sheet.body
    for r1, c1, r2, _ in raw.merged:
        if r2 <= r1 or r1 <= sheet.header_row or c1 not in body.columns:
            continue
        rows = [r for r in range(r1 + 1, r2 + 1) if r in body.index]
        value = raw.table.at[r1, c1] if r1 in raw.table.index and c1 in raw.table.columns else ""
        if not rows or not str(value).strip():
            continue
        body.loc[rows, c1] = value
        column = sheet.headers[c1] if c1 < len(sheet.headers) else Msg("column.nth", n=c1 + 1)
        message = Msg("merged.applied", first=r1, last=r2)
        sheet.issues.fixes.append(Fix(sheet.file, column, str(value), str(value), (r1, *rows), message, sheet.name))
    sheet.body_changed()


def _first_text(row: pd.Series) -> str:
    for v in row:
        if str(v).strip():
            return _norm(v)
    return ""


def _candidates(sheet: Sheet, pattern: re.Pattern, quick, chars: str) -> pd.Series:
    """Rows with a cell matching ``pattern`` after normalisation.

    Each distinct cell value is tested once, and only when it passes the cheap test ``quick``, which only a value
    holding one of ``chars`` can pass (a column without them is skipped).
    """
    body = sheet.body
    hit = pd.Series(False, index=body.index)
    for c in body.columns:
        distinct = sheet.distinct(c)
        text = joined(distinct[1])
        if text is not None and not any(ch in text for ch in chars):
            continue
        test = lambda v: quick(v) and bool(pattern.match(_norm(v)))  # noqa: E731
        hit |= map_unique(body[c], test, distinct).astype(bool)
    return hit


def _maybe_total(v: str) -> bool:
    return "计" in v and len(v) < 20


def _maybe_note(v: str) -> bool:
    first = v.lstrip()[:1]
    return bool(first) and first in _NOTE_FIRST


def drop_notes(sheet: Sheet) -> None:
    """Note rows ('备注：…', '注：…', '制表人：…') are left out, recorded as a fix."""
    if not len(sheet.body):
        return
    note = _candidates(sheet, _NOTE, _maybe_note, _NOTE_FIRST)
    if note.any():
        note[note] = sheet.body[note].apply(_first_text, axis=1).map(lambda t: bool(_NOTE.match(t)))
    if note.any():
        rows = tuple(int(r) for r in sheet.rownum[note])
        sheet.issues.fixes.append(Fix(sheet.file, "", "", "", rows, Msg("notes.dropped"), sheet.name))
        sheet.drop_rows(note)


def check_totals(sheet: Sheet, raw: RawSheet) -> None:
    """合计/小计/总计 rows: compared with the sum of the grant rows they cover (error if they differ), then left out.

    A 小计 covers the grant rows since the previous 小计 or 合计; a 合计/总计 covers every grant row above it since
    the previous 合计/总计.
    """
    if not len(sheet.body):
        return
    total = pd.Series("", index=sheet.body.index, dtype=object)
    rows = _candidates(sheet, _TOTAL, _maybe_total, "计")
    if rows.any():
        cells = sheet.body[rows].to_numpy(dtype=object)
        total[rows] = [next((_norm(v) for v in row if _TOTAL.match(_norm(v))), "") for row in cells]
    is_total = total.ne("")
    if not is_total.any():
        return
    amount_col = sheet.roles.column.get("amount")
    unit = sheet.unit or sheet.roles.unit.get("amount")
    column = sheet.hname("amount")
    if amount_col is not None:
        raw_amounts = sheet.body[amount_col].astype(str).str.strip()
        amounts, err, _ = parse_amounts(raw_amounts, unit)
        tol = 0.01 * UNITS[unit or "元"]
        since_sub: list[int] = []
        since_total: list[int] = []
        for r, label in zip(sheet.body.index, total.to_numpy(), strict=True):
            if not label:
                since_sub.append(r)
                since_total.append(r)
                continue
            covered = since_sub if label == "小计" else since_total
            _check_one_total(sheet, raw, r, label, covered, amounts, err, raw_amounts, column, amount_col, tol)
            since_sub = []
            if label != "小计":
                since_total = []
    rows = tuple(int(r) for r in sheet.rownum[is_total])
    sheet.issues.fixes.append(Fix(sheet.file, "", "", "", rows, Msg("totals.dropped"), sheet.name))
    sheet.drop_rows(is_total)


def _check_one_total(sheet, raw, r, label, covered, amounts, err, raw_amounts, column, amount_col, tol) -> None:
    formula = raw.uncached.get((r, amount_col))
    if formula is not None:
        sheet.issues.row_issue(
            r,
            column,
            formula,
            Msg("total.uncached", label=label),
            Msg("todo.recalculate"),
        )
        return
    if raw_amounts[r] == "" or not covered:
        return
    if pd.notna(err[r]) or amounts[covered].isna().any():
        return  # a bad amount is reported on its own row
    stated, added = float(amounts[r]), float(amounts[covered].sum())
    if abs(stated - added) > tol:
        sheet.issues.row_issue(
            r,
            column,
            raw_amounts[r],
            Msg(
                "total.mismatch",
                label=label,
                stated=stated,
                n=len(covered),
                first=covered[0],
                last=covered[-1],
                added=added,
            ),
            Msg("todo.correct_total"),
        )


def report_uncached(sheet: Sheet, raw: RawSheet) -> None:
    """Formula cells of data rows without a cached value: an error showing the formula; the row is left out.

    An empty cell there would only add a second, misleading error.
    """
    left_out = pd.Series(False, index=sheet.body.index)
    for role, pos in sheet.roles.column.items():
        hits = {r: f for (r, c), f in raw.uncached.items() if c == pos and r in sheet.body.index}
        if not hits:
            continue
        mask = pd.Series(sheet.body.index.isin(list(hits)), index=sheet.body.index)
        values = pd.Series([hits.get(r, "") for r in sheet.body.index], index=sheet.body.index, dtype=object)
        sheet.issues.cells(
            mask,
            sheet.hname(role),
            values,
            Msg("formula.uncached"),
        )
        left_out |= mask
    if left_out.any():
        sheet.drop_rows(left_out)


def report_row_errors(sheet: Sheet, raw: RawSheet) -> int:
    """Rows the CSV reader could not split cleanly (an extra comma, an unbalanced quote): one error each.

    The row is left out (its cells are shifted, so checking them would only add noise).  Returns how many.
    """
    for r, message, todo in raw.row_errors:
        sheet.issues.row_issue(r, "", "", message, todo)
    broken = pd.Series(sheet.body.index.isin([r for r, _, _ in raw.row_errors]), index=sheet.body.index)
    if broken.any():
        sheet.drop_rows(broken)
    return int(broken.sum())


def sheet_name_marks(name: str) -> tuple[int | None, str | None]:
    """(year, batch mark such as '2019年第二批') found in a sheet name."""
    text = _norm(name)
    y = _SHEET_YEAR.search(text)
    b = _SHEET_BATCH.search(text)
    year = int(y.group(1)) if y else None
    batch = (f"{year}年" if year else "") + b.group(0) if b else None
    return year, batch


def columns_from_sheet_name(sheet: Sheet) -> str | None:
    """Year (and batch) from the sheet name when the sheet has no year column; returns the batch mark or None."""
    year, batch = sheet_name_marks(sheet.name)
    if year is not None and not sheet.has("year"):
        values = pd.Series(str(year), index=sheet.body.index, dtype=object)
        sheet.add_column("year", Msg("year.sheet_column", sheet=sheet.name), values)
        rows = tuple(int(r) for r in sheet.rownum)
        message = Msg("year.from_sheet", year=year)
        sheet.issues.fixes.append(Fix(sheet.file, "年度", sheet.name, str(year), rows, message, sheet.name))
    return batch if not sheet.has("programme_title") else None


def identifiers(sheet: Sheet, several_sheets: bool) -> None:
    """Without an identifier column: 序号 if it is unique, else stable ids from file, sheet and row (a warning)."""
    if sheet.has("identifier") or not len(sheet.body):
        return
    rows = tuple(int(r) for r in sheet.rownum)
    serial = sheet.roles.column.get("serial")
    if serial is not None:
        values = sheet.body[serial].astype(str).str.strip()
        if values.ne("").all() and not values.duplicated().any():
            prefix = f"{sheet.name}-" if several_sheets else ""
            header = sheet.headers[serial]
            sheet.add_column("identifier", header, prefix + values)
            message = Msg("id.from_serial_prefixed", sheet=sheet.name) if prefix else Msg("id.from_serial")
            sheet.issues.fixes.append(Fix(sheet.file, header, "", "", rows, message, sheet.name))
            return
    stem = Path(sheet.file).stem
    parts = [stem] + ([sheet.name] if sheet.name else [])
    values = pd.Series(["-".join([*parts, f"R{r}"]) for r in sheet.rownum], index=sheet.body.index, dtype=object)
    sheet.add_column("identifier", Msg("id.made_column"), values)
    why = Msg("id.why_serial") if serial is not None else Msg("id.why_no_serial")
    sheet.issues.header("Identifier", Msg("id.made", why=why, example=values.iloc[0]), warning=True)
