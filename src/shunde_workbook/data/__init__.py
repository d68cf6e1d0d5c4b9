"""Grant-ledger data: reference tables, loader/validator, simulator, reconciliation.

Public API (see data/README.md for the data dictionary):

    from shunde_workbook.data import load_ledger, validate_ledger, LedgerError
    from shunde_workbook.data import simulate_ledger, write_simulated, reconcile
    from shunde_workbook.data import load_towns, load_villages, load_population, load_facts, load_programme_fields
"""

from __future__ import annotations

import importlib

from shunde_workbook.errors import LedgerError

# Importing this package is cheap (as for ``shunde_workbook.geo``): the submodules load on first use, so
# ``from shunde_workbook.data.schema import PROGRAMMES`` or ``data.cache`` pulls in no pandas (the
# runner's no-change path and parameter validation need none).
_EXPORTS = {
    "Fix": "ledger",
    "Issue": "ledger",
    "ValidationReport": "ledger",
    "load_ledger": "ledger",
    "parse_amount": "ledger",
    "validate_ledger": "ledger",
    "reconcile": "reconcile",
    "load_facts": "reference",
    "load_population": "reference",
    "load_programme_fields": "reference",
    "load_towns": "reference",
    "load_villages": "reference",
    "DISK_COLUMNS": "schema",
    "FRAME_COLUMNS": "schema",
    "simulate_ledger": "simulate",
    "write_simulated": "simulate",
}

__all__ = [
    "DISK_COLUMNS",
    "FRAME_COLUMNS",
    "Fix",
    "Issue",
    "LedgerError",
    "ValidationReport",
    "load_facts",
    "load_ledger",
    "load_population",
    "load_programme_fields",
    "load_towns",
    "load_villages",
    "parse_amount",
    "reconcile",
    "simulate_ledger",
    "validate_ledger",
    "write_simulated",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
