"""Load and validate a grant ledger (CSV in UTF-8 / UTF-8-BOM / GBK / GB18030, or .xlsx).

    report = validate_ledger("data/raw/grants_simulated.csv")      # never raises on bad data
    df = load_ledger("data/raw/grants_simulated.csv")              # raises LedgerError listing every problem

Row numbers are those a spreadsheet user sees: the header is row 1, the first
data row is row 2.  Columns are named as written in the file.  All problems are
collected in one pass; raw files are only read, never written.

The work is vectorised: per-row Python loops run only over the *distinct*
values of a column (towns, villages, dates) or over rows that are already bad.

Modules: ``reading`` (file → text table, headers → roles), ``sheet`` (the rows being checked),
``amounts``, ``dates``, ``fields`` (cell parsers and the programme-field table), ``checks`` (one check per
column), ``place_columns`` (town / 村(社区) columns), ``report`` (Issue, Fix, ValidationReport) and
``validate`` (validate_ledger, load_ledger: the list of steps).
"""

from shunde_workbook.data.ledger.amounts import (
    MAX_PLAUSIBLE_GRANT,
    parse_amount,
    parse_amounts,
)
from shunde_workbook.data.ledger.fields import field_table
from shunde_workbook.data.ledger.reading import read_table
from shunde_workbook.data.ledger.report import Fix, Issue, ValidationReport
from shunde_workbook.data.ledger.validate import (
    DEFAULT_LEDGER,
    TEXT_COLUMNS,
    load_ledger,
    validate_ledger,
)
from shunde_workbook.errors import LedgerError

__all__ = [
    "DEFAULT_LEDGER",
    "MAX_PLAUSIBLE_GRANT",
    "TEXT_COLUMNS",
    "Fix",
    "Issue",
    "LedgerError",
    "ValidationReport",
    "field_table",
    "load_ledger",
    "parse_amount",
    "parse_amounts",
    "read_table",
    "validate_ledger",
]
