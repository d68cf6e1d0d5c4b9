"""What validation reports: one :class:`Issue` per bad cell, one :class:`Fix` per automatic correction.

:class:`Collector` gathers them while the checks run and remembers which rows are bad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.messages import Msg, localise, row_list

#: Issues of one kind (column and message) listed before the rest are only counted.
MAX_PER_KIND = 20

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def shorten(text: object, limit: int = 80) -> str:
    r"""Text safe to echo: control and invisible characters shown as \\uXXXX, cut to ``limit`` characters."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + f"… ({len(s)} characters)"
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


@dataclass(frozen=True)
class Issue:
    """One problem in one cell.

    ``row`` is the spreadsheet row (column problems use the header's row; a file that cannot be read uses row 0),
    ``sheet`` the sheet name ("" for CSV) and ``todo`` what to do, when that is not obvious.  ``message`` and
    ``todo`` are :class:`~shunde_workbook.data.ledger.messages.Msg` strings: English, or ``format("zh")``.
    """

    file: str
    row: int
    column: str
    value: str
    message: str
    suggestion: str | None = None
    sheet: str = ""
    todo: str | None = None

    @property
    def where(self) -> str:
        """'file', 'file:row' or 'file[sheet]:row'."""
        sheet = f"[{self.sheet}]" if self.sheet else ""
        return f"{self.file}{sheet}:{self.row}" if self.row else f"{self.file}{sheet}"

    def format(self, lang: str = "en") -> str:
        """One line in ``lang``: where, column, value, message, suggestion and what to do."""
        message, column = localise(self.message, lang), localise(self.column, lang)
        if not self.column:
            text = Msg("format.file", where=self.where, message=message).text(lang)
        elif self.value == self.column:  # a problem of the column itself, not of a value in it
            text = Msg("format.column", where=self.where, column=column, message=message).text(lang)
        else:
            value = shorten(self.value)
            text = Msg("format.cell", where=self.where, column=column, value=value, message=message).text(lang)
        if self.suggestion not in (None, ""):
            text += Msg("format.did_you_mean", suggestion=shorten(self.suggestion)).text(lang)
        if self.todo:
            text += Msg("format.todo", todo=localise(self.todo, lang)).text(lang)
        return text

    __str__ = format


@dataclass(frozen=True)
class Fix:
    """An automatic correction applied to the in-memory rows (never to the file); ``message`` is a Msg."""

    file: str
    column: str
    original: str
    normalised: str
    rows: tuple[int, ...]
    message: str
    sheet: str = ""
    examples: tuple[tuple[int, str, str], ...] = ()  # (row, original, now) of each row, for a grouped fix

    @property
    def grouped(self) -> bool:
        """Whether this fix stands for several different values (one line per kind and column)."""
        return len({(o, n) for _, o, n in self.examples}) > 1

    def format(self, lang: str = "en") -> str:
        """One line in ``lang``: where, column, original → normalised, why, and the rows."""
        if self.grouped:
            row, o, n = self.examples[0]
            params = {"where": f"{self.file}{f'[{self.sheet}]' if self.sheet else ''}", "column": self.column}
            example = f"'{shorten(o)}' → '{shorten(n)}'"
            msg = Msg("fix.grouped", **params, message=self.message, n=len(self.rows), row=row, example=example)
            return msg.text(lang)
        shown = ", ".join(str(r) for r in self.rows[:8]) + (", …" if len(self.rows) > 8 else "")
        what = f"'{shorten(self.original)}' → '{shorten(self.normalised)}'" if self.original or self.normalised else ""
        sheet = f"[{self.sheet}]" if self.sheet else ""
        params = {"where": f"{self.file}{sheet}", "column": localise(self.column, lang), "what": what}
        text = Msg("format.fix", **params, message=self.message, n=len(self.rows), rows=shown).text(lang)
        return text.replace("  ", " ")

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
    sheets: list[str] = field(default_factory=list)  # what was read or skipped, one line per sheet
    columns: list[list[str]] = field(default_factory=list)  # per sheet read: how its header and columns were read
    mapping: object = None  # the Mapping given (or found beside the file), or None
    roles: list[dict[str, str]] = field(default_factory=list)  # per sheet read: role -> header as written
    passthrough: pd.DataFrame | None = None  # accepted rows' 360Giving columns not used (row order of frame)
    options: dict = field(default_factory=dict)  # unit, provenance and rates as used

    def without_rows(self) -> ValidationReport:
        """The report with no columns in ``frame`` (its row count stays) and no ``passthrough``."""
        return replace(self, frame=self.frame.iloc[:, :0], passthrough=None)

    @property
    def ok(self) -> bool:
        """No errors."""
        return not self.errors

    @property
    def n_accepted(self) -> int:
        """Rows accepted (in ``frame``)."""
        return len(self.frame)

    @property
    def rejected_rows(self) -> list[int]:
        """Data rows named by an error."""
        return sorted({e.row for e in self.errors if e.row > 1})

    @property
    def n_rejected(self) -> int:
        """Data rows left out."""
        return max(self.n_rows - self.n_accepted, 0) if self.n_rows else len(self.rejected_rows)

    def summary(self, lang: str = "en") -> str:
        """One line of counts, in ``lang``."""
        counts = {"rows": self.n_rows, "accepted": self.n_accepted, "rejected": self.n_rejected}
        counts.update(errors=len(self.errors), warnings=len(self.warnings), fixes=len(self.fixes))
        return Msg("format.summary", path=self.path, **counts, encoding=self.encoding).text(lang)

    def format(self, lang: str = "en") -> str:
        """Everything in ``lang``, one line each: columns as read, sheets, fixes, warnings, errors, then the summary."""
        lines = [Msg("format.column_line", line=c).text(lang) for c in self.column_lines()]
        lines += [Msg("format.sheet_line", line=s).text(lang) for s in self.sheets]
        lines += [Msg("format.fixed_line", line=f.format(lang)).text(lang) for f in self.fixes]
        lines += [Msg("format.warning_line", line=w.format(lang)).text(lang) for w in self.warnings]
        lines += [e.format(lang) for e in self.errors]
        lines.append(self.summary(lang))
        return "\n".join(lines)

    def column_lines(self) -> list[str]:
        """How the columns were read (the guessed and given mapping), the mapping file first when there is one."""
        lines = [Msg("columns.mapping_from", source=self.mapping.source)] if getattr(self.mapping, "source", "") else []
        for sheet_lines in self.columns:
            lines += sheet_lines
        return lines


