"""Headers → roles (which column holds the identifier, the amount, …), and the first sheet of a file as text.

The file itself is read by :mod:`~shunde_workbook.data.ledger.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shunde_workbook.data.ledger.headers import recognise
from shunde_workbook.data.ledger.mapping import Mapping, disk_name, target_role
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.ledger.report import Collector, Issue, ValidationReport
from shunde_workbook.data.ledger.sources import ReadFailure, read_sheets
from shunde_workbook.data.schema import FRAME_COLUMNS, HEADER_ALIASES, TO_DISK
from shunde_workbook.errors import LedgerError, closest

#: Roles any one of which locates a row (town or village, by name or code).
SERIAL_KEYS = {"序号", "序", "no", "no.", "#"}
#: Similarity (difflib ratio, 0–1) a header needs to a known one to be offered as "did you mean".
HEADER_SIMILARITY = 0.85
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
    """Which column position holds each role, and units declared in headers (e.g. '资助金额(万元)').

    ``how`` says how each role was found ('given' by a mapping, 'alias', 'qualified'); ``currency`` holds a currency
    written in a header ('Amount (GBP)'); ``kept`` lists 360Giving columns this workbook does not use (passed
    through, not unknown) and ``unknown`` the other headers no rule reads.
    """

    column: dict[str, int]  # role -> position
    unit: dict[str, str]  # role -> unit written in its header
    names: dict[str, str]  # role -> header as written
    how: dict[str, str] = field(default_factory=dict)
    currency: dict[str, str] = field(default_factory=dict)
    qualifier: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _known_headers() -> list[str]:
    """Headers offered as "did you mean" for an unknown column: the on-disk names and the Chinese aliases."""
    aliases = [a for names in HEADER_ALIASES.values() for a in names if not a.isascii()]
    return sorted(set(TO_DISK.values()) | set(aliases))


def close_header(header: str) -> str | None:
    """A known header differing from ``header`` by about one character in six (similarity ≥ 0.85), same script."""
    latin = header.isascii()
    hit = closest(header, [k for k in _known_headers() if k.isascii() == latin], cutoff=HEADER_SIMILARITY)
    return hit


def map_headers(
    headers: list[str], body: pd.DataFrame, issues: Collector, mapping: Mapping | None = None
) -> HeaderRoles:
    """Give each header its role (a mapping's first, then by :func:`~.headers.recognise`); report the others.

    Blank headers over filled cells and second columns for a role are reported; unknown headers are listed once,
    in one line.
    """
    roles = HeaderRoles({}, {}, {})
    serial_keys = frozenset(SERIAL_KEYS)
    for pos, h in enumerate(headers):
        if not h.strip():
            if any(str(v).strip() for v in body[pos].to_numpy()):
                issues.header(Msg("column.nth", n=pos + 1), Msg("column.no_header"), warning=True)
            continue
        target = mapping.target(h) if mapping is not None else None
        if target is not None:
            role, unit, currency = target_role(target)
            if role is None:
                continue  # mapped to "": ignored on purpose
            found, how = recognise(h), "given"
            unit, currency = unit or found.unit, currency or found.currency
        else:
            found = recognise(h, serial_keys if "serial" not in roles.column else frozenset())
            role, unit, currency, how = found.role, found.unit, found.currency, found.how
        if role is None:
            (roles.kept if found.how == "standard" else roles.unknown).append(h)
            continue
        if role in roles.column:
            if role != "serial":
                issues.header(h, Msg("column.second", role=disk_name(role), first=headers[roles.column[role]]))
            continue
        roles.column[role], roles.names[role], roles.how[role] = pos, h, how
        if unit:
            roles.unit[role] = unit
        if currency:
            roles.currency[role] = currency
        if found.qualifier:
            roles.qualifier[role] = found.qualifier
    if roles.unknown:
        shown = [f"{h} (→ {close_header(h)}?)" if close_header(h) else h for h in roles.unknown]
        issues.header("", Msg("column.unknown_list", n=len(shown), columns=" | ".join(shown)), warning=True)
    if mapping is not None:
        for h in mapping.unused(headers):
            issues.header("", Msg("map.not_in_file", header=h), warning=True)
    return roles


def check_required_columns(roles: HeaderRoles, provenance: str | None, issues: Collector, fill=()) -> list[str]:
    """Report each required column the file lacks, saying what to add or how to map it; returns the missing roles.

    Rows are still checked in the columns the file has (one pass); a missing provenance column may instead come
    from the caller.  ``fill`` names columns a mapping gives a value for every row.
    """
    present = set(roles.column) | set(fill)
    missing = [req for req in ("amount", "programme") if req not in present]
    if "year" not in present and "award_date" not in present:
        missing.append("year")
    if not PLACE_ROLES & present:
        missing.append("town")
    for req in missing:
        issues.header("", Msg(f"column.missing.{req}"))
    if "provenance" not in present and provenance is None:
        issues.header("provenance", Msg("provenance.column_missing"))
    return missing
