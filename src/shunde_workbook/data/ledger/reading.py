"""Reading a ledger file: bytes → table of text cells (UTF-8, UTF-8 with BOM, GBK/GB18030, .xlsx), and
headers → roles (which column holds the identifier, the amount, …).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.report import Collector, Issue, ValidationReport
from shunde_workbook.data.schema import (
    FRAME_COLUMNS,
    HEADER_ALIASES,
    HEADER_LOOKUP,
    TO_DISK,
    header_key,
)
from shunde_workbook.errors import LedgerError, closest

#: Roles any one of which locates a row (town or village, by name or code).
PLACE_ROLES = {"town_code", "town", "location_code", "location_name", "village", "village_code"}


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read every cell as text with header=None (row 0 is the header row). Returns (table, encoding)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = pd.read_excel(path, header=None, dtype=object, engine="openpyxl")
        table = table.map(_excel_cell_text)
        return table, "xlsx"
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        codec = enc
        if enc == "utf-8-sig":
            enc = "utf-8-sig (BOM)" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        break
    else:  # pragma: no cover - gb18030 decodes any byte string except a few invalid sequences
        raise LedgerError(
            ValidationReport(
                str(path),
                None,
                pd.DataFrame(columns=FRAME_COLUMNS),
                [Issue(str(path), 1, "", "", "cannot decode as UTF-8 or GB18030")],
            )
        )
    if not text.strip():
        return pd.DataFrame(), enc
    del text
    table = pd.read_csv(
        io.BytesIO(raw),
        header=None,
        dtype=object,
        keep_default_na=False,
        encoding=codec,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    return table, enc


def _excel_cell_text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"):
        try:
            return v.isoformat()[:10] if getattr(v, "hour", 0) == 0 and getattr(v, "minute", 0) == 0 else v.isoformat()
        except TypeError:  # pragma: no cover
            return str(v)
    return str(v)


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
                issues.header(f"(column {pos + 1})", "column without a header; ignored", warning=True)
            continue
        key, hunit = header_key(h)
        role = HEADER_LOOKUP.get(key)
        if role is None:
            issues.header(h, "unknown column; ignored", closest(h, known, cutoff=0.0), warning=True)
            continue
        if role in role_col:
            issues.header(h, f"second column for '{role}' (first: '{headers[role_col[role]]}')")
            continue
        role_col[role] = pos
        if hunit:
            header_unit[role] = hunit
    return HeaderRoles(role_col, header_unit, {r: headers[p] for r, p in role_col.items()})


def check_required_columns(roles: HeaderRoles, provenance: str | None, issues: Collector) -> None:
    """Report each required column the file lacks (provenance may instead come from the caller)."""
    present = set(roles.column)
    missing = [req for req in ("identifier", "amount", "programme") if req not in present]
    if "year" not in present and "award_date" not in present:
        missing.append("year")
    if not PLACE_ROLES & present:
        missing.append("town")
    for req in missing:
        issues.header(TO_DISK.get(req, req), f"required column '{TO_DISK.get(req, req)}' is missing")
    if "provenance" not in present and provenance is None:
        issues.header(
            "provenance",
            "required column 'provenance' is missing (published | official | simulated); "
            "add the column, or pass --provenance official (Python: provenance='official')",
        )
