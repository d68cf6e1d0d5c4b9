"""The ledger's place columns: town and 村(社区).

They come from whichever of town_code / town / village_code / village / location_code / location_name the file has.
Names and codes are looked up in :mod:`shunde_workbook.data.places`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shunde_workbook.data import places
from shunde_workbook.data.ledger.distinct import factorize_rows, map_unique
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.ledger.sheet import Sheet

VILLAGE_PROBLEMS = (
    (places.VILLAGE_UNKNOWN, "village.unknown"),
    (places.VILLAGE_AMBIGUOUS, "village.ambiguous"),
    (places.VILLAGE_WRONG_TOWN, "village.wrong_town"),
)


@dataclass
class _Source:
    """Per row: the cell used ("" when none) and the header of the column it came from."""

    text: pd.Series
    column: pd.Series


def check_places(sheet: Sheet) -> None:
    """Resolve town_code and village_code; report unknown, ambiguous or missing places and name fixes."""
    idx = places.place_index()
    if not any(
        sheet.has(r) for r in ("town_code", "town", "location_code", "location_name", "village", "village_code")
    ):
        sheet.out["town_code"], sheet.out["village_code"] = sheet.nothing(), sheet.nothing()
        return  # reported once, as a missing column
    town_src = _town_source(sheet)
    town = _resolve_towns(sheet, town_src)
    town_err = town_src.text.ne("") & town.isna()
    village_src = _village_source(sheet)
    has_village = village_src.text.ne("")
    village = sheet.nothing()
    if has_village.any():
        village = _resolve_villages(sheet, village_src, town, town_err)
        _town_from_village(sheet, town, town_src, village_src, village)
        _report_renamed_villages(sheet, village_src, village, town)
    _report_unknown_towns(sheet, town_src, town_err)
    missing = town.isna() & town_src.text.eq("") & ~has_village  # with a village given, its error says it all
    if missing.any():
        column = sheet.hname("town") or sheet.hname("town_code") or sheet.hname("location_code") or "town"
        sheet.issues.cells(missing, column, town_src.text, Msg("town.required"))
    renamed = town.notna() & town_src.text.ne(town) & town_src.text.ne(town.map(idx.town_name))
    if renamed.any():
        for c in town_src.column[renamed].unique():
            sheet.issues.fix_groups(
                renamed & town_src.column.eq(c),
                c,
                town_src.text,
                town.map(idx.town_name) + " (" + town.fillna("") + ")",
                Msg("town.normalised"),
            )
    sheet.out["town_code"] = town
    sheet.out["village_code"] = village


def _first_filled(sheet: Sheet, roles: tuple[str, ...]) -> _Source:
    """The first non-empty cell among ``roles``' columns, row by row."""
    src = _Source(pd.Series("", index=sheet.index, dtype=object), pd.Series("", index=sheet.index, dtype=object))
    for role in roles:
        raw = sheet.get(role)
        if raw is None:
            continue
        take = src.text.eq("") & raw.ne("")
        src.text[take] = raw[take]
        src.column[take] = sheet.hname(role)
    return src


def _town_source(sheet: Sheet) -> _Source:
    """Town cells: town_code, then town; without either column, a location code's town part or a location name."""
    src = _first_filled(sheet, ("town_code", "town"))
    if sheet.has("town_code") or sheet.has("town"):
        return src
    loc_code, loc_name = sheet.get("location_code"), sheet.get("location_name")
    if loc_code is not None:
        take = src.text.eq("") & map_unique(loc_code, lambda v: bool(re.fullmatch(r"\d{9}(\d{3})?", v))).astype(bool)
        src.text[take] = [v[:9] for v in loc_code[take]]
        src.column[take] = sheet.hname("location_code")
    if loc_name is not None:
        take = src.text.eq("") & loc_name.ne("")
        src.text[take] = loc_name[take]
        src.column[take] = sheet.hname("location_name")
    return src


def _resolve_towns(sheet: Sheet, src: _Source) -> pd.Series:
    """Town code per row (None when unknown or not given)."""
    town = places.resolve_towns(src.text).where(src.text.ne(""), None)
    if sheet.has("location_name") and not (sheet.has("town_code") or sheet.has("town")):
        # "容桂街道东风社区": town = the leading town name
        miss = town.isna() & src.column.eq(sheet.hname("location_name"))
        if miss.any():
            prefixes = places.place_index().town_prefixes
            town[miss] = map_unique(
                src.text[miss], lambda v: next((c for k, c in prefixes if places.norm_text(v).startswith(k)), None)
            )
    return town


def _village_source(sheet: Sheet) -> _Source:
    """Village cells: village_code, then village; without either column, a 12-digit location code."""
    src = _first_filled(sheet, ("village_code", "village"))
    loc_code = sheet.get("location_code")
    if loc_code is not None and not (sheet.has("village_code") or sheet.has("village")):
        take = src.text.eq("") & map_unique(loc_code, lambda v: bool(re.fullmatch(r"\d{12}", v))).astype(bool)
        src.text[take] = loc_code[take]
        src.column[take] = sheet.hname("location_code")
    return src


