"""Load and validate a grant ledger (CSV in UTF-8 / UTF-8-BOM / GBK / GB18030, or .xlsx).

    report = validate_ledger("data/raw/grants_simulated.csv")      # never raises on bad data
    df = load_ledger("data/raw/grants_simulated.csv")              # raises LedgerError listing every problem

Row numbers are those a spreadsheet user sees: the header is row 1, the first
data row is row 2.  Columns are named as written in the file.  All problems are
collected in one pass; raw files are only read, never written.

The work is vectorised: per-row Python loops run only over the *distinct*
values of a column (towns, villages, dates) or over rows that are already bad.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from shunde_workbook import paths

from shunde_workbook.data import places, reference
from shunde_workbook.errors import LedgerError, closest
from shunde_workbook.data.schema import (
    FRAME_COLUMNS,
    FUNDERS,
    HEADER_LOOKUP,
    PROGRAMME_FIRST_YEAR,
    PROGRAMME_LIFE_NOTE,
    PROGRAMME_LOOKUP,
    PROGRAMMES,
    PROVENANCE_LOOKUP,
    PROVENANCES,
    TO_DISK,
    UNITS,
    CURRENCY_ALIASES,
    header_key,
    label_key,
    normalise_unit,
)

DEFAULT_LEDGER = paths.RAW / "grants_simulated.csv"
TEXT_COLUMNS = [c for c in FRAME_COLUMNS if c not in ("amount", "award_date", "year")]
MAX_PLAUSIBLE_GRANT = 1e9  # 10亿元 for one grant is surely a unit or typing error


# ============================================================================ report objects


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (row 1 = header; file-level problems use row 1 and the header)."""

    file: str
    row: int
    column: str
    value: str
    message: str
    suggestion: str | None = None

    def format(self) -> str:
        text = f"{self.file}:{self.row}: column '{self.column}': bad value '{self.value}' — {self.message}"
        if self.suggestion not in (None, ""):
            text += f"; did you mean '{self.suggestion}'?"
        return text

    __str__ = format


@dataclass(frozen=True)
class Fix:
    """An automatic correction applied to the in-memory rows (never to the file)."""

    file: str
    column: str
    original: str
    normalised: str
    rows: tuple[int, ...]
    message: str

    def format(self) -> str:
        shown = ", ".join(str(r) for r in self.rows[:8]) + (", …" if len(self.rows) > 8 else "")
        what = f"'{self.original}' → '{self.normalised}'" if self.original or self.normalised else ""
        return f"{self.file}: column '{self.column}': {what} {self.message} ({len(self.rows)} row(s): {shown})".replace(
            "  ", " "
        )

    __str__ = format


@dataclass
class ValidationReport:
    path: str
    encoding: str | None
    frame: pd.DataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    header_map: dict[str, str] = field(default_factory=dict)  # role -> header as written
    n_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def n_accepted(self) -> int:
        return len(self.frame)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row > 1})

    def summary(self) -> str:
        return (
            f"{self.path}: {self.n_rows} data row(s), {self.n_accepted} accepted, "
            f"{len(self.rejected_rows)} rejected; {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s), {len(self.fixes)} fix(es); encoding {self.encoding}"
        )

    def format(self) -> str:
        lines = [f"fixed: {f.format()}" for f in self.fixes]
        lines += [f"warning: {w.format()}" for w in self.warnings]
        lines += [e.format() for e in self.errors]
        lines.append(self.summary())
        return "\n".join(lines)


# ============================================================================ reading


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
            ValidationReport(str(path), None, pd.DataFrame(columns=FRAME_COLUMNS),
                             [Issue(str(path), 1, "", "", "cannot decode as UTF-8 or GB18030")])
        )
    if not text.strip():
        return pd.DataFrame(), enc
    del text
    table = pd.read_csv(io.BytesIO(raw), header=None, dtype=object, keep_default_na=False, encoding=codec,
                        na_filter=False, skip_blank_lines=False, engine="c")
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


# ============================================================================ amounts

