"""Sections of the validation page: how the columns were read, and the fixes grouped by kind and column.

Each grouped fix is one table row with its count and an example; its rows open with ``<details>`` (no script).
"""

from __future__ import annotations

import html

from shunde_workbook.data.ledger.messages import catalogue, localise
from shunde_workbook.data.ledger.report import ValidationReport, shorten

#: Rows listed inside one expandable fix (the count says how many there are in all).
MAX_LISTED = 500

CSS = """
ul.columns li{margin:.15em 0}
details summary{cursor:pointer;color:#1565c0}
details table{margin-top:.3em;font-size:.85em;width:auto}
td.num{text-align:right}
tr.error td:nth-child(4),tr.warning td:nth-child(4){min-width:4.5em}
"""


def _t(lang: str) -> dict[str, str]:
    return {k[5:]: v for k, v in catalogue(lang).items() if k.startswith("html.")}


def columns_section(report: ValidationReport, lang: str) -> str:
    """The header rows used and each header's reading (the guessed and given mapping), as a list."""
    lines = report.column_lines()
    if not lines:
        return ""
    t, e = _t(lang), html.escape
    items = "".join(f"<li>{e(shorten(localise(x, lang), 400))}</li>" for x in lines)
    return f'<h2>{e(t["columns"])}</h2><p>{e(t["columns_note"])}</p><ul class="columns">{items}</ul>'


def fixes_section(report: ValidationReport, lang: str) -> str:
    """One row per fix: sheet, column, example, count, why; the rows of a grouped fix listed in a <details>."""
    if not report.fixes:
        return ""
    t, e = _t(lang), html.escape
    head = ("sheet", "column", "example", "fix_count", "why")
    parts = [f"<h2>{e(t['fixed'])}</h2><table><tr>", "".join(f"<th>{e(t[h])}</th>" for h in head), "</tr>"]
    for f in report.fixes:
        example = f"{shorten(f.original)} → {shorten(f.normalised)}" if f.original or f.normalised else ""
        if f.examples:
            example = f"{t['row']} {f.examples[0][0]}: {example}"
        cells = [e(f.sheet), e(str(localise(f.column, lang))), e(example), str(len(f.rows))]
        why = e(str(localise(f.message, lang)))
        rows = _row_list(f, t) if f.examples and len(f.rows) > 1 else e(_short_rows(f.rows))
        parts.append(
            '<tr class="fix"><td>'
            + "</td><td>".join(cells[:3])
            + f'</td><td class="num">{cells[3]}</td><td>{why}{rows}</td></tr>'
        )
    parts.append("</table>")
    return "".join(parts)


def _short_rows(rows: tuple[int, ...]) -> str:
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:12]) + (" …" if len(rows) > 12 else "")
    return f" ({shown})"


def _row_list(fix, t: dict[str, str]) -> str:
    e = html.escape
    body = "".join(
        f"<tr><td>{r}</td><td>{e(shorten(o))}</td><td>{e(shorten(n))}</td></tr>"
        for r, o, n in fix.examples[:MAX_LISTED]
    )
    more = f"<p>… {len(fix.examples) - MAX_LISTED}</p>" if len(fix.examples) > MAX_LISTED else ""
    head = f"<tr><th>{e(t['row'])}</th><th>{e(t['original'])}</th><th>{e(t['normalised'])}</th></tr>"
    return f"<details><summary>{e(t['show_rows'])}</summary><table>{head}{body}</table>{more}</details>"
