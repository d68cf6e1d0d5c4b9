"""One check per column.

Each reads its column's cells from the sheet, reports errors, warnings and fixes to
``sheet.issues`` and stores the checked values in ``sheet.out[<frame column>]``.

The checks run in the order :func:`~shunde_workbook.data.ledger.validate.validate_ledger` lists them; later ones
read earlier results (the year check reads the programme, the field check the programme and year).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.amounts import parse_amounts
from shunde_workbook.data.ledger.dates import excel_serials, parse_dates, parse_years
from shunde_workbook.data.ledger.distinct import joined, map_unique
from shunde_workbook.data.ledger.fields import resolve_fields
from shunde_workbook.data.ledger.messages import Msg, row_list
from shunde_workbook.data.ledger.report import Fix
from shunde_workbook.data.ledger.sheet import Sheet
from shunde_workbook.data.schema import (
    FUNDERS,
    PROGRAMME_FIRST_YEAR,
    PROGRAMME_LOOKUP,
    PROGRAMMES,
    PROVENANCE_LOOKUP,
    PROVENANCES,
    UNITS,
    label_key,
)
from shunde_workbook.errors import closest

#: Similarity (difflib ratio, 0–1) a value needs to a valid one to be offered as "did you mean".
SUGGEST_SIMILARITY = 0.6

#: Columns copied as text (empty cells become None).
FREE_TEXT_ROLES = (
    "title",
    "description",
    "funder",
    "recipient_id",
    "recipient_name",
    "programme_title",
    "location_name",
    "location_code",
)


def check_identifier(sheet: Sheet) -> None:
    """Identifiers are required and unique; each group of duplicates is one error listing its rows."""
    issues, ident, column = sheet.issues, sheet.get("identifier"), sheet.hname("identifier")
    issues.cells(ident.eq(""), column, ident, Msg("id.required"))
    dup = None if _all_distinct(sheet.distinct_of("identifier")) else ident.ne("") & ident.duplicated(keep=False)
    if dup is not None and dup.any():
        for value, rows in sheet.rownum[dup].groupby(ident[dup], sort=False):
            issues.row_issue(int(rows.iloc[0]), column, value, duplicate_message(rows.tolist()))
        issues.bad |= dup
    sheet.out["identifier"] = ident


def _all_distinct(distinct) -> bool:
    """Whether no two rows share a value, from (codes, distinct values): each value once, none used twice."""
    codes, values = distinct
    return len(set(values)) == len(values) and (not len(codes) or np.bincount(codes).max() <= 1)


def duplicate_message(rows: list, limit: int = 10, key: str = "id.duplicate") -> Msg:
    """'duplicate Identifier on 3 rows: 2, 5, 9' (at most ``limit`` rows named)."""
    return Msg(key, n=len(rows), rows=row_list(rows, limit))


def check_amount(sheet: Sheet) -> None:
    """Amounts in 元: bare numbers in the caller's or the header's unit; positive and plausible.

    A cell that says 万 in a column of 元 is an error with the amount in 元 as suggestion, never rescaled silently;
    in a column declared in 万元 it is accepted.
    """
    if not sheet.has("amount"):
        sheet.out["amount"] = pd.Series(float("nan"), index=sheet.index)
        return
    issues, column, unit = sheet.issues, sheet.hname("amount"), sheet.unit
    header_unit = sheet.roles.unit.get("amount")
    amount_unit = unit or header_unit
    if unit and header_unit and header_unit != unit:
        issues.header(column, Msg("amount.unit_conflict", header_unit=header_unit, unit=unit))
    raw = sheet.get("amount")
    amount, err, how = parse_amounts(raw, amount_unit)
    sugg = sheet.nothing()
    neg = err.eq(Msg("amount.not_positive"))
    if neg.any():
        sugg[neg] = raw[neg].str.lstrip("-−")
    wan = err.isna() & how.eq("cell unit") & (amount_unit != "万元") & raw.str.contains("万", regex=False)
    if wan.any():
        err[wan] = Msg("amount.wan_in_yuan", unit=amount_unit or "元")
        sugg[wan] = amount[wan].map(_plain)
        amount[wan] = float("nan")
    issues.cells(err.notna(), column, raw, err, sugg)
    ok = err.isna()
    conv = ok & how.ne("cell unit") & (UNITS[amount_unit or "元"] != 1.0)
    if conv.any():
        rows = tuple(sheet.rownum[conv].astype(int))
        issues.fixes.append(
            Fix(sheet.file, column, "万元", "元", rows, Msg("amount.converted", unit=amount_unit), sheet.name)
        )
    texty = ok & how.ne("number")
    if texty.any():
        thousands = texty & raw.str.contains(",", regex=False)
        now = amount.map(_plain)
        issues.fix_groups(thousands, column, raw, now, Msg("amount.thousands"))
        issues.fix_groups(texty & ~thousands, column, raw, now, Msg("amount.text_parsed"))
    if unit is None and amount_unit is None and ok.any() and amount[ok].median() < 1000:
        issues.header(column, Msg("amount.looks_small"), "unit=万元", warning=True)
    sheet.out["amount"] = amount


def _plain(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x == x else ""


def check_programme(sheet: Sheet) -> None:
    """Programme required and one of the two (aliases such as 和美 are normalised).

    A suggestion is made only for a value close to a programme's name (similarity ≥ SUGGEST_SIMILARITY).
    """
    if not sheet.has("programme"):
        sheet.out["programme"] = sheet.nothing()
        return
    issues, raw, column = sheet.issues, sheet.get("programme"), sheet.hname("programme")
    distinct = sheet.distinct_of("programme")
    prog = map_unique(raw, lambda v: PROGRAMME_LOOKUP.get(label_key(v)) if v else None, distinct)
    bad = prog.isna()
    near = lambda v: closest(label_key(v), PROGRAMME_LOOKUP, cutoff=SUGGEST_SIMILARITY)  # noqa: E731
    sugg = map_unique(raw, lambda v: PROGRAMME_LOOKUP.get(near(v)) if near(v) else None, distinct)
    issues.cells(bad & raw.eq(""), column, raw, Msg("programme.required"), f"{PROGRAMMES[0]}' or '{PROGRAMMES[1]}")
    issues.cells(bad & raw.ne(""), column, raw, Msg("programme.unknown"), sugg)
    issues.fix_groups(prog.notna() & prog.ne(raw), column, raw, prog, Msg("programme.alias"))
    sheet.out["programme"] = prog


def check_award_date(sheet: Sheet) -> None:
    """Award dates, when the file has the column, must be dates."""
    if sheet.has("award_date"):
        raw, column = sheet.get("award_date"), sheet.hname("award_date")
        adate = parse_dates(raw)
        serial = excel_serials(raw.where(adate.isna(), ""))
        if serial.notna().any():
            adate = adate.where(serial.isna(), serial)
            sheet.issues.fix_groups(serial.notna(), column, raw, serial.dt.strftime("%Y-%m-%d"), Msg("date.serial"))
        sheet.issues.cells(adate.isna() & raw.ne(""), column, raw, Msg("date.bad"))
    else:
        adate = pd.Series(pd.NaT, index=sheet.index, dtype="datetime64[ns]")
    sheet.out["award_date"] = adate


def check_year(sheet: Sheet) -> None:
    """Year from the year column, else from the award date; not before the programme, not in the future.

    An empty cell of the year column takes the award date's year.
    """
    if sheet.has("year"):
        year, raw_year, column = _year_from_year_column(sheet)
    elif sheet.has("award_date"):
        year, raw_year, column = _year_from_award_date(sheet)
    else:
        sheet.out["year"] = pd.Series(float("nan"), index=sheet.index)
        return
    prog = sheet.out["programme"]
    for p in PROGRAMMES:
        first = PROGRAMME_FIRST_YEAR[p]
        early = prog.eq(p) & (year < first)
        if early.any():  # explained, never "did you mean <first year>": the record is not a typo of our data
            why = map_unique(
                raw_year[early], lambda y, p=p, first=first: Msg("year.before", programme=p, first=first, year=y)
            )
            sheet.issues.cells(early, column, raw_year, why.reindex(sheet.index))
    this_year = date.today().year
    sheet.issues.cells(year > this_year, column, raw_year, Msg("year.future", year=this_year))
    sheet.out["year"] = year


def _year_from_year_column(sheet: Sheet) -> tuple[pd.Series, pd.Series, str]:
    """(year as float, cells to report, header) from the year column."""
    issues, raw, column = sheet.issues, sheet.get("year"), sheet.hname("year")
    adate = sheet.out["award_date"]
    year = parse_years(raw)
    fill = year.isna() & raw.eq("") & adate.notna()
    year[fill] = adate[fill].dt.year
    issues.fix_groups(fill, column, raw, year.astype("Int64").astype(str), Msg("year.from_date"))
    issues.cells(year.isna() & raw.ne(""), column, raw, Msg("year.bad"))
    issues.cells(year.isna() & raw.eq(""), column, raw, Msg("year.required"))
    return year, raw, column


def _year_from_award_date(sheet: Sheet) -> tuple[pd.Series, pd.Series, str]:
    """(year as float, the years as text to report, header) from the award date column."""
    adate, raw_date, column = sheet.out["award_date"], sheet.get("award_date"), sheet.hname("award_date")
    raw_year = pd.Series([str(y) if y == y else "" for y in adate.dt.year], index=sheet.index, dtype=object)
    year = adate.dt.year.astype(float)
    sheet.issues.cells(year.isna() & raw_date.eq(""), column, raw_date, Msg("year.date_required"))
    return year, raw_year, column


def check_field(sheet: Sheet) -> None:
    """Field (领域), when the file has the column, must be one of the programme's fields in that year."""
    if sheet.has("field"):
        raw, column = sheet.get("field"), sheet.hname("field")
        fld, err, sugg = resolve_fields(raw, sheet.out["programme"], sheet.out["year"])
        sheet.issues.cells(err.notna(), column, raw, err, sugg)
        sheet.issues.fix_groups(fld.notna() & fld.ne(raw), column, raw, fld, Msg("field.alias"))
    else:
        fld = sheet.nothing()
    sheet.out["field"] = fld