_AMOUNT_RE = re.compile(r"^(?P<num>[+-]?\d+(?:\.\d+)?)(?P<unit>万元|万|元)?$")
_APPROX_RE = re.compile(r"^(?:约|大约|近|超|逾|超过|不少于|~|≈)|(?:左右|以上|多|余)(?:万元|万|元)?$")
_MULTI_RE = re.compile(r"\d\s*(?:/|、|,|;|~|～|至|到|或|\+|-)\s*[\d约]")
_CURRENCY_PREFIX = re.compile(r"^(?:¥|rmb|cny|人民币)\s*", re.I)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def _parse_amount_text(text: str, factor: float) -> tuple[float, str | None, str]:
    """Slow path for one cell: returns (amount in 元, error or None, unit source 'cell'|'declared')."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return np.nan, "amount is empty", "declared"
    t = _THOUSANDS.sub("", _CURRENCY_PREFIX.sub("", s))
    t = re.sub(r"\s+", "", t)
    m = _AMOUNT_RE.match(t)
    if not m:
        if _APPROX_RE.search(s):
            return np.nan, "approximate amount; the ledger needs the exact amount awarded", "declared"
        if _MULTI_RE.search(s):
            return np.nan, "several amounts in one cell (range or alternatives); give one amount", "declared"
        return np.nan, "not a number", "declared"
    unit = m.group("unit") or ""
    mult = 10_000.0 if unit.startswith("万") else 1.0 if unit == "元" else factor
    return float(m.group("num")) * mult, None, "cell" if unit else "declared"


def parse_amounts(values: pd.Series, unit: str | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised amount parsing.

    Returns (amount in 元 as float, error message or None, how) where how is 'number' (a plain number in
    the declared unit), 'text' (text such as '1,200' or '￥3,000' in the declared unit) or 'cell unit'
    (the cell says 万/万元/元, which wins over the declared unit).  Bare numbers are in the declared unit
    (元 if none is declared).  Plain numbers take a C-speed path; only the other cells are parsed one
    distinct value at a time.
    """
    factor = UNITS[normalise_unit(unit) or "元"]
    values = values.astype(object)
    num = pd.to_numeric(values, errors="coerce").astype(float)
    amount = num * factor
    how = pd.Series("number", index=values.index, dtype=object)
    err = pd.Series(None, index=values.index, dtype=object)
    slow = num.isna()
    if slow.any():
        sv = values[slow].astype(str)
        table = {u: _parse_amount_text(u, factor) for u in pd.unique(sv)}
        res = sv.map(table)
        amount[slow] = [r[0] for r in res]
        err[slow] = [r[1] for r in res]
        how[slow] = ["cell unit" if r[2] == "cell" else "text" for r in res]
    amount = amount.round(2)
    ok = err.isna()
    err[ok & (amount <= 0)] = "amount must be > 0"
    err[ok & (amount > MAX_PLAUSIBLE_GRANT)] = "implausibly large for one grant (over 10亿元); check the unit"
    amount[err.notna()] = np.nan
    return amount, err, how


def parse_amount(text: object, unit: str | None = None) -> float:
    """Parse one amount to 元: parse_amount('12.5万') == 125000.0. Raises ValueError if ambiguous/invalid."""
    amount, err, _ = parse_amounts(pd.Series([str(text)], dtype=object), unit)
    if pd.notna(err.iloc[0]):
        raise ValueError(f"{text!r}: {err.iloc[0]}")
    return float(amount.iloc[0])


# ============================================================================ helpers