def _resolve_villages(sheet: Sheet, src: _Source, town: pd.Series, town_err: pd.Series) -> pd.Series:
    """Village code per row (None when not given or not found); unknown, ambiguous or misplaced ones reported.

    Rows whose town is already reported as unknown get no village error on top.
    """
    has_v = src.text.ne("")
    pairs = pd.DataFrame({"v": src.text[has_v], "t": town[has_v].where(~town_err[has_v], "?")})
    codes, uniq = factorize_rows(pairs["v"], pairs["t"].fillna("?"))
    res = [places.resolve_village(v, None if t == "?" else t) for v, t in uniq]
    cols3 = [np.array([r[k] for r in res], dtype=object)[codes] for k in range(3)]
    code, status, detail = (pd.Series(c, index=pairs.index, dtype=object) for c in cols3)
    village = sheet.nothing()
    village[code.index] = code
    skip = town_err[has_v]
    for st, msg in VILLAGE_PROBLEMS:
        m = status.eq(st) & ~skip
        if m.any():
            full = pd.Series(False, index=sheet.index)
            full[m[m].index] = True
            sug, text = sheet.nothing(), pd.Series(Msg(msg), index=sheet.index, dtype=object)
            if st == places.VILLAGE_UNKNOWN:  # a suggestion that validates in this row's town (checked in places)
                sug[m[m].index] = detail[m]
            else:  # the other town(s) are named in the message: the town or the 村(社区) is wrong, not a spelling
                text[m[m].index] = map_unique(detail[m], lambda d, k=msg: Msg(f"{k}.where", places=d))
            for c in src.column[full].unique():
                sheet.issues.cells(full & src.column.eq(c), c, src.text, text, sug)
    return village


def _town_from_village(
    sheet: Sheet, town: pd.Series, town_src: _Source, village_src: _Source, village: pd.Series
) -> None:
    """A village found in a row without a town gives the town (``town`` is filled in place)."""
    idx = places.place_index()
    fill = town.isna() & town_src.text.eq("") & village.notna()
    if fill.any():
        town[fill] = village[fill].map(idx.village_town)
        sheet.issues.fix_groups(fill, "town", village_src.text, town.map(idx.town_name), Msg("town.from_village"))


def _report_renamed_villages(sheet: Sheet, src: _Source, village: pd.Series, town: pd.Series) -> None:
    """One fix per village written other than by its code or its official name."""
    idx = places.place_index()
    renamed = village.notna() & src.text.ne(village) & src.text.ne(village.map(idx.village_name))
    sheet.issues.fix_groups(
        renamed,
        "/".join(sorted(set(src.column[renamed]))) if renamed.any() else "village",
        src.text,
        village.map(idx.village_name).radd(town.map(idx.town_name).fillna("") + " "),
        Msg("village.normalised"),
    )


def _report_unknown_towns(sheet: Sheet, src: _Source, town_err: pd.Series) -> None:
    """Unknown towns: one error per distinct value with its row count.

    A value one character away from a Shunde 镇街 (:func:`places.near_town`) gets that town as suggestion; any
    other is called outside Shunde, never "corrected" to a Shunde town.
    """
    if not town_err.any():
        return

    def message(value, n, rows):
        near = places.near_town(value)
        if near:
            return Msg("town.unknown_near", value=value, n=n, rows=rows)
        return Msg("town.outside", value=value, n=n, rows=rows)

    for c in src.column[town_err].unique():
        todo = lambda v: None if places.near_town(v) else Msg("town.outside_todo")  # noqa: E731
        sheet.issues.per_value(town_err & src.column.eq(c), c, src.text, message, places.near_town, todo)


def fill_location(sheet: Sheet) -> None:
    """Empty location code / name cells take the row's village (or town) code and name."""
    idx = places.place_index()
    out = sheet.out
    town_code, village_code = out["town_code"], out["village_code"]
    out["location_code"] = out["location_code"].fillna(village_code.where(village_code.notna(), town_code))
    vnames = village_code.map(idx.village_name)
    tnames = town_code.map(idx.town_name)
    out["location_name"] = out["location_name"].fillna(
        (tnames.fillna("") + vnames.fillna("")).where(tnames.notna(), None)
    )


def warn_villages_new_in_2023(sheet: Sheet) -> None:
    """Warn about 村(社区) used before 2023 that exist in the NBS code list only from 2023 (琴湖)."""
    idx = places.place_index()
    village_code = sheet.out["village_code"]
    new_unit = village_code.map({c: True for c, ok in idx.village_in_2021.items() if not ok}).fillna(False).astype(bool)
    column = sheet.hname("village") or sheet.hname("village_code") or "village"
    sheet.issues.cells(
        new_unit & (sheet.out["year"] < 2023),
        column,
        village_code,
        Msg("village.new_2023"),
        warning=True,
    )
