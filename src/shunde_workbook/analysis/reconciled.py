"""The full ledger reconciled with the published facts: once per loaded ledger, and once per run.

Findings' grades, the evidence's sampling basis and the explorer all read the same reconciliation
(``data.reconcile.reconcile`` of ``inp.full_ledger``).  It is kept with the inputs, and inside a run the
first kernel stores it in the run's cache (keyed by the ledger file's bytes) for the others.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.analysis.run_cache import folder, once


def reconciled(inp: Inputs) -> pd.DataFrame:
    """``reconcile(inp.full_ledger)``, computed once for these inputs (and once per run for a loaded ledger).

    The table is shared, not copied: treat it as read-only.  Inputs given another full ledger (assigned, or
    a copy made with ``dataclasses.replace``) reconcile that ledger.
    """
    from shunde_workbook.data.reconcile import reconcile

    source = inp.read_from()
    key = source if source is not None else inp.full_ledger  # the file's table (read or not), or another
    held = inp.reconciled_memo
    if held is not None and held[0] is key:  # ``source`` is the same Path object every time
        return held[1]
    table = once(run_file(source), lambda: reconcile(inp.full_ledger))
    inp.reconciled_memo = (key, table)
    return table


def run_file(ledger_path: Path | None) -> Path | None:
    """Where the run's cache keeps the reconciliation of the ledger file ``ledger_path`` (None: no run)."""
    from shunde_workbook.data.cache import input_hash

    cache = folder()
    if cache is None or ledger_path is None:
        return None
    return cache / f"reconciled-{input_hash(ledger_path)[:24]}.pkl"  # the folder is emptied per run
