"""What the reports read of a ledger besides its rows, once per run.

Every report checks the ledger's towns against the town table and the boundaries, names its provenance,
dates it and says whether a programme's entry breaks the yearly series.  Inside a run the first kernel
works these out from the rows and keeps them in the run's cache (keyed by the file's bytes and the
scope); the other kernels read them and load the rows only if a table or chart asks for them
(:class:`~shunde_workbook.analysis.inputs.Inputs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class LedgerFacts:
    """Facts of a full ledger and of its rows in a report's scope (programmes, years, fields)."""

    rows: int  #: rows of the full ledger
    scoped_rows: int  #: rows in the scope
    town_codes: tuple[str, ...]  #: the full ledger's distinct town codes (stripped; blanks left out)
    status: str  #: the full ledger's provenance (:func:`ledger_status`)
    years: tuple[int, int] | None  #: first and last year in the scope (None: no rows)
    mix: dict | None  #: ``ledger_mix`` of the scope (None: no ``provenance`` column)
    series_break: bool  #: ``narrative.assess.series_break`` of the scope

    @classmethod
    def of(cls, full: pd.DataFrame, scoped: pd.DataFrame) -> LedgerFacts:
        """The facts of ``full`` and of its rows ``scoped``."""
        codes = full["town_code"].astype("string").fillna("").str.strip().unique() if "town_code" in full else []
        years = scoped["year"]
        return cls(
            rows=len(full),
            scoped_rows=len(scoped),
            town_codes=tuple(sorted(str(c) for c in codes if c != "")),
            status=ledger_status(full) if "provenance" in full else "unknown",
            years=(int(years.min()), int(years.max())) if len(years) else None,
            mix=ledger_mix(scoped) if "provenance" in scoped.columns else None,
            series_break=series_break(scoped),
        )

    @property
    def data_date(self) -> str:
        """The scope's year range, e.g. "2017–2022"."""
        return f"{self.years[0]}–{self.years[1]}" if self.years else "—"


def ledger_status(ledger: pd.DataFrame) -> str:
    """The ledger's provenance: one status, "mixed: …", or "unknown"."""
    values = sorted({str(v) for v in ledger["provenance"].dropna().unique()})
    return values[0] if len(values) == 1 else ("mixed: " + ", ".join(values) if values else "unknown")


def ledger_mix(ledger: pd.DataFrame) -> dict:
    """How much of ``ledger`` is simulated: shares of rows and amount, and the programme-years concerned."""
    prov = ledger["provenance"].astype(str)
    sim = prov == "simulated"
    where = []
    for prog, years in ledger.loc[sim].groupby("programme")["year"]:
        where.append((str(prog), sorted(int(y) for y in years.unique())))
    total = float(ledger["amount"].sum())
    return {
        "rows_share": float(sim.mean()) if len(ledger) else 0.0,
        "amount_share": float(ledger.loc[sim, "amount"].sum() / total) if total else 0.0,
        "where": where,
        "others": sorted(set(prov[~sim])),
    }


def series_break(ledger: pd.DataFrame) -> bool:
    """True when a programme's first year is later than the ledger's (its entry breaks the yearly series)."""
    if ledger.empty:
        return False
    first = ledger.groupby("programme")["year"].min()
    return bool((first > first.min()).any())


def run_file(ledger_path: Path, scope: tuple, kind: str = "facts") -> Path | None:
    """Where the run's cache keeps ``kind`` for the ledger file ``ledger_path`` in ``scope`` (None: no run)."""
    from shunde_workbook.analysis.run_cache import entry

    return entry(kind, Path(ledger_path), [list(scope[0]), scope[1], scope[2], list(scope[3])])