def provenance_arg(provenance: str | None) -> str:
    """The caller's provenance, normalised; ValueError if it is not one of PROVENANCES."""
    p = PROVENANCE_LOOKUP.get(label_key(provenance)) if provenance else None
    if p is None:
        raise ValueError(Msg("provenance.bad_arg", choices=PROVENANCES, value=repr(provenance)))
    return p


def check_provenance(sheet: Sheet) -> None:
    """Provenance from the column (empty cells take the caller's value) or, without a column, from the caller."""
    if not sheet.has("provenance") and sheet.provenance is None:
        sheet.out["provenance"] = sheet.nothing()  # reported once, as a missing column
        return
    if not sheet.has("provenance"):
        prov = pd.Series(provenance_arg(sheet.provenance), index=sheet.index, dtype=object)
        given = prov.iloc[0] if len(prov) else ""
        sheet.issues.fixes.append(
            Fix(
                sheet.file,
                "provenance",
                "",
                given,
                tuple(sheet.rownum.astype(int)),
                Msg("provenance.from_caller"),
                sheet.name,
            )
        )
        sheet.out["provenance"] = prov
        return
    issues, raw, column, given = sheet.issues, sheet.get("provenance"), sheet.hname("provenance"), sheet.provenance
    distinct = sheet.distinct_of("provenance")
    prov = map_unique(raw, lambda v: PROVENANCE_LOOKUP.get(label_key(v)) if v else None, distinct)
    near = lambda v: closest(label_key(v), PROVENANCE_LOOKUP, cutoff=SUGGEST_SIMILARITY)  # noqa: E731
    sugg = map_unique(raw, lambda v: PROVENANCE_LOOKUP.get(near(v)) if near(v) else None, distinct)
    issues.cells(
        prov.isna() & raw.eq("") & (given is None),
        column,
        raw,
        Msg("provenance.required"),
    )
    if given is not None:
        prov = prov.where(raw.ne(""), provenance_arg(given))
    issues.cells(prov.isna() & raw.ne(""), column, raw, Msg("provenance.unknown"), sugg)
    issues.fix_groups(prov.notna() & raw.ne("") & prov.ne(raw), column, raw, prov, Msg("provenance.alias"))
    sheet.out["provenance"] = prov


def copy_free_text(sheet: Sheet) -> None:
    """Title, description, organisations, batch and location cells, as written (empty → None)."""
    for role in FREE_TEXT_ROLES:
        s = sheet.get(role)
        sheet.out[role] = _none_if_empty(s, sheet.distinct_of(role)) if s is not None else sheet.nothing()


def _none_if_empty(cells: pd.Series, distinct) -> pd.Series:
    """Cells with "" made None, once per distinct value when they are all text."""
    codes, values = distinct
    if joined(values) is None:
        return cells.where(cells.ne(""), None)
    kept = values.copy()
    kept[values == ""] = None
    return pd.Series(kept[codes], index=cells.index, dtype=object)


def fill_funder(sheet: Sheet) -> None:
    """An empty funder is the programme's funder."""
    out = sheet.out
    if out["funder"].isna().any():
        out["funder"] = out["funder"].fillna(out["programme"].map(FUNDERS))