class _Collector:
    def __init__(self, file: str, rownum: pd.Series):
        self.file = file
        self.rownum = rownum
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.fixes: list[Fix] = []
        self.bad = pd.Series(False, index=rownum.index)

    def cells(self, mask: pd.Series, column: str, values: pd.Series, message: object,
              suggestion: object = None, warning: bool = False) -> None:
        """Add an Issue for each row where mask is True. message/suggestion may be scalars or Series."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        idx = mask[mask].index
        msgs = message.loc[idx] if isinstance(message, pd.Series) else [message] * len(idx)
        sugg = suggestion.loc[idx] if isinstance(suggestion, pd.Series) else [suggestion] * len(idx)
        target = self.warnings if warning else self.errors
        for i, m, sg in zip(idx, msgs, sugg):
            sg = None if sg is None or (isinstance(sg, float) and np.isnan(sg)) else str(sg)
            target.append(Issue(self.file, int(self.rownum[i]), column, str(values[i]), str(m), sg))
        if not warning:
            self.bad |= mask

    def header(self, column: str, message: str, suggestion: str | None = None, warning: bool = False) -> None:
        issue = Issue(self.file, 1, column, column, message, suggestion)
        (self.warnings if warning else self.errors).append(issue)

    def fix_groups(self, mask: pd.Series, column: str, original: pd.Series, normalised: pd.Series,
                   message: str) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        sub = pd.DataFrame({"o": original[mask].astype(str), "n": normalised[mask].astype(str),
                            "r": self.rownum[mask]})
        for (o, n), g in sub.groupby(["o", "n"], sort=True):
            self.fixes.append(Fix(self.file, column, o, n, tuple(int(r) for r in g["r"]), message))


# ============================================================================ validate


def validate_ledger(path: str | Path | None = None, unit: str | None = None,
                    provenance: str | None = None) -> ValidationReport:
    """Validate a ledger file; never raises for bad data (only for a missing file or bad arguments).

    unit: the unit of bare numbers in the amount column ('元' or '万元'); a unit in the header, e.g.
    '资助金额(万元)', is used when no unit is given.  provenance: used for every row when the file has no
    provenance column (published | official | simulated).
    """
    path = Path(path) if path is not None else DEFAULT_LEDGER
    unit = normalise_unit(unit)
    file = str(path)
    table, encoding = read_table(path)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in FRAME_COLUMNS})
    report = ValidationReport(file, encoding, empty)
    if table.empty:
        report.errors.append(Issue(file, 1, "", "", "file is empty (no header row)"))
        return report

    headers = [str(h) for h in table.iloc[0].tolist()]
    body = table.iloc[1:]
    if len(body):
        body = body[~(body.to_numpy(dtype=object) == "").all(axis=1)]
    rownum = pd.Series(body.index.to_numpy() + 1, index=body.index)  # table row 0 = spreadsheet row 1
    col = _Collector(file, rownum)
    report.n_rows = len(body)

    # ---- headers
    role_col: dict[str, int] = {}
    header_unit: dict[str, str] = {}
    known = sorted(set(TO_DISK.values()) | {a for a in _all_aliases()})
    for pos, h in enumerate(headers):
        if not h.strip():
            if any(str(v).strip() for v in body[pos].to_numpy()):
                col.header(f"(column {pos + 1})", "column without a header; ignored", warning=True)
            continue
        key, hunit = header_key(h)
        role = HEADER_LOOKUP.get(key)
        if role is None:
            col.header(h, "unknown column; ignored", closest(h, known, cutoff=0.0), warning=True)
            continue
        if role in role_col:
            col.header(h, f"second column for '{role}' (first: '{headers[role_col[role]]}')")
            continue
        role_col[role] = pos
        if hunit:
            header_unit[role] = hunit
    report.header_map = {r: headers[p] for r, p in role_col.items()}
    hname = report.header_map.get

    stripped: dict[str, pd.Series] = {}

    def get(role: str) -> pd.Series | None:
        if role not in role_col:
            return None
        if role not in stripped:
            stripped[role] = _strip(body[role_col[role]])
        return stripped[role]

    missing = []
    for req in ("identifier", "amount", "programme"):
        if req not in role_col:
            missing.append(req)
    if "year" not in role_col and "award_date" not in role_col:
        missing.append("year")
    if not {"town_code", "town", "location_code", "location_name", "village", "village_code"} & set(role_col):
        missing.append("town")
    for req in missing:
        col.header(TO_DISK.get(req, req), f"required column '{TO_DISK.get(req, req)}' is missing")
    if "provenance" not in role_col and provenance is None:
        col.header("provenance", "required column 'provenance' is missing (published | official | simulated); "
                   "add the column, or pass --provenance official (Python: provenance='official')")
    if col.errors:  # cannot check rows without the required columns
        report.errors, report.warnings = col.errors, col.warnings
        return report

    n = len(body)
    out = pd.DataFrame(index=body.index)

    # ---- identifier
    ident = get("identifier")
    col.cells(ident.eq(""), hname("identifier"), ident, "Identifier is required")
    dup = ident.ne("") & ident.duplicated(keep=False)
    if dup.any():
        rows_by_id = rownum[dup].groupby(ident[dup]).agg(list)
        others = pd.Series(
            [", ".join(str(r) for r in rows_by_id[i] if r != rownum[k]) for k, i in ident[dup].items()],
            index=ident[dup].index,
        )
        col.cells(dup, hname("identifier"), ident, "duplicate Identifier; also on row(s) " + others)
    out["identifier"] = ident

    # ---- amount
    amount_unit = unit or header_unit.get("amount")
    if unit and header_unit.get("amount") and header_unit["amount"] != unit:
        col.header(hname("amount"), f"header says {header_unit['amount']} but unit={unit} was given")
    raw_amount = get("amount")
    amount, amount_err, how = parse_amounts(raw_amount, amount_unit)
    sugg = pd.Series(None, index=body.index, dtype=object)
    neg = amount_err.eq("amount must be > 0")
    if neg.any():
        sugg[neg] = raw_amount[neg].str.lstrip("-−")
    col.cells(amount_err.notna(), hname("amount"), raw_amount, amount_err, sugg)
    ok_amount = amount_err.isna()
    conv = ok_amount & how.ne("cell unit") & (UNITS[amount_unit or "元"] != 1.0)
    if conv.any():
        col.fixes.append(Fix(file, hname("amount"), "万元", "元", tuple(rownum[conv].astype(int)),
                             f"bare numbers read as {amount_unit} and converted to 元 (×10000)"))
    texty = ok_amount & how.ne("number")
    if texty.any():
        col.fix_groups(texty, hname("amount"), raw_amount,
                       amount[texty].map(lambda x: f"{x:.2f}".rstrip("0").rstrip(".")), "amount text parsed to 元")
    if unit is None and amount_unit is None and ok_amount.any() and amount[ok_amount].median() < 1000:
        col.header(hname("amount"), "amounts look small for 元 (median under 1000); if they are in 万元 pass "
                   "unit='万元' (--unit 万元)", "unit=万元", warning=True)
    out["amount"] = amount

    # ---- programme
    raw_prog = get("programme")
    prog = _map_unique(raw_prog, lambda v: PROGRAMME_LOOKUP.get(label_key(v)) if v else None)
    bad_prog = prog.isna()
    prog_sugg = _map_unique(raw_prog, lambda v: PROGRAMME_LOOKUP.get(closest(label_key(v), PROGRAMME_LOOKUP, cutoff=0.0)))
    col.cells(bad_prog & raw_prog.eq(""), hname("programme"), raw_prog, "programme is required",
              f"{PROGRAMMES[0]}' or '{PROGRAMMES[1]}")
    col.cells(bad_prog & raw_prog.ne(""), hname("programme"), raw_prog,
              "unknown programme (众创共善 | 和美社区)", prog_sugg)
    col.fix_groups(prog.notna() & prog.ne(raw_prog), hname("programme"), raw_prog, prog, "programme alias")
    out["programme"] = prog

    # ---- award date and year
    if "award_date" in role_col:
        raw_date = get("award_date")
        adate = _parse_dates(raw_date)
        col.cells(adate.isna() & raw_date.ne(""), hname("award_date"), raw_date,
                  "not a date (use YYYY-MM-DD)")
    else:
        raw_date = None
        adate = pd.Series(pd.NaT, index=body.index, dtype="datetime64[ns]")
    out["award_date"] = adate

    this_year = date.today().year
    if "year" in role_col:
        raw_year = get("year")
        year = _parse_years(raw_year)
        fill = year.isna() & raw_year.eq("") & adate.notna()
        year[fill] = adate[fill].dt.year
        col.fix_groups(fill, hname("year"), raw_year, year.astype("Int64").astype(str), "year taken from Award Date")
        col.cells(year.isna() & raw_year.ne(""), hname("year"), raw_year, "not a year (use e.g. 2019)")
        col.cells(year.isna() & raw_year.eq(""), hname("year"), raw_year, "year is required (or give Award Date)")
        ycol = hname("year")
    else:
        raw_year = pd.Series([str(y) if y == y else "" for y in adate.dt.year], index=body.index, dtype=object)
        year = adate.dt.year.astype(float)
        ycol = hname("award_date")
        col.cells(year.isna() & raw_date.eq(""), ycol, raw_date, "Award Date is required when there is no year column")
    for p in PROGRAMMES:
        first = PROGRAMME_FIRST_YEAR[p]
        early = prog.eq(p) & (year < first)
        col.cells(early, ycol, raw_year, PROGRAMME_LIFE_NOTE[p], str(first))
    col.cells(year > this_year, ycol, raw_year, f"year after {this_year} (grants cannot be from the future)")
    out["year"] = year

    # ---- field
    if "field" in role_col:
        raw_field = get("field")
        fld, fld_err, fld_sugg = _check_fields(raw_field, prog, year)
        col.cells(fld_err.notna(), hname("field"), raw_field, fld_err, fld_sugg)
        col.fix_groups(fld.notna() & fld.ne(raw_field), hname("field"), raw_field, fld, "field alias / spelling")
    else:
        fld = pd.Series(None, index=body.index, dtype=object)
    out["field"] = fld

    # ---- places
    town_code, village_code = _resolve_places(get, hname, role_col, rownum, col, year)
    out["town_code"] = town_code
    out["village_code"] = village_code

    # ---- provenance
    if "provenance" in role_col:
        raw_prov = get("provenance")
        prov = _map_unique(raw_prov, lambda v: PROVENANCE_LOOKUP.get(label_key(v)) if v else None)
        psugg = _map_unique(raw_prov, lambda v: PROVENANCE_LOOKUP.get(closest(label_key(v), PROVENANCE_LOOKUP, cutoff=0.0)))
        col.cells(prov.isna() & raw_prov.eq("") & (provenance is None), hname("provenance"), raw_prov,
                  "provenance is required (published | official | simulated)")
        if provenance is not None:
            prov = prov.where(raw_prov.ne(""), _check_provenance_arg(provenance))
        col.cells(prov.isna() & raw_prov.ne(""), hname("provenance"), raw_prov,
                  "unknown provenance (published | official | simulated)", psugg)
        col.fix_groups(prov.notna() & raw_prov.ne("") & prov.ne(raw_prov), hname("provenance"), raw_prov, prov,
                       "provenance alias")
    else:
        prov = pd.Series(_check_provenance_arg(provenance), index=body.index, dtype=object)
        col.fixes.append(Fix(file, "provenance", "", prov.iloc[0] if n else "", tuple(rownum.astype(int)),
                             "no provenance column; value given by the caller"))
    out["provenance"] = prov

    # ---- currency
    if "currency" in role_col:
        raw_cur = get("currency")
        cur_ok = raw_cur.eq("") | _map_unique(raw_cur, lambda v: label_key(v) in CURRENCY_ALIASES).astype(bool)
        col.cells(~cur_ok, hname("currency"), raw_cur, "only CNY (元) is supported", "CNY")
    out["currency"] = "CNY"

    # ---- free text
    for role in ("title", "description", "funder", "recipient_id", "recipient_name", "programme_title",
                 "location_name", "location_code"):
        s = get(role)
        out[role] = s.where(s.ne(""), None) if s is not None else pd.Series(None, index=body.index, dtype=object)
    if out["funder"].isna().any():
        out["funder"] = out["funder"].fillna(prog.map(FUNDERS))
    idx = places.place_index()
    loc_code = village_code.where(village_code.notna(), town_code)
    out["location_code"] = out["location_code"].fillna(loc_code)
    vnames = village_code.map(idx.village_name)
    tnames = town_code.map(idx.town_name)
    out["location_name"] = out["location_name"].fillna(
        (tnames.fillna("") + vnames.fillna("")).where(tnames.notna(), None))

    # ---- qinhu before 2023 (exists in the NBS list only from 2023)
    new_unit = village_code.map({c: True for c, ok in idx.village_in_2021.items() if not ok}).fillna(False).astype(bool)
    col.cells(new_unit & (year < 2023), hname("village") or hname("village_code") or "village",
              village_code, "this 村(社区) appears in the NBS code list only from 2023", warning=True)

    # ---- assemble accepted rows
    good = ~col.bad
    frame = out.loc[good, FRAME_COLUMNS].reset_index(drop=True)
    frame["amount"] = frame["amount"].astype(float)
    frame["year"] = frame["year"].astype("int64")
    for c in TEXT_COLUMNS:
        frame[c] = frame[c].astype("str")
    frame.attrs.update({"source": file, "encoding": encoding})
    col.errors.sort(key=lambda e: (e.row, e.column))
    report.frame = frame
    report.errors, report.warnings, report.fixes = col.errors, col.warnings, col.fixes
    return report


def load_ledger(path: str | Path | None = None, unit: str | None = None,
                provenance: str | None = None) -> pd.DataFrame:
    """Validated ledger as a DataFrame with columns schema.FRAME_COLUMNS; raises LedgerError listing all errors.

    Default path: data/raw/grants_simulated.csv (SIMULATED data, provenance=simulated on every row).
    """
    report = validate_ledger(path, unit=unit, provenance=provenance)
    if not report.ok:
        raise LedgerError(report)
    return report.frame


# ============================================================================ pieces


def _all_aliases() -> list[str]:
    from shunde_workbook.data.schema import HEADER_ALIASES

    return [a for aliases in HEADER_ALIASES.values() for a in aliases if not a.isascii()]


def _map_unique(values: pd.Series, fn) -> pd.Series:
    """fn applied once per distinct value (C-speed factorize, Python only over the distinct values)."""
    codes, uniq = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(u) for u in uniq]
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _strip(values: pd.Series) -> pd.Series:
    """Cells as stripped str (object dtype), computed once per distinct value."""
    return _map_unique(values, lambda v: str(v).strip())


def _factorize_rows(*columns: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Codes of the distinct row-tuples of several object columns, and those tuples."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    uniques = []
    for c in columns:
        k, u = pd.factorize(c.astype(object), use_na_sentinel=False)
        codes = codes * (len(u) + 1) + k
        uniques.append(np.asarray(u, dtype=object))
    keys, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    arrays = [c.to_numpy(dtype=object) for c in columns]
    tuples = [tuple(a[i] for a in arrays) for i in first]
    return inverse.reshape(-1), tuples


def _check_provenance_arg(provenance: str | None) -> str:
    p = PROVENANCE_LOOKUP.get(label_key(provenance)) if provenance else None
    if p is None:
        raise ValueError(f"provenance must be one of {PROVENANCES}, not {provenance!r}")
    return p


def _one_date(text: str) -> pd.Timestamp:
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "", t)
    t = re.sub(r"[年月/.]", "-", t).replace("日", "")
    return pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")


def _parse_dates(raw: pd.Series) -> pd.Series:
    """ISO dates at C speed; other spellings (2018年10月30日, 2018/10/30, with a time) per distinct value."""
    out = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    slow = out.isna() & raw.ne("")
    if slow.any():
        out[slow] = raw[slow].map({u: _one_date(u) for u in pd.unique(raw[slow])})
    return out


def _one_year(text: str) -> float:
    m = re.fullmatch(r"(\d{4})(?:年|\.0+)?", unicodedata.normalize("NFKC", text).strip())
    return float(m.group(1)) if m else np.nan


def _parse_years(raw: pd.Series) -> pd.Series:
    year = pd.to_numeric(raw, errors="coerce").astype(float)
    year[(year % 1 != 0) | (year < 1000) | (year > 9999)] = np.nan
    slow = year.isna() & raw.ne("")
    if slow.any():
        year[slow] = raw[slow].map({u: _one_year(u) for u in pd.unique(raw[slow])})
    return year


@dataclass(frozen=True)
class _FieldTable:
    valid: dict[tuple[str, int, str], str]  # (programme, year, label_key) -> canonical field
    fields: dict[tuple[str, int], list[str]]
    last_year: dict[str, int]
    by_programme: dict[str, dict[str, list[int]]]


_FIELD_TABLE: _FieldTable | None = None


def field_table() -> _FieldTable:
    global _FIELD_TABLE
    if _FIELD_TABLE is None:
        pf = reference.load_programme_fields()
        valid, fields, byp = {}, {}, {}
        for r in pf.itertuples(index=False):
            fields.setdefault((r.programme, r.year), []).append(r.field)
            byp.setdefault(r.programme, {}).setdefault(r.field, []).append(r.year)
            for name in [r.field] + [a for a in str(r.aliases).split("|") if a]:
                valid[(r.programme, r.year, label_key(name))] = r.field
        last = pf.groupby("programme")["year"].max().to_dict()
        _FIELD_TABLE = _FieldTable(valid, fields, last, byp)
    return _FIELD_TABLE


def _check_fields(raw: pd.Series, prog: pd.Series, year: pd.Series):
    """Return (canonical field or None, error message or None, suggestion or None) per row.

    Years after the last year listed in programme_fields.csv use the last listed year's fields.
    Rows with a bad programme or year are not checked (they already carry an error).
    """
    ft = field_table()
    last = prog.map(ft.last_year)
    eff_year = year.where(~(year > last), last)
    df = pd.DataFrame({"f": raw, "p": prog, "y": eff_year})
    checkable = df["p"].notna() & df["y"].notna() & df["f"].ne("")
    keys = df[checkable].drop_duplicates()
    table: dict[tuple, tuple] = {}
    for f, p, y in keys.itertuples(index=False):
        y = int(y)
        canon = ft.valid.get((p, y, label_key(f)))
        if canon is not None:
            table[(f, p, y)] = (canon, None, None)
            continue
        choices = ft.fields.get((p, y))
        if not choices:
            table[(f, p, y)] = (None, None, None)  # year outside the programme: reported as a year error
            continue
        elsewhere = [k for k, ys in ft.by_programme.get(p, {}).items() if label_key(k) == label_key(f)]
        if elsewhere:
            yrs = ft.by_programme[p][elsewhere[0]]
            msg = f"{elsewhere[0]} is a {p} field in {min(yrs)}–{max(yrs)}, not in {y}; {y} fields: " + " | ".join(choices)
        else:
            msg = f"unknown field for {p} in {y}; fields: " + " | ".join(choices)
        table[(f, p, y)] = (None, msg, closest(label_key(f), choices, cutoff=0.0))
    codes, uniq = _factorize_rows(df["f"], df["p"].fillna(""), df["y"].fillna(0))
    res = [table.get((f, p, int(y)), (None, None, None)) for f, p, y in uniq]
    out = []
    for k in range(3):
        vals = np.array([r[k] for r in res] + [None], dtype=object)
        s = pd.Series(vals[np.where(codes < 0, len(res), codes)], index=raw.index, dtype=object)
        out.append(s.where(checkable, None))
    return out[0], out[1], out[2]


def _resolve_places(get, hname, role_col, rownum, col: _Collector, year: pd.Series):
    idx = places.place_index()
    index = rownum.index
    tc_raw = get("town_code")
    tn_raw = get("town")
    loc_code = get("location_code")
    loc_name = get("location_name")
    empty = pd.Series("", index=index, dtype=object)

    # town: town_code column first, then town name column, then location code / name
    src_val = empty.copy()
    src_col = pd.Series("", index=index, dtype=object)
    for raw, role in ((tc_raw, "town_code"), (tn_raw, "town")):
        if raw is None:
            continue
        take = src_val.eq("") & raw.ne("")
        src_val[take] = raw[take]
        src_col[take] = hname(role)
    if loc_code is not None and "town_code" not in role_col and "town" not in role_col:
        take = src_val.eq("") & _map_unique(loc_code, lambda v: bool(re.fullmatch(r"\d{9}(\d{3})?", v))).astype(bool)
        src_val[take] = [v[:9] for v in loc_code[take]]
        src_col[take] = hname("location_code")
    if loc_name is not None and "town_code" not in role_col and "town" not in role_col:
        take = src_val.eq("") & loc_name.ne("")
        src_val[take] = loc_name[take]
        src_col[take] = hname("location_name")
    town = places.resolve_towns(src_val).where(src_val.ne(""), None)
    if loc_name is not None and "town_code" not in role_col and "town" not in role_col:
        # "容桂街道东风社区": town = the leading town name
        miss = town.isna() & src_col.eq(hname("location_name"))
        if miss.any():
            town[miss] = _map_unique(src_val[miss], lambda v: next(
                (c for k, c in idx.town_prefixes if places.norm_text(v).startswith(k)), None))

    # village
    v_src = empty.copy()
    v_col = pd.Series("", index=index, dtype=object)
    for raw, role in ((get("village_code"), "village_code"), (get("village"), "village")):
        if raw is None:
            continue
        take = v_src.eq("") & raw.ne("")
        v_src[take] = raw[take]
        v_col[take] = hname(role)
    if loc_code is not None and "village_code" not in role_col and "village" not in role_col:
        take = v_src.eq("") & _map_unique(loc_code, lambda v: bool(re.fullmatch(r"\d{12}", v))).astype(bool)
        v_src[take] = loc_code[take]
        v_col[take] = hname("location_code")

    village = pd.Series(None, index=index, dtype=object)
    has_v = v_src.ne("")
    town_err = src_val.ne("") & town.isna()
    if has_v.any():
        pairs = pd.DataFrame({"v": v_src[has_v], "t": town[has_v].where(~town_err[has_v], "?")})
        codes_, uniq = _factorize_rows(pairs["v"], pairs["t"].fillna("?"))
        res = [places.resolve_village(v, None if t == "?" else t) for v, t in uniq]
        cols3 = [np.array([r[k] for r in res], dtype=object)[codes_] for k in range(3)]
        code = pd.Series(cols3[0], index=pairs.index, dtype=object)
        status = pd.Series(cols3[1], index=pairs.index, dtype=object)
        detail = pd.Series(cols3[2], index=pairs.index, dtype=object)
        village[code.index] = code
        skip = town_err[has_v]  # bad town already reported; do not pile on
        for st, msg in (
            (places.VILLAGE_UNKNOWN, "unknown 村(社区)" ),
            (places.VILLAGE_AMBIGUOUS, "村(社区) name is used in more than one town; give the town"),
            (places.VILLAGE_WRONG_TOWN, "村(社区) is not in this row's town"),
        ):
            m = status.eq(st) & ~skip
            if m.any():
                full = pd.Series(False, index=index)
                full[m[m].index] = True
                sug = pd.Series(None, index=index, dtype=object)
                sug[m[m].index] = detail[m]
                for c in v_col[full].unique():
                    col.cells(full & v_col.eq(c), c, v_src, msg, sug)
        # a village found without a town gives the town
        fill = town.isna() & src_val.eq("") & village.notna()
        if fill.any():
            town[fill] = village[fill].map(idx.village_town)
            col.fix_groups(fill, "town", v_src, town.map(idx.town_name), "town taken from the 村(社区)")
        renamed = village.notna() & v_src.ne(village) & v_src.ne(village.map(idx.village_name))
        col.fix_groups(renamed, "/".join(sorted(set(v_col[renamed]))) if renamed.any() else "village",
                       v_src, village.map(idx.village_name).radd(town.map(idx.town_name).fillna("") + " "),
                       "village name normalised")

    # town errors
    if town_err.any():
        sugg = _map_unique(src_val, places.suggest_town)
        for c in src_col[town_err].unique():
            col.cells(town_err & src_col.eq(c), c, src_val, "unknown town (镇街)", sugg)
    missing = town.isna() & src_val.eq("") & ~has_v  # with a village given, the village error says it all
    if missing.any():
        column = hname("town") or hname("town_code") or hname("location_code") or "town"
        col.cells(missing, column, src_val, "town (镇街) is required")
    renamed = town.notna() & src_val.ne(town) & src_val.ne(town.map(idx.town_name))
    if renamed.any():
        for c in src_col[renamed].unique():
            m = renamed & src_col.eq(c)
            col.fix_groups(m, c, src_val, town.map(idx.town_name) + " (" + town.fillna("") + ")", "town normalised")
    return town, village
