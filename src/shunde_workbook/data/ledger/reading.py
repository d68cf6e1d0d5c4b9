"""Headers → roles (which column holds the identifier, the amount, …), and the first sheet of a file as text.

The file itself is read by :mod:`~shunde_workbook.data.ledger.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.ledger.report import Collector, Issue, ValidationReport
from shunde_workbook.data.ledger.sources import ReadFailure, read_sheets
from shunde_workbook.data.schema import (
    FRAME_COLUMNS,
    HEADER_ALIASES,
    HEADER_LOOKUP,
    TO_DISK,
    header_key,
)
from shunde_workbook.errors import LedgerError, closest

#: Roles any one of which locates a row (town or village, by name or code).
SERIAL_KEYS = {"序号", "序", "no", "no.", "#"}
PLACE_ROLES = {"town_code", "town", "location_code", "location_name", "village", "village_code"}


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """The first sheet of a file as text cells (index: spreadsheet row numbers), and the encoding.

    Raises
    ------
    LedgerError
        The file cannot be read (the report's one error says why and what to do).
    """
    try:
        sheets, encoding = read_sheets(path)
    except ReadFailure as exc:
        issue = Issue(str(path), 0, "", "", Msg("read.cannot", cause=exc.cause), todo=exc.todo)
        raise LedgerError(ValidationReport(str(path), None, pd.DataFrame(columns=FRAME_COLUMNS), [issue])) from None
    return sheets[0].table, encoding


@dataclass
class HeaderRoles:
    """Which column position holds each role, and units declared in headers (e.g. '资助金额(万元)')."""

    column: dict[str, int]  # role -> position
    unit: dict[str, str]  # role -> unit written in its header
    names: dict[str, str]  # role -> header as written


def _known_headers() -> list[str]:
    """Headers offered as "did you mean" for an unknown column: the on-disk names and the Chinese aliases."""
    aliases = [a for names in HEADER_ALIASES.values() for a in names if not a.isascii()]
    return sorted(set(TO_DISK.values()) | set(aliases))


def map_headers(headers: list[str], body: pd.DataFrame, issues: Collector) -> HeaderRoles:
    """Give each header its role; blank, unknown and second columns for a role are reported and ignored."""
    role_col: dict[str, int] = {}
    header_unit: dict[str, str] = {}
    known = _known_headers()
    for pos, h in enumerate(headers):
        if not h.strip():
            if any(str(v).strip() for v in body[pos].to_numpy()):
                issues.header(Msg("column.nth", n=pos + 1), Msg("column.no_header"), warning=True)
            continue
        key, hunit = header_key(h)
        role = "serial" if key in SERIAL_KEYS and "serial" not in role_col else HEADER_LOOKUP.get(key)
        if role is None:
            issues.header(h, Msg("column.unknown"), closest(h, known, cutoff=0.0), warning=True)
            continue
        if role in role_col:
            issues.header(h, Msg("column.second", role=role, first=headers[role_col[role]]))
            continue
        role_col[role] = pos
        if hunit:
            header_unit[role] = hunit
    return HeaderRoles(role_col, header_unit, {r: headers[p] for r, p in role_col.items()})


def check_required_columns(roles: HeaderRoles, provenance: str | None, issues: Collector) -> bool:
    """Report each required column the file lacks (provenance may instead come from the caller).

    Returns whether the rows can still be checked: a missing provenance column does not stop them.
    """
    present = set(roles.column)
    missing = [req for req in ("identifier", "amount", "programme") if req not in present]
    if "year" not in present and "award_date" not in present:
        missing.append("year")
    if not PLACE_ROLES & present:
        missing.append("town")
    for req in missing:
        issues.header(TO_DISK.get(req, req), Msg("column.missing", column=TO_DISK.get(req, req)))
    if "provenance" not in present and provenance is None:
        issues.header("provenance", Msg("provenance.column_missing"))
    return not missing
