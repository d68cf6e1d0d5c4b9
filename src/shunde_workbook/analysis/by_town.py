"""One town's rows of the ledger, and the district's totals, split once per run for the town profiles.

A town profile needs its own town's grants and two district totals (per town, per year), not every row of
the district.  Inside a run the first profile splits the ledger by town into the run's cache; the others
read their own town's rows (about a tenth of them).  Outside a run, or for inputs given another ledger,
everything is taken from ``inp.ledger``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shunde_workbook.analysis.inputs import Inputs, town_totals
from shunde_workbook.analysis.ledger_facts import run_file
from shunde_workbook.analysis.run_cache import once, store


def town_part(inp: Inputs, town: str) -> tuple[pd.DataFrame, dict, pd.Series]:
    """``(rows, totals, yearly)``: ``town``'s rows of ``inp.ledger``, its :func:`town_totals`, its yearly sums."""
    cached = _run_file(inp)
    if cached is None or town not in inp.towns.index:
        return _of(inp.ledger, town)

    def split() -> dict:
        led = inp.ledger
        for code in inp.towns.index:
            store(led[led["town_code"] == code], _part(cached, code))
        return {"totals": town_totals(led), "yearly": _yearly(led)}

    district = once(cached, split)
    part = _part(cached, town)
    if not part.exists():  # not written (a full disk): from the rows
        return _of(inp.ledger, town)
    return pd.read_pickle(part), district["totals"], district["yearly"]


def _of(led: pd.DataFrame, town: str) -> tuple[pd.DataFrame, dict, pd.Series]:
    return led[led["town_code"] == town], town_totals(led), _yearly(led)


def _yearly(led: pd.DataFrame) -> pd.Series:
    return led.groupby("year")["amount"].sum()


def _run_file(inp: Inputs) -> Path | None:
    """Where the run keeps the split of the ledger ``inp`` loaded (None: no run, or another ledger)."""
    scope = inp.run_scope()
    return None if scope is None else run_file(inp.source, scope, "bytown")


def _part(cached: Path, town: str) -> Path:
    return cached.with_name(f"{cached.stem}-{town}.pkl")
