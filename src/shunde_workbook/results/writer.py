"""The results store: every number a report's findings and exported tables cite, as tidy rows.

:meth:`~shunde_workbook.report.presenter.Report.findings` calls :func:`record`
with the graded findings it shows (one row per value of a finding), and
:meth:`~shunde_workbook.report.presenter.Report.table` calls :func:`record_table`
for every table it exports (one row per numeric cell, ``measure`` =
``table.<key>.<column>``); the rows go to ``<outputs>/results/<report>.csv``
(UTF-8).  The schema and the row-label rule are documented in ``docs/results.md``.  ``run_id`` and
``param_hash`` are left empty here (a kernel does not know its run) and are
filled from the outputs folder's ``manifest.json`` by
:func:`shunde_workbook.results.stamp` / :func:`shunde_workbook.results.load`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

#: Columns of a results file, in order (see docs/results.md).
COLUMNS = (
    "run_id",
    "report",
    "param_hash",
    "commit",
    "provenance",
    "measure",
    "town",
    "value",
    "lo",
    "hi",
    "kind",
    "finding",
    "placeholder",
    "grade",
    "key_finding",
    "source",
)
_TOWN = re.compile(r"\[(\d{9})\]")
TOWN_CODE = re.compile(r"\d{9}")
#: Numeric columns that identify a row rather than measure something (besides ``*_code`` and ``*_id``);
#: ``row`` is a ledger row number (the audit's validation errors).
ID_COLUMNS = ("code", "year", "row")
#: Interval columns of the table's ``value`` column (``<column>_lo``/``_hi`` bound ``<column>``).
VALUE_INTERVAL = ("interval_lo", "interval_hi")


def _stamp_columns(report: str) -> dict:
    """The columns every results row starts with; the run's stamp fills the blank ones when it is written."""
    return {"run_id": "", "report": report, "param_hash": "", "commit": "", "provenance": ""}


def rows_for(report: str, findings: list, key: list | None = None, own_town: str = "") -> list[dict]:
    """One row per value of each finding; ``key`` are the findings shown in the key-findings box.

    ``own_town`` is a town profile's town code: its own measures (``profile.*``) carry it.
    """
    key_ids = {id(f) for f in key or []}
    rows = []
    for f in findings:
        town = str((f.meta or {}).get("town") or "")
        for placeholder, v in f.values.items():
            m = _TOWN.search(v.source)
            own = own_town if v.source.lstrip("-|").startswith("profile.") else ""
            rows.append(
                {
                    **_stamp_columns(report),
                    "measure": v.source,
                    "town": m.group(1) if m else town or own,
                    "value": float(v.value) if v.value is not None else None,
                    "lo": float(v.lo) if v.lo is not None else None,
                    "hi": float(v.hi) if v.hi is not None else None,
                    "kind": v.kind,
                    "finding": f.id,
                    "placeholder": placeholder,
                    "grade": f.grade.name if f.grade is not None else "",
                    "key_finding": id(f) in key_ids,
                    "source": "finding",
                }
            )
    return rows


def _own_town(rep) -> str:
    """The town a report is about (a town profile's ``town`` parameter, as shown in its header), else ""."""
    town = str((getattr(rep, "params", None) or {}).get("town") or "")
    return town if TOWN_CODE.fullmatch(town) else ""


def _is_label(name: str, col: pd.Series) -> bool:
    """Whether a table column identifies rows (text, or a numeric code or year) rather than measures."""
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        return True
    return name in ID_COLUMNS or name.endswith(("_code", "_id"))


def _label_text(value) -> str:
    """A row label cell as text (machine values, e.g. ``gini``, as the table carries them)."""
    return _cell(value).replace("[", "(").replace("]", ")")


