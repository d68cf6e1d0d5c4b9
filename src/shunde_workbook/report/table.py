"""A table as data: machine column names, each with a label key and a unit; words only when it is shown.

A :class:`Table` travels from the package to :meth:`Report.table <shunde_workbook.report.presenter.Report.table>`
with the names the CSV export and the results store use (``amount_10k_cny``, ``town_code``), identical in
every language by construction.  Only :meth:`Table.display` (the HTML page and the XLSX file) turns them into
the reader's language, through the catalogue: nothing is ever translated back.

>>> t = Table(pd.DataFrame({"amount_10k_cny": [1.5]}), {"amount_10k_cny": Col("columns.amount", unit="万元")})
>>> list(t.display("en").columns)
['Amount granted (CNY 10,000)']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from shunde_workbook.narrative.text import has, tr, unit_label

#: The one units table: a unit as the data writes it → the suffix of a machine column name.
UNITS = {"万元": "10k_cny", "元": "cny", "元/人": "cny_per_resident", "%": "pct", "个百分点": "pp"}


def with_unit(name: str, unit: str) -> str:
    """The machine name of a column holding ``name`` in ``unit`` (``amount``, ``万元`` → ``amount_10k_cny``)."""
    return f"{name}_{UNITS[unit]}" if unit in UNITS else name


@dataclass(frozen=True)
class Col:
    """How one machine column is shown.

    Parameters
    ----------
    label : catalogue key of the header; a ``{unit}`` placeholder takes the unit, else it follows in brackets.
    unit : the unit of the numbers ("万元", "元"), shown in the reader's language ("" for none).
    values : how a text cell is shown: a catalogue prefix (``"metric"`` shows ``metric.<value>`` where the
        catalogue has it) or a function ``(value, lang) -> str``; None shows the value as it is.
    decimals : digits shown (numbers; default 0, or 1 for a percentage).
    percent : the column holds 0..1 shares, shown as percentages.
    args : values of the label's other placeholders.
    row : ``values`` is a function ``(row, lang) -> str`` of the whole row (a dict of machine names), for a
        cell whose words need other cells of its row.
    """

    label: str
    unit: str = ""
    values: str | Callable | None = None
    decimals: int | None = None
    percent: bool = False
    args: dict = field(default_factory=dict)
    row: bool = False

    def header(self, lang: str) -> str:
        """The column's header in ``lang``."""
        unit = unit_label(self.unit, lang) if self.unit in ("元", "万元") else self.unit
        if "{unit}" in tr(self.label, lang):
            return tr(self.label, lang, unit=unit, **self.args)
        text = tr(self.label, lang, **self.args) if self.args else tr(self.label, lang)
        return f"{text} ({unit})" if unit else text

    def cell(self, value, lang: str):
        """A cell as the reader sees it (numbers and missing values untouched)."""
        if self.values is None or not isinstance(value, str):
            return value
        if callable(self.values):
            return self.values(value, lang)
        key = f"{self.values}.{value}"
        return tr(key, lang) if has(key, lang) else value


@dataclass
class Table:
    """A table with machine column names and how to show them.

    Parameters
    ----------
    frame : the data; its column names are the machine names (CSV, results store).
    columns : how each shown column is shown; a column without an entry is exported but not shown
        (e.g. ``town_code`` beside the town's name).
    """

    frame: pd.DataFrame
    columns: dict[str, Col]

    @classmethod
    def plain(cls, df: pd.DataFrame) -> Table:
        """A table shown with its own column names (a student's quick table)."""
        return cls(df, {})

    def shown(self) -> list[str]:
        """The machine names of the columns a reader sees, in order."""
        if not self.columns:
            return list(self.frame.columns)
        return [c for c in self.frame.columns if c in self.columns]

    def headers(self, lang: str) -> dict[str, str]:
        """{machine name: header in ``lang``} of the shown columns."""
        return {c: self.columns[c].header(lang) if c in self.columns else str(c) for c in self.shown()}

    def display(self, lang: str) -> pd.DataFrame:
        """The shown columns with their cells and headers in ``lang`` (numbers untouched)."""
        out = self.frame[self.shown()].copy()
        for c, spec in self.columns.items():
            if c in out.columns and spec.row:
                out[c] = [spec.values(r, lang) for r in self.frame.to_dict("records")]
            elif c in out.columns and spec.values is not None:
                out[c] = out[c].map(lambda v, s=spec: s.cell(v, lang))
        headers = self.headers(lang)
        out.columns = [headers[c] for c in out.columns]
        return out

    def percent(self) -> tuple[str, ...]:
        """Machine names of the columns holding 0..1 shares."""
        return tuple(c for c, s in self.columns.items() if s.percent)

    def decimals(self) -> dict[str, int]:
        """{machine name: digits} of the columns with a set number of digits."""
        return {c: s.decimals for c, s in self.columns.items() if s.decimals is not None}