class Collector:
    """Issues and fixes found so far, and which rows carry an error (``bad``).

    Parameters
    ----------
    file : str
        File name shown in every issue.
    rownum : pandas.Series
        Spreadsheet row number of each data row (header = row 1).
    """

    def __init__(self, file: str, rownum: pd.Series, sheet: str = "", header_row: int = 1):
        self.file = file
        self.rownum = rownum
        self.sheet = sheet
        self.header_row = header_row
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.fixes: list[Fix] = []
        self.bad = pd.Series(False, index=rownum.index)
        self.kinds: dict[tuple[bool, str, str], list] = {}  # (warning, column, message) -> [listed, suppressed, first]

    def add(self, issue: Issue, warning: bool = False) -> None:
        """Add one issue, or only count it when MAX_PER_KIND of its kind are listed."""
        seen = self.kinds.setdefault((warning, issue.column, issue.message), [0, 0, 0])
        if seen[0] >= MAX_PER_KIND:
            seen[1] += 1
            seen[2] = seen[2] or issue.row
            return
        seen[0] += 1
        (self.warnings if warning else self.errors).append(issue)

    def close(self) -> None:
        """One issue per kind that had more than MAX_PER_KIND, saying how many were not listed."""
        for (warning, column, message), (_, suppressed, row) in self.kinds.items():
            if suppressed:
                text = Msg("list.more_rows", n=suppressed, message=message)
                issue = Issue(self.file, row, column, "", text, sheet=self.sheet)
                (self.warnings if warning else self.errors).append(issue)
        self.kinds = {}

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
        for i, m, sg in zip(idx, msgs, sugg, strict=False):
            sg = None if sg is None or (isinstance(sg, float) and np.isnan(sg)) else str(sg)
            m = m if isinstance(m, str) else str(m)  # a Msg stays a Msg
            issue = Issue(self.file, int(self.rownum[i]), column, str(values[i]), m, sg, self.sheet)
            self.add(issue, warning)
        if not warning:
            self.bad |= mask

    def header(self, column: str, message: str, suggestion: str | None = None, warning: bool = False) -> None:
        """Add a file-level Issue about a column (on the header's row)."""
        issue = Issue(self.file, self.header_row, column, column, message, suggestion, self.sheet)
        (self.warnings if warning else self.errors).append(issue)

    def row_issue(self, row: int, column: str, value: str, message: str, todo: str | None = None) -> None:
        """Add an error about one spreadsheet row (not necessarily a data row)."""
        self.errors.append(Issue(self.file, row, column, value, message, None, self.sheet, todo))

    def fix_groups(
        self, mask: pd.Series, column: str, original: pd.Series, normalised: pd.Series, message: str
    ) -> None:
        """Add one Fix for the rows where mask is True: one line per kind of fix and column, with its examples."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = [int(r) for r in self.rownum[mask]]
        o, n = original[mask].astype(str).tolist(), normalised[mask].astype(str).tolist()
        examples = tuple(zip(rows, o, n, strict=True))
        self.fixes.append(Fix(self.file, column, o[0], n[0], tuple(rows), message, self.sheet, examples))

    def per_value(self, mask: pd.Series, column: str, values: pd.Series, message, suggestion=None, todo=None) -> None:
        """One error per distinct value among the rows where mask is True, naming its rows; each such row is bad.

        ``message(value, n, rows)`` builds the message; ``suggestion(value)`` may give a suggestion or None.
        """
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        for value, rows in self.rownum[mask].groupby(values[mask], sort=False):
            listed = rows.astype(int).tolist()
            sugg = suggestion(value) if suggestion else None
            text = message(value, len(listed), row_list(listed, 10))
            what = todo(value) if todo else None
            self.errors.append(Issue(self.file, listed[0], column, str(value), text, sugg, self.sheet, what))
        self.bad |= mask
