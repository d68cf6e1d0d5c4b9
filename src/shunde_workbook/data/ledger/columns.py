"""How the columns of a sheet were read, in words a user can check, and columns a mapping fills in.

describe_columns(sheet) → ["header: row 1", "'提前下达金额(万元)' read as the amount (Amount Awarded), in 万元 …", …]
"""

from __future__ import annotations

import pandas as pd

from shunde_workbook.data.ledger.mapping import Mapping, disk_name
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.ledger.report import Fix
from shunde_workbook.data.ledger.sheet import Sheet

#: Roles described to the user in this order (the others follow).
_ORDER = ("identifier", "amount", "programme", "year", "award_date", "field", "town", "town_code", "village")


def describe_columns(sheet: Sheet) -> list[Msg]:
    """Lines saying which rows were the header, which header was read as which column and how, and what was kept."""
    first, depth = sheet.header_row, getattr(sheet, "header_depth", 1)
    rows = str(first) if depth == 1 else f"{first}–{first + depth - 1}"
    where = Msg("columns.in_sheet", sheet=sheet.name) if sheet.name else ""
    lines = [Msg("columns.header_rows" if depth == 1 else "columns.header_two_rows", rows=rows, where=where)]
    roles = sheet.roles
    order = [r for r in _ORDER if r in roles.names] + [r for r in roles.names if r not in _ORDER]
    for role in order:
        if role == "serial":
            continue
        header = roles.names[role]
        if isinstance(header, Msg):  # made by the validator (e.g. identifiers from row numbers)
            continue
        how = roles.how.get(role, "alias")
        extra = []
        if roles.unit.get(role):
            extra.append(Msg("columns.in_unit", unit=roles.unit[role]))
        if roles.currency.get(role) and roles.currency[role] != "CNY":
            extra.append(Msg("columns.in_currency", currency=roles.currency[role]))
        if roles.qualifier.get(role):
            extra.append(Msg("columns.qualifier", qualifier=roles.qualifier[role]))
        key = {"given": "columns.given", "qualified": "columns.guessed"}.get(how, "columns.known")
        disk = f" ({disk_name(role)})" if disk_name(role) not in (role, header) else ""
        lines.append(Msg(key, header=header, role=Msg(f"role.{role}"), disk=disk, extra=_join(extra)))
    if roles.kept:
        shown = " | ".join(roles.kept[:12]) + (f" | … (+{len(roles.kept) - 12})" if len(roles.kept) > 12 else "")
        lines.append(Msg("columns.kept", n=len(roles.kept), columns=shown))
    return lines


def _join(parts: list[Msg]) -> object:
    if not parts:
        return ""
    if len(parts) == 1:
        return Msg("columns.extra1", a=parts[0])
    return (
        Msg("columns.extra2", a=parts[0], b=parts[1])
        if len(parts) == 2
        else Msg("columns.extra3", a=parts[0], b=parts[1], c=parts[2])
    )


def fill_from_mapping(sheet: Sheet, mapping: Mapping | None) -> None:
    """Columns the file lacks that the mapping gives one value for (``fill: {programme: 和美社区}``), as a fix."""
    if mapping is None or not mapping.fill:
        return
    rows = tuple(int(r) for r in sheet.rownum)
    for role, value in mapping.fill.items():
        if sheet.has(role):
            sheet.issues.header(sheet.hname(role), Msg("map.fill_has_column", column=disk_name(role)), warning=True)
            continue
        header = Msg("map.fill_column", column=disk_name(role))
        sheet.add_column(role, header, pd.Series(str(value), index=sheet.body.index, dtype=object))
        sheet.roles.how[role] = "fill"
        message = Msg("map.filled", value=value, source=mapping.source or "--fill")
        sheet.issues.fixes.append(Fix(sheet.file, header, "", str(value), rows, message, sheet.name))


def with_passthrough(disk: pd.DataFrame, report) -> pd.DataFrame:
    """The on-disk frame with the accepted rows' unused 360Giving columns appended, as read (for ``--out``)."""
    extra = getattr(report, "passthrough", None)
    if extra is None or extra.empty or len(extra) != len(disk):
        return disk
    extra = extra[[c for c in extra.columns if c not in disk.columns]].fillna("")
    return pd.concat([disk.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)
