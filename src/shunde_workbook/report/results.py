"""The results store: every number a report's findings cite, as tidy rows.

:meth:`~shunde_workbook.report.presenter.Report.findings` calls :func:`record`
with the graded findings it shows; the rows go to
``<outputs>/results/<report>.csv`` (UTF-8, one row per value of a finding).
The schema is documented in ``docs/results.md``.  ``run_id`` and
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
)
_TOWN = re.compile(r"\[(\d{9})\]")


def rows_for(report: str, findings: list, key: list | None = None) -> list[dict]:
    """One row per value of each finding; ``key`` are the findings shown in the key-findings box."""
    key_ids = {id(f) for f in key or []}
    rows = []
    for f in findings:
        town = str((f.meta or {}).get("town") or "")
        for placeholder, v in f.values.items():
            m = _TOWN.search(v.source)
            rows.append(
                {
                    "run_id": "",
                    "report": report,
                    "param_hash": "",
                    "measure": v.source,
                    "town": m.group(1) if m else town,
                    "value": float(v.value) if v.value is not None else None,
                    "lo": float(v.lo) if v.lo is not None else None,
                    "hi": float(v.hi) if v.hi is not None else None,
                    "kind": v.kind,
                    "finding": f.id,
                    "placeholder": placeholder,
                    "grade": f.grade.name if f.grade is not None else "",
                    "key_finding": id(f) in key_ids,
                }
            )
    return rows


def record(rep, findings: list, key: list | None = None) -> Path | None:
    """Add the rows of ``findings`` to the report's results file (rewritten atomically); return its path.

    A report that calls ``findings`` twice keeps the rows of both calls.  Never raises on a write
    error: the store must not break a report (it returns None instead).
    """
    rows = [*getattr(rep, "_result_rows", []), *rows_for(rep.name, findings, key)]
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
    for col in ("value", "lo", "hi"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["key_finding"] = df["key_finding"].astype(str).str.lower().eq("true")
    return df[list(COLUMNS)]
