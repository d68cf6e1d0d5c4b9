"""HTML pieces shared by the report pages: escaping, link cells and readable tables (with cell flags)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd


def esc(value) -> str:
    """HTML-escape any value for a report."""
    return html.escape("" if value is None else str(value), quote=True)


def short_link(url: str) -> str:
    """A URL cell as a link labelled with its host, so long addresses do not widen tables."""
    from urllib.parse import unquote, urlparse

    address, _, rest = url.partition(" ")
    host = urlparse(address).netloc or address
    return f'<a href="{esc(address)}" title="{esc(unquote(address))}">{esc(host)}</a>' + (
        f" {esc(rest)}" if rest else ""
    )


def flags_legend(flags: dict, lang: str) -> str:
    """The legend of the cell flags used in ``flags`` (empty when none is used)."""
    from shunde_workbook.report.evidence_legend import FLAGS, flags_legend_html

    used = {ch for col in flags.values() for f in col for ch in str(f or "")}
    return flags_legend_html(lang, [f for f in FLAGS if f in used]) if used else ""


def table_html(df: pd.DataFrame, decimals: dict, percent: tuple = (), flags: dict | None = None) -> str:
    """HTML table with escaped text, thousands separators and right-aligned numbers (and cell ``flags``)."""
    flags = {c: list(v) for c, v in (flags or {}).items()}
    head = "".join(
        f'<th class="{"num" if pd.api.types.is_numeric_dtype(df[c]) else ""}">{esc(c)}</th>' for c in df.columns
    )
    rows = []
    for i, (_, row) in enumerate(df.iterrows()):
        cells = []
        for c in df.columns:
            flag = flags[c][i] if c in flags and i < len(flags[c]) else ""
            mark = f' <sup class="sw-flag">{esc(flag)}</sup>' if flag else ""
            v = row[c]
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                if pd.isna(v):
                    text = "—"
                elif c in percent:
                    text = f"{v * 100:,.{decimals.get(c, 1)}f}%"
                else:
                    text = f"{v:,.{decimals.get(c, 0)}f}"
                cells.append(f'<td class="num">{text}{mark}</td>')
            elif isinstance(v, str) and v.startswith(("http://", "https://")):
                cells.append(f"<td>{short_link(v)}</td>")
            else:
                cells.append(f"<td>{esc('—' if v is None or (isinstance(v, float) and pd.isna(v)) else v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="sw-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
