"""Cite this report: a footer naming the workbook version, commit, run, date and the ledger's status.

The runner adds it to both editions of every report when it exports them (the kernel does not know its
run).  The run's facts come from the outputs folder's ``manifest.json``, which the runner writes before
any report starts.  Readers get the citation as plain text and as BibTeX, each copyable with one click
(a button; the text is also in a read-only box, selectable by hand).
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

from shunde_workbook.narrative.text import status_label, tr

AUTHOR = "Shunde funding workbook contributors"
SOFTWARE = "Shunde funding workbook"


def run_facts(outputs: str | Path) -> dict:
    """Version, commit, run id, date and ledger status of the run writing ``outputs`` (from its manifest)."""
    from shunde_workbook import __version__
    from shunde_workbook.results.ids import run_id

    outputs = Path(outputs)
    try:
        manifest = json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    run = manifest.get("run", {})
    ledger = next(
        (str(i.get("status")) for i in run.get("inputs", {}).values() if i.get("parameter") == "ledger_path"),
        "unknown",
    )
    started = str(run.get("started") or "")
    return {
        "version": __version__,
        "commit": (run.get("git_commit") or "unknown")[:12],
        "run_id": run_id(outputs, manifest) if manifest else "unknown",
        "date": started[:10] or date.today().isoformat(),
        "ledger": ledger,
    }


def citation_texts(name: str, title: str, facts: dict, lang: str) -> tuple[str, str]:
    """(plain text, BibTeX) citing report ``name`` titled ``title`` of the run ``facts`` describes."""
    status = status_label(facts["ledger"], lang)
    year = facts["date"][:4]
    plain = tr(
        "common.cite.plain_text",
        lang,
        author=AUTHOR,
        year=year,
        title=title,
        name=name,
        software=SOFTWARE,
        **{k: facts[k] for k in ("version", "commit", "run_id", "date")},
        status=status,
    )
    key = re.sub(r"[^A-Za-z0-9]+", "_", f"shunde_{name}_{facts['date']}").strip("_")
    note = f"{SOFTWARE} {facts['version']}, commit {facts['commit']}, run {facts['run_id']}; ledger: {facts['ledger']}"
    bib = (
        f"@techreport{{{key},\n"
        f"  title = {{{title}}},\n"
        f"  author = {{{{{AUTHOR}}}}},\n"
        f"  year = {{{year}}},\n"
        f"  institution = {{{SOFTWARE}}},\n"
        f"  number = {{{name}}},\n"
        f"  note = {{{note}}},\n"
        "}"
    )
    return plain, bib


def _copy_box(label: str, text: str, lang: str, rows: int) -> str:
    button = html.escape(tr("common.cite.copy", lang))
    copy = (
        "var t=this.parentNode.querySelector('textarea');t.select();"
        "if(navigator.clipboard){navigator.clipboard.writeText(t.value)}else{document.execCommand('copy')}"
    )
    return (
        f'<div class="sw-cite-box"><strong>{html.escape(label)}</strong> '
        f'<button type="button" class="sw-copy" onclick="{copy}">{button}</button>'
        f'<textarea readonly rows="{rows}" aria-label="{html.escape(label)}">{html.escape(text)}</textarea></div>'
    )


def footer_html(name: str, title: str, facts: dict, lang: str) -> str:
    """The footer: one line of facts (printed too) and the two copyable citations (screen only)."""
    plain, bib = citation_texts(name, title, facts, lang)
    meta = tr(
        "common.cite.meta",
        lang,
        **{k: facts[k] for k in ("version", "commit", "run_id", "date")},
        status=status_label(facts["ledger"], lang),
    )
    return (
        '<footer class="sw-cite" id="cite">'
        f'<p class="sw-cite-meta">{html.escape(meta)}</p>'
        f'<details class="sw-cite-details"><summary>{html.escape(tr("common.cite.heading", lang))}</summary>'
        + _copy_box(tr("common.cite.plain", lang), plain, lang, 3)
        + _copy_box("BibTeX", bib, lang, 8)
        + "</details></footer>"
    )


CSS = (
    "<style>.sw-cite{border-top:1px solid #d9dee3;margin:24px 0 0;padding:8px 0 0;font-size:12.5px;color:#52606d}"
    ".sw-cite-meta{margin:0 0 4px;overflow-wrap:anywhere}.sw-cite-box{margin:6px 0}"
    ".sw-cite textarea{display:block;width:100%;box-sizing:border-box;font:12px ui-monospace,monospace;"
    "margin-top:3px}.sw-copy{font-size:12px;margin-left:6px}"
    "@media print{.sw-cite{margin-top:4px;padding-top:2px;font-size:7.5px}.sw-cite-details{display:none}}</style>"
)


def add_citation(page: str, name: str, title: str, outputs: str | Path, lang: str) -> str:
    """``page`` with the citation footer at the end of its ``<main>`` (or ``<body>``)."""
    block = CSS + footer_html(name, title, run_facts(outputs), lang)
    for tag in ("</main>", "</body>"):
        at = page.rfind(tag)
        if at >= 0:
            return page[:at] + block + page[at:]
    return page + block
