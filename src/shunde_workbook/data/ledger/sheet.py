"""The sheet being validated.

Its data rows, their spreadsheet row numbers, header roles, the caller's options, the issues found so far and the
checked values (``out``, one column per frame column).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.distinct import factorize, tidy_cells
from shunde_workbook.data.ledger.reading import HeaderRoles
from shunde_workbook.data.ledger.report import Collector


@dataclass
class Sheet:
    """Shared state of one validation; each check reads cells with :meth:`get` and writes ``out``.

    Row numbers are those a spreadsheet user sees (the body's index); the header is on ``header_row``.
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
    _stripped: dict[str, tuple] = field(default_factory=dict, repr=False)  # role -> (cells, their distinct)
    _distinct: dict[int, tuple] = field(default_factory=dict, repr=False)  # body column -> (codes, values)
    name: str = ""  # sheet name ("" for CSV)
    header_row: int = 1
    header_depth: int = 1  # rows the header takes (2 for a group header merged over sub-headers)

    @classmethod
    def from_table(
        cls,
        file: str,
        table: pd.DataFrame,
        unit: str | None,
        provenance: str | None,
        header_row: int | None = None,
        name: str = "",
        depth: int = 1,
    ) -> Sheet:
        """Split a read table at ``header_row`` into headers and the non-blank data rows below.

        The table's index holds spreadsheet row numbers; ``header_row`` defaults to its first row.  With ``depth``
        2 the header is two rows: a group header ('Period', merged over two columns) above its sub-headers
        ('From', 'To'), read as 'Period From', 'Period To'.
        """
        if len(table) and table.index[0] == 0:  # a plain frame: row 0 is spreadsheet row 1
            table = table.set_axis(table.index + 1)
        header_row = int(table.index[0]) if header_row is None else header_row
        headers = [str(h) for h in table.loc[header_row].tolist()]
        if depth == 2 and header_row + 1 in table.index:
            headers = _two_row_headers(headers, [str(h) for h in table.loc[header_row + 1].tolist()])
        body = table.loc[table.index > header_row + depth - 1]
        if len(body):
            body = body[~_blank_rows(body)]
        rownum = pd.Series(body.index.to_numpy(), index=body.index)
        issues = Collector(file, rownum, name, header_row)
        out = pd.DataFrame(index=body.index)
        sheet = cls(file, headers, body, rownum, issues, unit, provenance, out=out, name=name, header_row=header_row)
        sheet.header_depth = depth
        return sheet

    def drop_rows(self, mask: pd.Series) -> None:
        """Leave out the rows where mask is True (before any check has run)."""
        keep = ~mask.reindex(self.body.index, fill_value=False).astype(bool)
        self.body = self.body[keep]
        self.rownum = self.rownum[keep]
        self.out = self.out[keep]
        self.issues.rownum = self.rownum
        self.issues.bad = self.issues.bad[keep]
        self._stripped = {}
        rows = keep.to_numpy()
        self._distinct = {c: (codes[rows], values) for c, (codes, values) in self._distinct.items()}

    def body_changed(self) -> None:
        """Forget what was computed from the body's cells (call after changing cells in place)."""
        self._stripped, self._distinct = {}, {}

    def distinct(self, column: int) -> tuple:
        """(codes, values) of body column ``column`` (see :func:`~.distinct.factorize`), computed once.

        After rows are left out, ``values`` may hold some no row has any more.
        """
        if column not in self._distinct:
            self._distinct[column] = factorize(self.body[column])
        return self._distinct[column]

    def add_column(self, role: str, header: str, values: pd.Series) -> None:
        """A column the file does not have (e.g. the year from the sheet name), under ``role``."""
        pos = max([*self.body.columns, -1]) + 1 if len(self.body.columns) else len(self.headers)
        pos = max(pos, len(self.headers))
        self.body = self.body.assign(**{"__tmp": values.reindex(self.body.index).astype(object)})
        self.body = self.body.rename(columns={"__tmp": pos})
        self.headers.append(header)
        self.roles.column[role] = pos
        self.roles.names[role] = header
        self._stripped.pop(role, None)
        self._distinct.pop(pos, None)

    @property
    def index(self) -> pd.Index:
        """The data rows' index (their spreadsheet row numbers)."""
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
            half = role in ("identifier", "recipient_id", "town_code", "village_code", "location_code")
            column = self.roles.column[role]
            cells = self.body[column]
            self._stripped[role] = tidy_cells(cells, self.issues, self.roles.names[role], half, self.distinct(column))
        return self._stripped[role][0]

    def distinct_of(self, role: str) -> tuple | None:
        """(codes, distinct values) of :meth:`get`'s cells of ``role``, for :func:`~.distinct.map_unique`."""
        return self._stripped[role][1] if self.get(role) is not None else None

    def nothing(self) -> pd.Series:
        """An all-None object column (a value no check could give)."""
        return pd.Series(None, index=self.index, dtype=object)


def _blank_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is "": each column is compared only on the rows still blank so far."""
    blank = np.ones(len(body), dtype=bool)
    for c in range(body.shape[1]):
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = body.iloc[rows, c].to_numpy(dtype=object) == ""
    return blank


def _two_row_headers(top: list[str], sub: list[str]) -> list[str]:
    """Group headers carried right over their blank (merged) cells, joined with the sub-header below."""
    out, group = [], ""
    for t, b in zip(top, sub, strict=False):
        t, b = t.strip(), b.strip()
        if t:
            group = t
        if not b:
            out.append(t)
        else:
            out.append(f"{group} {b}".strip() if group and group != b else b)
        if not t and not b:
            group = ""
    return out