def _cell(value) -> str:
    """A cell as text: empty for a missing value, an integral float without ``.0``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _row_labels(machine: pd.DataFrame, labels: list[str], towns: list[str]) -> list[str]:
    """Per row, the shortest leading run of label columns that (with the town) tells the rows apart."""
    text = pd.DataFrame({c: [_label_text(v) for v in machine[c]] for c in labels}, index=machine.index)
    base = pd.Series(towns, index=machine.index)
    for n in range(len(labels) + 1):
        parts = text[labels[:n]].agg("|".join, axis=1) if n else pd.Series("", index=machine.index)
        if not (base + "\x00" + parts).duplicated().any() and (n or any(towns)):
            return parts.tolist()
    joined = text[labels].agg("|".join, axis=1) if labels else pd.Series("", index=machine.index)
    return [f"{p}#{i + 1}" if p else f"#{i + 1}" for i, p in enumerate(joined)]


def table_rows(report: str, key: str, df: pd.DataFrame, percent: tuple = (), own_town: str = "") -> list[dict]:
    """One row per numeric cell of a table as exported (its machine column names, never translated).

    Parameters
    ----------
    report, key : the report and table key (the export is ``tables/<report>__<key>.csv``).
    df : the table's machine frame (``Table.frame``): the CSV's columns and cells.
    percent : columns holding 0..1 shares: their rows get kind ``pct``.
    own_town : a town profile's town code, for rows of a table that names no town.

    Returns
    -------
    Rows of :data:`COLUMNS`; ``measure`` is ``table.<key>.<column>`` for a table with a ``town_code``
    column (``town`` = the row's code), else ``table.<key>[<row label>].<column>`` (see docs/results.md).
    """
    machine = df.reset_index(drop=True)
    shown_pct = set(percent)
    has_town = "town_code" in machine.columns
    codes = [_cell(c) for c in machine["town_code"]] if has_town else [""] * len(machine)
    towns = [c if TOWN_CODE.fullmatch(c) else own_town for c in codes]
    skip = {"town_code", "town", "town_name", "name_en"} if has_town else set()
    labels = [c for c in machine.columns if c not in skip and _is_label(c, machine[c])]
    numeric = [c for c in machine.columns if c not in skip and c not in labels]
    bounds = {}
    for c in numeric:
        for lo, hi, of in ((f"{c}_lo", f"{c}_hi", c), (*VALUE_INTERVAL, "value")):
            if c == of and lo in machine.columns and hi in machine.columns:
                bounds[c] = (lo, hi)
    measures = [c for c in numeric if not any(c in b for b in bounds.values())]
    row_label = _row_labels(machine, labels, [t if has_town else "" for t in towns])

    def num(v):
        return None if v is None or pd.isna(v) else float(v)

    rows = []
    for i, rec in enumerate(machine.to_dict("records")):
        where = f"[{row_label[i]}]" if row_label[i] else ""
        for c in measures:
            lo, hi = bounds.get(c, (None, None))
            integral = pd.api.types.is_integer_dtype(machine[c])
            rows.append(
                {
                    **_stamp_columns(report),
                    "measure": f"table.{key}{where}.{c}",
                    "town": towns[i],
                    "value": num(rec[c]),
                    "lo": num(rec[lo]) if lo else None,
                    "hi": num(rec[hi]) if hi else None,
                    "kind": "pct" if c in shown_pct else "int" if integral else "number",
                    "finding": "",
                    "placeholder": "",
                    "grade": "",
                    "key_finding": False,
                    "source": "table",
                }
            )
    return rows


def record(rep, findings: list, key: list | None = None) -> Path | None:
    """Add the rows of ``findings`` to the report's results file (rewritten atomically); return its path.

    A report that calls ``findings`` twice keeps the rows of both calls.  Never raises on a write
    error: the store must not break a report (it returns None instead).
    """
    return _write(rep, rows_for(rep.name, findings, key, _own_town(rep)))


def record_table(rep, df: pd.DataFrame, key: str, percent: tuple = ()) -> Path | None:
    """Add the rows of an exported table (its machine frame) to the report's results file; return its path.

    Returns None on failure.
    """
    try:
        rows = table_rows(rep.name, key, df, percent, _own_town(rep))
    except (ValueError, TypeError, KeyError):  # an odd table must not break the report; it stays exported
        return None
    return _write(rep, rows)


def _write(rep, new_rows: list[dict]) -> Path | None:
    rows = [*getattr(rep, "_result_rows", []), *new_rows]
    rep._result_rows = rows
    target = Path(rep.out) / "results" / f"{rep.name}.csv"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".csv.{os.getpid()}.tmp")
        pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(tmp, index=False, encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        return None
    return target


def read(path: Path) -> pd.DataFrame:
    """One results file as a DataFrame with the schema's types (town codes stay text)."""
    df = pd.read_csv(
        path,
        dtype={"run_id": str, "report": str, "param_hash": str, "measure": str, "town": str, "grade": str},
        keep_default_na=False,
        na_values={"value": [""], "lo": [""], "hi": [""]},
    )
    if "source" not in df.columns:  # written before tables were recorded: findings only
        df["source"] = "finding"
    for col in ("commit", "provenance"):  # written before rows carried them: filled by results.load
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].astype(str)
    for col in ("value", "lo", "hi"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["key_finding"] = df["key_finding"].astype(str).str.lower().eq("true")
    return df[list(COLUMNS)]
