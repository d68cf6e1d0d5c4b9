"""Outputs of a validation for the people who fix the data: the clean ledger and a printable HTML report.

    write_clean(report, "clean.csv")          # the accepted rows in the on-disk schema (run --set ledger_path=…)
    write_html(report, "report.html", "zh")   # self-contained, offline, everything from the file escaped

The HTML texts live here in both languages because the data stage sits below the narrative catalogue.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from shunde_workbook.data.ledger.report import ValidationReport, shorten

TEXT = {
    "zh": {
        "title": "资助台账校验报告",
        "file": "文件",
        "checked": "校验时间",
        "summary": "概要",
        "rows": "数据行",
        "accepted": "通过",
        "rejected": "未通过",
        "errors": "错误",
        "warnings": "提醒",
        "fixes": "自动修正",
        "sheets": "工作表",
        "problems": "问题清单",
        "sheet": "工作表",
        "row": "行",
        "column": "列",
        "value": "单元格内容",
        "what": "问题",
        "todo": "怎么改",
        "kind": "类别",
        "error": "错误",
        "warning": "提醒",
        "none": "没有发现问题。",
        "fixed": "已自动修正（只改内存中的数据，原文件不变）",
        "original": "原值",
        "normalised": "改为",
        "rows_col": "行号",
        "why": "说明",
        "did_you_mean": "是否应为",
        "ok": "台账可以使用：没有错误。",
        "not_ok": "台账有错误：改正后请重新校验。有错误的行不会进入分析。",
        "fix_row": "按“问题”一栏改正该单元格",
    },
    "en": {
        "title": "Grant ledger validation report",
        "file": "File",
        "checked": "Checked",
        "summary": "Summary",
        "rows": "Data rows",
        "accepted": "Accepted",
        "rejected": "Rejected",
        "errors": "Errors",
        "warnings": "Warnings",
        "fixes": "Fixes applied",
        "sheets": "Sheets",
        "problems": "Problems",
        "sheet": "Sheet",
        "row": "Row",
        "column": "Column",
        "value": "Value",
        "what": "What is wrong",
        "todo": "What to do",
        "kind": "Kind",
        "error": "error",
        "warning": "warning",
        "none": "No problems found.",
        "fixed": "Fixes applied (to the data in memory only; the file is unchanged)",
        "original": "Original",
        "normalised": "Now",
        "rows_col": "Rows",
        "why": "Why",
        "did_you_mean": "did you mean",
        "ok": "The ledger can be used: no errors.",
        "not_ok": (
            "The ledger has errors: correct them and validate again. Rows with errors are left out of the analysis."
        ),
        "fix_row": "correct the cell as described",
    },
}

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee}
td.kind,td:nth-child(2),td:nth-child(3){white-space:nowrap}
.error td.kind{color:#b00020;font-weight:bold}.warning td.kind{color:#8a6d00}
.verdict{padding:.6em;border-left:6px solid #2e7d32;background:#f1f8e9}
.verdict.bad{border-color:#b00020;background:#fdecea}
@media print{body{margin:0}tr{page-break-inside:avoid}}
"""


def write_clean(report: ValidationReport, path: str | Path) -> Path:
    """Write the accepted rows as a UTF-8 CSV in the on-disk schema (the columns of ``data/README.md``)."""
    from shunde_workbook.data.simulate import to_disk_frame

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    to_disk_frame(report.frame).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def render_html(report: ValidationReport, language: str = "zh") -> str:
    """The validation report as one self-contained HTML page (no scripts, no outside resources)."""
    t = TEXT["en" if language == "en" else "zh"]
    e = html.escape
    rejected = max(report.n_rows - report.n_accepted, 0)
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
        f"<p>{e(t['file'])}: <code>{e(shorten(report.path, 200))}</code> · {e(t['checked'])}: "
        f"{datetime.now():%Y-%m-%d %H:%M}</p>",
        f'<p class="verdict{"" if report.ok else " bad"}">{e(t["ok"] if report.ok else t["not_ok"])}</p>',
        f"<h2>{e(t['summary'])}</h2><table><tr>",
        "".join(f"<th>{e(k)}</th>" for k, _ in counts),
        "</tr><tr>",
        "".join(f"<td>{v}</td>" for _, v in counts),
        "</tr></table>",
    ]
    if report.sheets:
        parts.append(f"<h2>{e(t['sheets'])}</h2><ul>")
        parts += [f"<li>{e(shorten(s, 200))}</li>" for s in report.sheets]
        parts.append("</ul>")
    parts.append(f"<h2>{e(t['problems'])}</h2>")
    issues = [("error", i) for i in report.errors] + [("warning", i) for i in report.warnings]
    if not issues:
        parts.append(f"<p>{e(t['none'])}</p>")
    else:
        head = ("kind", "sheet", "row", "column", "value", "what", "todo")
        parts.append("<table><tr>" + "".join(f"<th>{e(t[h])}</th>" for h in head) + "</tr>")
        for kind, i in issues:
            what = i.message + (f"（{t['did_you_mean']} “{i.suggestion}”）" if i.suggestion else "")
            todo = i.todo or (f"{t['did_you_mean']} “{i.suggestion}”" if i.suggestion else t["fix_row"])
            cells = (t[kind], i.sheet, i.row or "", i.column, shorten(i.value), shorten(what, 400), shorten(todo, 300))
            parts.append(
                f'<tr class="{kind}"><td class="kind">' + "</td><td>".join(e(str(c)) for c in cells) + "</td></tr>"
            )
        parts.append("</table>")
    if report.fixes:
        parts.append(f"<h2>{e(t['fixed'])}</h2><table><tr>")
        head = ("sheet", "column", "original", "normalised", "rows_col", "why")
        parts.append("".join(f"<th>{e(t[h])}</th>" for h in head) + "</tr>")
        for f in report.fixes:
            rows = ", ".join(str(r) for r in f.rows[:12]) + (f" … ({len(f.rows)})" if len(f.rows) > 12 else "")
            cells = (f.sheet, f.column, shorten(f.original), shorten(f.normalised), rows, f.message)
            parts.append("<tr><td>" + "</td><td>".join(e(str(c)) for c in cells) + "</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_html(report: ValidationReport, path: str | Path, language: str = "zh") -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, language), encoding="utf-8")
    return path
