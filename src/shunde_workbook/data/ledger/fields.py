"""Programme fields (领域/板块) by programme and year, from reference/programme_fields.csv."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shunde_workbook.data import reference
from shunde_workbook.data.ledger.distinct import factorize_rows
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.schema import label_key
from shunde_workbook.errors import closest


@dataclass(frozen=True)
class _FieldTable:
    valid: dict[tuple[str, int, str], str]  # (programme, year, label_key) -> canonical field
    fields: dict[tuple[str, int], list[str]]
    last_year: dict[str, int]
    by_programme: dict[str, dict[str, list[int]]]


_FIELD_TABLE: _FieldTable | None = None


def field_table() -> _FieldTable:
    """The programme-field table, read once per process."""
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


def _field_verdict(ft: _FieldTable, f: str, p: str, y: int) -> tuple[str | None, str | None, str | None]:
    """(canonical field, error message, suggestion) for one distinct (field, programme, year)."""
    canon = ft.valid.get((p, y, label_key(f)))
    if canon is not None:
        return canon, None, None
    choices = ft.fields.get((p, y))
    if not choices:
        return None, None, None  # year outside the programme: reported as a year error
    elsewhere = [k for k, ys in ft.by_programme.get(p, {}).items() if label_key(k) == label_key(f)]
    if elsewhere:
        yrs = ft.by_programme[p][elsewhere[0]]
        years = f"{min(yrs)}–{max(yrs)}" if min(yrs) != max(yrs) else str(min(yrs))
        where = {"field": elsewhere[0], "programme": p, "years": years}
        msg = Msg("field.wrong_year", **where, year=y, choices=" | ".join(choices))
    else:
        msg = Msg("field.unknown", programme=p, year=y, choices=" | ".join(choices))
    return None, msg, closest(label_key(f), choices, cutoff=0.5)  # one of that year's fields, so it validates


def resolve_fields(raw: pd.Series, prog: pd.Series, year: pd.Series):
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
    table = {(f, p, int(y)): _field_verdict(ft, f, p, int(y)) for f, p, y in keys.itertuples(index=False)}
    codes, uniq = factorize_rows(df["f"], df["p"].fillna(""), df["y"].fillna(0))
    res = [table.get((f, p, int(y)), (None, None, None)) for f, p, y in uniq]
    out = []
    for k in range(3):
        vals = np.array([r[k] for r in res] + [None], dtype=object)
        s = pd.Series(vals[np.where(codes < 0, len(res), codes)], index=raw.index, dtype=object)
        out.append(s.where(checkable, None))
    return out[0], out[1], out[2]
