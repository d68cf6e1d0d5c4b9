"""Outputs of a validation for the people who fix the data: the clean ledger and a printable HTML report.

    write_clean(report, "clean.csv")          # the accepted rows in the on-disk schema (run --set ledger_path=…)
    write_html(report, "report.html", "zh")   # self-contained, offline, everything from the file escaped

The texts, headings and problem messages alike, come from the validator's catalogue (``messages/<lang>.yaml``).
"""

from __future__ import annotations

import html
import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd

from shunde_workbook.data.ledger.columns import with_passthrough
from shunde_workbook.data.ledger.html_parts import CSS as _PARTS_CSS
from shunde_workbook.data.ledger.html_parts import columns_section, fixes_section
from shunde_workbook.data.ledger.messages import catalogue, localise
from shunde_workbook.data.ledger.report import ValidationReport, shorten

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee;white-space:nowrap}
td.kind,td:nth-child(2),td:nth-child(3){white-space:nowrap}
.error td.kind{color:#b00020;font-weight:bold}.warning td.kind{color:#8a6d00}
.verdict{padding:.6em;border-left:6px solid #2e7d32;background:#f1f8e9}
.verdict.bad{border-color:#b00020;background:#fdecea}
@media print{body{margin:0}tr{page-break-inside:avoid}}
"""
_CSS += _PARTS_CSS


#: Text a spreadsheet reads as a formula (the report tables' rule, ``report.exports.FORMULA_START``).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula_safe(value: object) -> object:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def write_clean(report: ValidationReport, path: str | Path) -> Path:
    """Write the accepted rows as a UTF-8 CSV in the on-disk schema (the columns of ``data/README.md``).

    Text that a spreadsheet would run as a formula (``=1+1``) is written with a leading ``'``, as in the
    report tables.  The file is replaced atomically.
    """
    from shunde_workbook.data.simulate import to_disk_frame

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = with_passthrough(to_disk_frame(report.frame), report)  # the unused 360Giving columns, as read
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(_formula_safe)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def partial_note(path: str | Path) -> Path:
    """The provenance note written beside a partial clean ledger (``clean.csv`` → ``clean.csv.partial.json``)."""
    path = Path(path)
    return path.with_name(path.name + ".partial.json")


def read_partial(path: str | Path) -> dict | None:
    """The partial-ledger note of ``path`` (rows left out and why), or None for a complete ledger."""
    try:
        note = json.loads(partial_note(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) and isinstance(note.get("left_out"), int) else None


def write_validated(report: ValidationReport, path: str | Path, partial: bool = False) -> tuple[str, int]:
    """``validate --out``: write the clean ledger only when it is the whole story; return (outcome, exit code).

    * no error and accepted rows: written (exit 0);
    * errors remain: nothing written unless ``partial`` (exit 1); with ``partial`` the accepted rows are
      written and a note beside them (:func:`partial_note`) records how many rows were left out (exit 1);
    * no accepted row: nothing written (exit 1).

    Whenever nothing new is written, an older file at ``path`` is removed, so ``validate && run`` can never
    use stale rows; the outcome says which: ``written``, ``partial``, ``refused_errors``, ``no_rows``, with
    ``+removed`` when an older file was removed.
    """
    path = Path(path)
    note = partial_note(path)
    if report.n_accepted and (report.ok or partial):
        write_clean(report, path)
        if report.ok:
            note.unlink(missing_ok=True)
            return "written", 0
        info = {
            "partial": True,
            "source": str(report.path),
            "rows": report.n_rows,
            "accepted": report.n_accepted,
            "left_out": report.n_rejected,
            "errors": len(report.errors),
            "written": datetime.now().isoformat(timespec="seconds"),
        }
        note.write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        return "partial", 1
    outcome = "no_rows" if not report.n_accepted else "refused_errors"
    removed = path.is_file() or path.is_symlink()
    path.unlink(missing_ok=True)
    note.unlink(missing_ok=True)
    return outcome + ("+removed" if removed else ""), 1


def render_html(report: ValidationReport, language: str = "zh") -> str:
    """The validation report as one self-contained HTML page (no scripts, no outside resources)."""
    lang = "en" if language == "en" else "zh"
    t = {k[5:]: v for k, v in catalogue(lang).items() if k.startswith("html.")}
    e = html.escape
    rejected = report.n_rejected
    counts = [
        (t["rows"], report.n_rows),
        (t["accepted"], report.n_accepted),
        (t["rejected"], rejected),
        (t["errors"], len(report.errors)),
        (t["warnings"], len(report.warnings)),
        (t["fixes"], len(report.fixes)),
    ]
    parts = [
        f'<!DOCTYPE html>\n<html lang="{"en" if language == "en" else "zh-CN"}"><head><meta charset="utf-8">',
        f"<title>{e(t['title'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(t['title'])}</h1>",
        f"<p>{e(t['file'])}<code>{e(shorten(report.path, 200))}</code> · {e(t['checked'])}"
        f"{datetime.now():%Y-%m-%d %H:%M}</p>",
        f'<p class="verdict{"" if report.ok else " bad"}">{e(t["ok"] if report.ok else t["not_ok"])}</p>',
        f"<h2>{e(t['summary'])}</h2><table><tr>",
        "".join(f"<th>{e(k)}</th>" for k, _ in counts),
        "</tr><tr>",
        "".join(f"<td>{v}</td>" for _, v in counts),
        "</tr></table>",
    ]
    parts.append(columns_section(report, lang))
    if report.sheets:
        parts.append(f"<h2>{e(t['sheets'])}</h2><ul>")
        parts += [f"<li>{e(shorten(localise(s, lang), 200))}</li>" for s in report.sheets]
        parts.append("</ul>")
    parts.append(f"<h2>{e(t['problems'])}</h2>")
    issues = [("error", i) for i in report.errors] + [("warning", i) for i in report.warnings]
    if not issues:
        parts.append(f"<p>{e(t['none'])}</p>")
    else:
        head = ("kind", "sheet", "row", "column", "value", "what", "todo")
        parts.append("<table><tr>" + "".join(f"<th>{e(t[h])}</th>" for h in head) + "</tr>")
        for kind, i in issues:
            # the suggestion goes in "what to do", or next to the problem when that column says something else
            what = localise(i.message, lang) + (
                f"（{t['did_you_mean']} “{i.suggestion}”）" if i.suggestion and i.todo else ""
            )
            todo = localise(i.todo, lang) or (f"{t['did_you_mean']} “{i.suggestion}”" if i.suggestion else t["fix_row"])
            whole_column = not i.column or i.value == i.column  # no cell: the message says what to add or map
            if whole_column and not i.suggestion and not i.todo:
                todo = ""
            column = localise(i.column, lang)
            value = "" if whole_column else shorten(i.value)
            cells = (t[kind], i.sheet, i.row or "", column, value, shorten(what, 400), shorten(todo, 300))
            parts.append(
                f'<tr class="{kind}"><td class="kind">' + "</td><td>".join(e(str(c)) for c in cells) + "</td></tr>"
            )
        parts.append("</table>")
    parts.append(fixes_section(report, lang))
    parts.append("</body></html>\n")
    return "".join(parts)


def write_html(report: ValidationReport, path: str | Path, language: str = "zh") -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, language), encoding="utf-8")
    return path
