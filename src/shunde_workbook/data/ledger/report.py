"""What validation reports: one :class:`Issue` per bad cell, one :class:`Fix` per automatic correction.

:class:`Collector` gathers them while the checks run and remembers which rows are bad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (row 1 = header; file-level problems use row 1 and the header)."""

    file: str
    row: int
    column: str
    value: str
    message: str
    suggestion: str | None = None

    def format(self) -> str:
        text = f"{self.file}:{self.row}: column '{self.column}': bad value '{self.value}' — {self.message}"
        if self.suggestion not in (None, ""):
            text += f"; did you mean '{self.suggestion}'?"
        return text

    __str__ = format


@dataclass(frozen=True)
class Fix:
    """An automatic correction applied to the in-memory rows (never to the file)."""

    file: str
    column: str
    original: str
    normalised: str
    rows: tuple[int, ...]
    message: str

    def format(self) -> str:
        shown = ", ".join(str(r) for r in self.rows[:8]) + (", …" if len(self.rows) > 8 else "")
        what = f"'{self.original}' → '{self.normalised}'" if self.original or self.normalised else ""
        return f"{self.file}: column '{self.column}': {what} {self.message} ({len(self.rows)} row(s): {shown})".replace(
            "  ", " "
        )

    __str__ = format


@dataclass
class ValidationReport:
    """Everything one validation found: accepted rows (``frame``), errors, warnings and fixes."""

    path: str
    encoding: str | None
    frame: pd.DataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    header_map: dict[str, str] = field(default_factory=dict)  # role -> header as written
    n_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def n_accepted(self) -> int:
        return len(self.frame)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row > 1})

    def summary(self) -> str:
        return (
            f"{self.path}: {self.n_rows} data row(s), {self.n_accepted} accepted, "
            f"{len(self.rejected_rows)} rejected; {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s), {len(self.fixes)} fix(es); encoding {self.encoding}"
        )

    def format(self) -> str:
        lines = [f"fixed: {f.format()}" for f in self.fixes]
        lines += [f"warning: {w.format()}" for w in self.warnings]
        lines += [e.format() for e in self.errors]
        lines.append(self.summary())
        return "\n".join(lines)


class Collector:
    """Issues and fixes found so far, and which rows carry an error (``bad``).

    Parameters
    ----------
    file : str
        File name shown in every issue.
    rownum : pandas.Series
        Spreadsheet row number of each data row (header = row 1).
    """

    def __init__(self, file: str, rownum: pd.Series):
        self.file = file
        self.rownum = rownum
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.fixes: list[Fix] = []
        self.bad = pd.Series(False, index=rownum.index)

    def cells(
        self,
        mask: pd.Series,
        column: str,
        values: pd.Series,
        message: object,
        suggestion: object = None,
        warning: bool = False,
    ) -> None:
        """Add an Issue for each row where mask is True. message/suggestion may be scalars or Series."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        idx = mask[mask].index
        msgs = message.loc[idx] if isinstance(message, pd.Series) else [message] * len(idx)
        sugg = suggestion.loc[idx] if isinstance(suggestion, pd.Series) else [suggestion] * len(idx)
        target = self.warnings if warning else self.errors
        for i, m, sg in zip(idx, msgs, sugg, strict=False):
            sg = None if sg is None or (isinstance(sg, float) and np.isnan(sg)) else str(sg)
            target.append(Issue(self.file, int(self.rownum[i]), column, str(values[i]), str(m), sg))
        if not warning:
            self.bad |= mask

    def header(self, column: str, message: str, suggestion: str | None = None, warning: bool = False) -> None:
        """Add a file-level Issue about a column (row 1, the header)."""
        issue = Issue(self.file, 1, column, column, message, suggestion)
        (self.warnings if warning else self.errors).append(issue)

    def fix_groups(
        self, mask: pd.Series, column: str, original: pd.Series, normalised: pd.Series, message: str
    ) -> None:
        """Add one Fix per distinct (original, normalised) pair among the rows where mask is True."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        sub = pd.DataFrame({"o": original[mask].astype(str), "n": normalised[mask].astype(str), "r": self.rownum[mask]})
        for (o, n), g in sub.groupby(["o", "n"], sort=True):
            self.fixes.append(Fix(self.file, column, o, n, tuple(int(r) for r in g["r"]), message))
