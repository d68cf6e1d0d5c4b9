"""Grant-ledger data: reference tables, loader/validator, simulator, reconciliation.

Public API (see data/README.md for the data dictionary):

    from shunde_workbook.data import load_ledger, validate_ledger, LedgerError
    from shunde_workbook.data import simulate_ledger, write_simulated, reconcile
    from shunde_workbook.data import load_towns, load_villages, load_population, load_facts, load_programme_fields
"""

from shunde_workbook.data.ledger import Fix, Issue, ValidationReport, load_ledger, parse_amount, validate_ledger
from shunde_workbook.data.reconcile import reconcile
from shunde_workbook.data.reference import load_facts, load_population, load_programme_fields, load_towns, load_villages
from shunde_workbook.data.schema import DISK_COLUMNS, FRAME_COLUMNS
from shunde_workbook.data.simulate import simulate_ledger, write_simulated
from shunde_workbook.errors import LedgerError

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
