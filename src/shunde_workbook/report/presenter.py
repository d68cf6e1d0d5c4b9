"""What a notebook shows a reader.

Title block, banner, contents, findings, captioned figures, readable tables
and the closing data-and-methods section.

Every text that comes from data is HTML-escaped here.  Figures are saved to
``outputs/figures`` (PNG and SVG) and shown as the same PNG in the notebook and
in the exported HTML; tables are saved to ``outputs/tables`` (CSV with BOM and
XLSX).
"""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import pandas as pd

from shunde_workbook.narrative.findings import Finding, rank
from shunde_workbook.narrative.text import has, tr
from shunde_workbook.report.html_table import esc, flags_legend, short_link, table_html  # noqa: F401 (re-exported)
from shunde_workbook.report.table import Table
from shunde_workbook.results.writer import record as record_results
from shunde_workbook.results.writer import record_table

FIG_DPI = 150


def _show(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def _data(f: Finding) -> str:
    """The ``data-grade`` and ``data-confidence`` attributes of a finding's list item."""
    return f'data-grade="{esc(f.grade.name if f.grade else "ungraded")}" data-confidence="{esc(f.confidence or "low")}"'


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_\-]+", "-", text).strip("-").lower() or "item"


class Report:
    """Presentation helper for one report.

    Parameters
    ----------
    name : report name (used in exported file names).
    language : "zh" or "en".
    output_dir : the run's outputs folder ("" in an interactive session: exports go to ``outputs/``).
    statuses : provenance of the inputs, e.g. {"ledger": "simulated", "boundaries": "approximate"}.
    ledger : the grant ledger (optional); for a mixed ledger the banner and methods then say which part
        is simulated (from its ``provenance`` column).
    mix : that ledger's ``analysis.ledger_facts.ledger_mix``, when known without the rows (wins over ``ledger``).
    """

    def __init__(
        self,
        name: str,
        language: str,
        output_dir: str | Path,
        statuses: dict[str, str],
        ledger: pd.DataFrame | None = None,
        mix: dict | None = None,
    ):
        from shunde_workbook.analysis.ledger_facts import ledger_mix
        from shunde_workbook.paths import OUTPUTS, safe_name

        self.name, self.lang, self.statuses = safe_name(name, "report name"), language, dict(statuses)
        if mix is None and ledger is not None and "provenance" in ledger.columns:
            mix = ledger_mix(ledger)
        self.mix = mix
        self.out = Path(output_dir) if output_dir else OUTPUTS
        self.sections: list[tuple[str, str]] = []
        self.graded: dict = {}  # catalogue key -> grade of the findings shown (key figures follow them)
        self.exported: list[Path] = []
        self._n_fig = 0

    # ---------------------------------------------------------------- header
    @property
    def simulated(self) -> bool:
        """True when the ledger is simulated."""
        return any("simulated" in str(s) for s in self.statuses.values())

    @property
    def approximate(self) -> bool:
        """True when the boundaries are approximate."""
        return self.statuses.get("boundaries") == "approximate"

    def banner_html(self) -> str:
        """The "read first" banner for simulated or approximate inputs ("" when there is none)."""
        from shunde_workbook.narrative.provenance import banner_items

        items = banner_items(self.statuses, self.lang, self.mix)
        if not items:
            return ""
        lis = "".join(f"<li>{esc(i)}</li>" for i in items)
        heading = esc(tr("common.banner.heading", self.lang))
        return f'<div class="sw-banner" role="note"><strong>{heading}</strong><ul>{lis}</ul></div>'

    def header(self, title: str, params: dict, question: str, data_date: str | None = None) -> None:
        """Title block (title, parameters in plain words, data and run dates), provenance banner, question.

        The plain-language parameter block is for every reader; the technical ``name: value`` line is
        marked ``sw-technical`` and removed from the policy edition by the exporter.
        """
        from shunde_workbook.narrative.params_text import params_block, technical_text

        self.params = dict(params)  # the results store reads a town profile's town from it
        meta = (
            f"{esc(tr('common.run_date', self.lang))}: {date.today().isoformat()} · "
            f"{esc(tr('common.data_date', self.lang))}: {esc(data_date or tr('common.unknown', self.lang))}"
        )
        _show(
            f'<div class="sw-titleblock"><h1>{esc(title)}</h1><div class="sw-meta">{meta}</div>'
            f'<div class="sw-meta sw-params">{esc(tr("common.parameters", self.lang))}: '
            f"{esc(params_block(params, self.lang))}</div>"
            f'<div class="sw-meta sw-technical">{esc(tr("params.technical", self.lang))}: '
            f"<code>{esc(technical_text(params))}</code></div></div>" + self.banner_html() + f"<p>{esc(question)}</p>"
        )

    def toc(self, sections: list[tuple[str, str]]) -> None:
        """A table of contents; ``sections`` is a list of (anchor, title)."""
        self.sections = sections
        items = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in sections)
        _show(f'<nav class="sw-toc"><strong>{esc(tr("common.contents", self.lang))}</strong><ol>{items}</ol></nav>')

    def section(self, anchor: str, title: str, intro: str | None = None) -> None:
        """A section heading with an anchor for the contents, and an optional intro paragraph."""
        _show(f'<h2 id="{esc(anchor)}">{esc(title)}</h2>' + (f"<p>{esc(intro)}</p>" if intro else ""))

    def note(self, text: str) -> None:
        """A paragraph of reader text (escaped)."""
        _show(f"<p>{esc(text)}</p>")

    # -------------------------------------------------------------- findings
    def findings(
        self, findings: list[Finding], limit: int = 6, heading: str | None = None, other_limit: int | None = None
    ) -> None:
        """The key-findings box: graded findings a key finding may rest on, strongest evidence first.

        Built-in patterns and noise (simulated ledger) never enter it: they go to a labelled list,
        "What simulated data cannot tell you", below the box (at most ``other_limit`` items, for the
        brief).  Each item carries ``data-grade``.
        """
        from shunde_workbook.narrative.grades import key_finding_allowed

        self.graded.update({f.key: f.grade for f in findings if f.grade is not None})
        key = [f for f in findings if f.grade is not None and key_finding_allowed(f.grade)]
        gaps = [f for f in findings if f.grade is None]  # data gaps: caveats, never findings
        other = [f for f in findings if f not in key and f not in gaps]
        from shunde_workbook.report.evidence_legend import legend_html, quality_note_html

        items = "".join(f"<li {_data(f)}>{f.html(self.lang)}</li>" for f in rank(key, limit))
        if self.name.startswith("00_policy_brief"):
            self._headlines(rank(key, limit))
        if not items:
            items = f'<p class="sw-empty">{esc(tr("evidence.key_findings_none", self.lang))}</p>'
        head = heading or tr("common.key_findings", self.lang)
        markup = (
            f'<div class="sw-findings" id="key-findings"><h2>{esc(head)}</h2><ul>{items}</ul>'
            f"{legend_html(self.lang, self.simulated)}</div>"
        )
        if other:
            lis = "".join(
                f"<li {_data(f)}>{f.html(self.lang)}"
                + (self._setting_html(f.grade.setting) if f.grade is not None and f.grade.setting else "")
                + "</li>"
                for f in rank(other, other_limit)
            )
            markup += (
                f'<div class="sw-cannot" id="simulated-cannot-tell"><h3>{esc(tr("evidence.cannot_tell", self.lang))}'
                f"</h3><p>{esc(tr('evidence.cannot_tell_intro', self.lang))}</p><ul>{lis}</ul></div>"
            )
        if gaps:
            lis = "".join(f"<li>{esc(f.text(self.lang))}</li>" for f in gaps)
            head = esc(tr("brief.caveats_title", self.lang))
            markup += f'<div class="sw-caveats" id="data-gaps"><h3>{head}</h3><ul>{lis}</ul></div>'
        _show(markup + quality_note_html(self.lang, self.statuses))
        record_results(self, findings, rank(key, limit))  # outputs/results/<report>.csv (results/writer.py)

    def _headlines(self, findings: list[Finding], n: int = 4) -> None:
        """The brief's top findings with their grades, for the landing index (``tables/<name>__headlines.json``)."""
        import json

        rows = [
            {
                "text": f.text(self.lang),
                "grade": f.grade.name,
                "grade_label": tr(f"evidence.grade.{f.grade.name}", self.lang),
            }
            for f in findings[:n]
        ]
        tabdir = self.out / "tables"
        tabdir.mkdir(parents=True, exist_ok=True)
        path = tabdir / f"{self.name}__headlines.json"
        path.write_text(json.dumps({"language": self.lang, "findings": rows}, ensure_ascii=False), encoding="utf-8")
        self.exported.append(path)

    def _setting_html(self, setting: str) -> str:
        """The simulator setting behind a built-in pattern: in words for every reader, by name for analysts."""
        words = (
            tr(f"evidence.setting.{setting}", self.lang) if has(f"evidence.setting.{setting}", self.lang) else setting
        )
        return (
            f' <span class="sw-setting-words">{esc(tr("evidence.grade.setting", self.lang, setting=words))}</span>'
            f'<span class="sw-setting"> {esc(setting)}</span>'
        )

    # --------------------------------------------------------------- figures
    def _save_figure(self, fig, key: str, width_mm: float | None = None) -> bytes:
        """Save ``fig`` as PNG and SVG (redrawn ``width_mm`` wide when given: see report.printsize)."""
        import matplotlib.pyplot as plt

        from shunde_workbook.report.printsize import fit_for_print, render_png

        figdir = self.out / "figures"
        figdir.mkdir(parents=True, exist_ok=True)
        stem = figdir / f"{self.name}__{_slug(key)}"
        box = fit_for_print(fig, FIG_DPI, width_mm)  # both files in the box measured once
        png = render_png(fig, FIG_DPI, box)
        stem.with_suffix(".png").write_bytes(png)
        fig.savefig(stem.with_suffix(".svg"), bbox_inches=box, facecolor="white")
        plt.close(fig)
        self.exported += [stem.with_suffix(".png"), stem.with_suffix(".svg")]
        return png

    def _figure_html(
        self, png: bytes, caption: str, source: str | None, alt: str | None, css: str = "", inputs=None
    ) -> str:
        """A captioned figure; a click shows it full size (CSS ``:target``, no script); prints at scale 1."""
        from shunde_workbook.report.printsize import physical_mm

        self._n_fig += 1
        label = tr("common.figure", self.lang, n=self._n_fig)
        b64 = base64.b64encode(png).decode()
        src = short_source(source or (self.inputs_source(inputs) if inputs else self.default_source()))
        anchor = f"fig-{self._n_fig}"
        return (
            f'<figure class="sw-figure{css}" id="{anchor}" style="margin:0">'
            f'<a class="sw-zoom" href="#{anchor}" title="{esc(tr("common.zoom", self.lang))}">'
            f'<img alt="{esc(alt or caption)}" style="--print-w:{physical_mm(png, FIG_DPI)}mm" '
            f'src="data:image/png;base64,{b64}"/></a>'
            f'<a class="sw-zoom-close" href="#_" title="{esc(tr("common.zoom_close", self.lang))}"></a>'
            f'<figcaption class="sw-caption"><strong>{esc(label)}</strong> {esc(caption)}<br/>'
            f"{esc(tr('common.source', self.lang))}: {esc(src)}</figcaption></figure>"
        )

    def figure(
        self,
        fig,
        key: str,
        caption: str,
        source: str | None = None,
        alt: str | None = None,
        small: bool = False,
        inputs: tuple | None = None,
    ) -> None:
        """Save ``fig`` as PNG and SVG, show it with its caption and source, close it.

        ``alt`` describes what the figure shows, with its main values, for readers who cannot see it
        (default: the caption); ``small`` shows it at most 420 px wide (e.g. a locator map); ``inputs``
        names what the figure uses (``ledger``, ``population``, ``boundaries``, ``plan``, ``villages``)
        and builds its source line (default: the ledger and boundaries).
        """
        css = " sw-fig-small" if small else ""
        _show(self._figure_html(self._save_figure(fig, key), caption, source, alt, css, inputs))

    def figure_grid(
        self,
        items: list[tuple],
        columns: int = 2,
        widths: list[float] | None = None,
        lead: bool = False,
        key_figures: bool = False,
    ) -> None:
        """Figures side by side; ``items`` are (fig, key, caption[, alt[, options]]) tuples, ``columns`` to a row.

        ``widths``: relative column widths (default equal); ``lead``: the first figure fills the first
        column of two rows and the others stack beside it (two columns).  Each figure is redrawn at its
        printed cell width (A4), so its labels print at the size they were drawn (report.printsize).
        ``options`` may name the figure's ``inputs`` (see :meth:`figure`), the finding it ``shows`` (its
        catalogue key) and a short ``title``.  In a grid of ``key_figures`` on a simulated ledger, a figure
        whose finding is graded built-in or noise is left out (named by its ``title`` in a note): it is not
        a key figure.
        """
        import matplotlib.pyplot as plt

        from shunde_workbook.narrative.grades import key_finding_allowed
        from shunde_workbook.report.printsize import cell_widths_mm

        kept, left_out = [], []
        for fig, key, caption, *rest in items:
            opts = rest[1] if len(rest) > 1 else {}
            g = self.graded.get(opts.get("shows", ""))
            if key_figures and self.simulated and g is not None and not key_finding_allowed(g):
                plt.close(fig)
                left_out.append(opts.get("title") or caption.rstrip("。.").strip())
                continue
            kept.append((fig, key, caption, rest[0] if rest else None, opts))
        if lead and len(kept) < 2:
            lead = False
        cells_mm = cell_widths_mm(int(columns), widths)
        column = [0] + [1] * (len(kept) - 1) if lead else [i % len(cells_mm) for i in range(len(kept))]
        cells = "".join(
            self._figure_html(
                self._save_figure(fig, key, cells_mm[column[i]]), caption, None, alt, "", opts.get("inputs")
            )
            for i, (fig, key, caption, alt, opts) in enumerate(kept)
        )
        note = ""
        if left_out:
            items_text = tr("common.sep.list", self.lang).join(left_out)
            note = f'<p class="sw-figures-not-key">{esc(tr("brief.figures_not_key", self.lang, items=items_text))}</p>'
        template = " ".join(f"{w:g}fr" for w in (widths or [1] * int(columns)))
        css = f"sw-figgrid sw-cols-{int(columns)}" + (" sw-lead" if lead else "")
        grid = f'<div class="{css}" style="grid-template-columns:{template}">{cells}</div>' if cells else ""
        _show(grid + note)

    def stamped(self, inputs: tuple) -> bool:
        """Whether a figure using ``inputs`` carries the simulated-data stamp (it uses a simulated ledger)."""
        return self.simulated and "ledger" in inputs

    def inputs_source(self, inputs: tuple) -> str:
        """The source line of a figure or table built from ``inputs`` (see :meth:`figure`)."""
        parts = []
        for name in inputs:
            if name == "ledger":
                parts.append(self._ledger_source())
            elif name == "boundaries":
                parts.append(
                    tr("sources.note.boundaries_approx" if self.approximate else "sources.brief.boundaries", self.lang)
                )
            elif name == "plan":
                parts.append(tr("sources.brief.plan", self.lang, year=2023))
            elif name in ("population", "villages"):
                parts.append(tr(f"sources.brief.{name}", self.lang))
            else:
                raise ValueError(f"Report.inputs_source: unknown input {name!r}")
        return tr("common.sep.list", self.lang).join(parts)

    def default_source(self) -> str:
        """The source line of figures and tables built on the ledger, following its provenance."""
        parts = [self._ledger_source()]
        if self.approximate:
            parts.append(tr("sources.note.boundaries_approx", self.lang))
        return tr("common.sep.list", self.lang).join(parts)

    def _ledger_source(self) -> str:
        from shunde_workbook.narrative.provenance import is_mixed_simulated, is_simulated
        from shunde_workbook.narrative.text import status_label

        if is_simulated(self.statuses):
            return tr("sources.note.ledger_simulated", self.lang)
        if is_mixed_simulated(self.statuses):
            return tr("sources.note.ledger_mixed", self.lang)
        status = status_label(self.statuses.get("ledger", "unknown"), self.lang)
        return tr("sources.note.ledger_status", self.lang, status=status)

    # ---------------------------------------------------------------- tables
    def table(
        self,
        table: Table | pd.DataFrame,
        key: str,
        caption: str,
        source: str | None = None,
        decimals: dict | None = None,
        percent: tuple = (),
        export: bool = True,
        max_rows: int = 60,
        flags: dict | None = None,
        inputs: tuple | None = None,
    ) -> None:
        """Show a table for reading and export it to CSV (UTF-8 with BOM) and XLSX.

        ``table`` is a :class:`~shunde_workbook.report.table.Table` (machine column names, translated only
        here, for the page and the XLSX) or a plain DataFrame shown and exported with its own names.
        decimals: digits per machine column (default 0 for numbers, besides the table's own); percent:
        machine columns holding 0..1 shares to show as percentages; max_rows: rows shown (0 = export
        only, show just the caption).
        flags: machine column -> one Eurostat-style flag string per row (``u``, ``e``, ``b``:
        :mod:`~shunde_workbook.report.evidence_legend`), shown after the value with a legend under the table
        (the exported files keep the plain values).
        inputs: what the table is built from, for its source line (as :meth:`figure`; default: the ledger
        and boundaries), unless ``source`` is given.
        """
        if not isinstance(table, Table):
            table = Table.plain(table)
        percent = (*table.percent(), *percent)
        if export:
            tabdir = self.out / "tables"
            tabdir.mkdir(parents=True, exist_ok=True)
            stem = tabdir / f"{self.name}__{_slug(key)}"
            from shunde_workbook.report.exports import write_table

            self.exported += write_table(table, stem, self.lang)
            record_table(self, table.frame, _slug(key), percent)  # outputs/results/<report>.csv (results/writer.py)
        headers = table.headers(self.lang)
        digits = {headers[c]: d for c, d in {**table.decimals(), **(decimals or {})}.items() if c in headers}
        shown_pct = tuple(headers[c] for c in percent if c in headers)
        shown_flags = {headers.get(c, c): v for c, v in (flags or {}).items()}
        _show(
            (table_html(table.display(self.lang).head(max_rows), digits, shown_pct, shown_flags) if max_rows else "")
            + (flags_legend(flags, self.lang) if flags and max_rows else "")
            + f'<div class="sw-caption">{esc(caption)}<br/>{esc(tr("common.source", self.lang))}: '
            f"{esc(short_source(source or (self.inputs_source(inputs) if inputs else self.default_source())))}</div>"
        )

    # --------------------------------------------------------------- methods
    def methods(self, facts: pd.DataFrame | None = None, extra: list[str] | None = None, compact: bool = False) -> None:
        """Closing "Data and methods" section: every source used, with caveats, one per line.

        Each citation is marked with its kind (official, press, encyclopedia/mirror, dataset) and weak
        sources with a flag.  ``compact`` (the brief): the kinds of data only, with a link to the full
        list in the data audit, each kind in plain words (``brief.sources.<kind>``: no file, package or
        projection names on a policy page).
        """
        from shunde_workbook.report.sources import source_list

        self.section("methods", tr("common.methods_title", self.lang))
        items = [f"<li>{esc(e)}</li>" for e in extra or []]
        for entry in source_list(self.lang, self.statuses, facts=facts, mix=self.mix):
            subs = "" if compact else "".join(f"<li>{cite(s, self.lang)}</li>" for s in entry["sources"])
            label = tr(f"brief.sources.{entry['key']}", self.lang) if compact else entry["label"]
            items.append(
                f"<li>{esc(label.rstrip(':：'))}" + (f'<ul class="sw-sources">{subs}</ul>' if subs else "") + "</li>"
            )
        more = ""
        if compact:
            stop = tr("common.format.full_stop", self.lang)
            more = (
                f'<p class="sw-sources-more">{esc(tr("brief.sources_compact", self.lang))} '
                f'<a href="01_data_audit.html#methods">{esc(tr("brief.sources_full_link", self.lang))}</a>{stop}</p>'
            )
        _show(more + '<ul class="sw-methods">' + "".join(items) + "</ul>")

    def next_steps(self) -> None:
        """The "下一步 / Next steps" section: who holds each missing dataset and what to ask for."""
        self.section("next-steps", tr("brief.next_steps", self.lang))
        keys = ["brief.next.ledger"] if self.simulated else []
        keys += ["brief.next.census"]
        keys += ["brief.next.boundaries"] if self.approximate else []
        lis = "".join(f"<li>{esc(tr(k, self.lang))}</li>" for k in keys)
        _show(f'<ul class="sw-next">{lis}</ul><p>{esc(tr("brief.next.rerun", self.lang))}</p>')


