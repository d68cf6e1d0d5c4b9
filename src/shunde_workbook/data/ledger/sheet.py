"""The sheet being validated: its data rows, their spreadsheet row numbers, header roles, the caller's options,
the issues found so far and the checked values (``out``, one column per frame column).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shunde_workbook.data.ledger.distinct import strip_cells
from shunde_workbook.data.ledger.reading import HeaderRoles
from shunde_workbook.data.ledger.report import Collector


@dataclass
class Sheet:
    """Shared state of one validation; each check reads cells with :meth:`get` and writes ``out``.

    Row numbers are those a spreadsheet user sees: the header is row 1, the first data row is row 2.
    """

    file: str
    headers: list[str]
    body: pd.DataFrame  # data rows (blank rows dropped), columns by position, cells as text
    rownum: pd.Series  # spreadsheet row number of each body row
    issues: Collector
    unit: str | None = None  # caller's unit of bare amounts (normalised)
    provenance: str | None = None  # caller's provenance for rows without one
    roles: HeaderRoles = field(default_factory=lambda: HeaderRoles({}, {}, {}))
    out: pd.DataFrame = field(default_factory=pd.DataFrame)
    _stripped: dict[str, pd.Series] = field(default_factory=dict, repr=False)

    @classmethod
    def from_table(cls, file: str, table: pd.DataFrame, unit: str | None, provenance: str | None) -> Sheet:
        """Split a read table (row 0 = header) into headers and non-blank data rows."""
        headers = [str(h) for h in table.iloc[0].tolist()]
        body = table.iloc[1:]
        if len(body):
            body = body[~(body.to_numpy(dtype=object) == "").all(axis=1)]
        rownum = pd.Series(body.index.to_numpy() + 1, index=body.index)  # table row 0 = spreadsheet row 1
        return cls(
            file, headers, body, rownum, Collector(file, rownum), unit, provenance, out=pd.DataFrame(index=body.index)
        )

    @property
    def index(self) -> pd.Index:
        return self.body.index

    def has(self, role: str) -> bool:
        """Whether the file has a column for ``role``."""
        return role in self.roles.column

    def hname(self, role: str) -> str | None:
        """The header of ``role``'s column as written in the file, or None."""
        return self.roles.names.get(role)

    def get(self, role: str) -> pd.Series | None:
        """The stripped text cells of ``role``'s column (computed once), or None without such a column."""
        if role not in self.roles.column:
            return None
        if role not in self._stripped:
            self._stripped[role] = strip_cells(self.body[self.roles.column[role]])
        return self._stripped[role]

    def nothing(self) -> pd.Series:
        """An all-None object column (a value no check could give)."""
        return pd.Series(None, index=self.index, dtype=object)