def cite(source: str, lang: str = "zh") -> str:
    """A citation as HTML, marked with its kind; URLs become links showing their decoded address.

    A weak source (encyclopedia or mirror) carries a ⚑ flag explained in its title.
    """
    from urllib.parse import unquote

    from shunde_workbook.report.sources import is_weak, source_kind

    source = str(source).strip()
    kind = source_kind(source)
    mark = f'<span class="sw-kind sw-kind-{kind}">{esc(tr(f"sources.kind.{kind}", lang))}</span> '
    if is_weak(source):
        mark = f'<span class="sw-weak" title="{esc(tr("sources.weak", lang))}">⚑</span> ' + mark
    if source.startswith(("http://", "https://")):
        url, _, rest = source.partition(" ")
        return mark + f'<a href="{esc(url)}">{esc(unquote(url))}</a>' + (f" {esc(rest)}" if rest else "")
    return mark + esc(source)


def short_source(source: str) -> str:
    """A source as shown under a figure or table: an absolute path becomes its file name."""
    text = str(source)
    return Path(text).name if Path(text).is_absolute() else text


def format_param(name: str, value) -> str:
    """A parameter value as a reader would write it (no Python syntax, no absolute path)."""
    from shunde_workbook.narrative.params_text import param_value

    return param_value(name, value)
