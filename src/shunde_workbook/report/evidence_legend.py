"""How to read a report's evidence: the likelihood and confidence legend, cell flags and the quality note.

Likelihood (the grade badge) comes from the uncertainty draws; confidence (the second badge) from the
grades of the inputs, in the manner of the IPCC's calibrated language.  Table cells carry Eurostat-style
flags (``u`` low reliability, ``e`` estimated, ``b`` break in series).  Every edition that shows findings
ends its findings box with a short quality and methodology note whose status follows the UK Statistics
Authority's "official statistics in development".
"""

from __future__ import annotations

import html

from shunde_workbook.narrative.claims import NUMERIC_TOLERANCE
from shunde_workbook.narrative.grades import ROBUST_SHARE
from shunde_workbook.narrative.text import tr

__all__ = ["FLAGS", "cell_flags", "flags_legend_html", "legend_html", "quality_note_html"]

#: Eurostat-style flags, in the order they are written after a value.
FLAGS = ("u", "e", "b")


def _p(cls: str, text: str) -> str:
    return f'<p class="{cls}">{html.escape(text)}</p>'


def legend_html(lang: str, simulated: bool = True) -> str:
    """The likelihood and confidence legend (with the tolerance for numbers).

    ``simulated``: the ledger is simulated (the built-in and noise labels and the simulated ledger are
    explained); otherwise the legend never mentions the simulator.
    """
    tol, robust = f"{NUMERIC_TOLERANCE:.0%}", f"{ROBUST_SHARE:.0%}"
    real = "" if simulated else ".real"
    return (
        f'<div class="sw-legend" id="evidence-legend"><strong>{html.escape(tr("evidence.legend.title", lang))}</strong>'
        + _p("sw-legend-item", tr("evidence.legend.likelihood" + real, lang, tol=tol, robust=robust))
        + _p("sw-legend-item", tr("evidence.legend.confidence" + real, lang))
        + _p("sw-legend-item", tr("evidence.legend.intervals", lang))
        + "</div>"
    )


def cell_flags(pop_grade: str = "", simulated: bool = False, imputed: bool = False, break_in_series: bool = False):
    """The flags of one table cell, e.g. ``"ue"`` ('' when none).

    ``u``: simulated ledger or grade-C/imputed population; ``e``: imputed or modelled; ``b``: break in series.
    """
    out = ""
    if simulated or imputed or str(pop_grade) not in ("A", "B"):
        out += "u"
    if imputed:
        out += "e"
    if break_in_series:
        out += "b"
    return out


def flags_legend_html(lang: str, flags=FLAGS) -> str:
    """The legend of the cell flags used in a table."""
    items = tr("common.sep.list", lang).join(tr(f"evidence.flag.{f}", lang) for f in flags)
    return _p("sw-flags-legend", tr("evidence.flags.legend", lang, items=items))


def quality_note_html(lang: str, statuses: dict) -> str:
    """The short quality and methodology note of a policy edition (status, what intervals include and omit)."""
    from shunde_workbook.narrative.text import status_label

    ledger = str(statuses.get("ledger", ""))
    basis = (
        tr("evidence.quality.simulated", lang)
        if "simulated" in ledger
        else tr("evidence.quality.official", lang, status=status_label(ledger or "unknown", lang))
    )
    parts = [
        tr("evidence.quality.status", lang),
        basis,
        tr("evidence.quality.includes", lang),
        tr("evidence.quality.leaves_out" if "simulated" in ledger else "evidence.quality.leaves_out.real", lang),
        tr("evidence.quality.tolerance", lang, tol=f"{NUMERIC_TOLERANCE:.0%}"),
    ]
    return (
        f'<div class="sw-quality" id="quality-note"><h3>{html.escape(tr("evidence.quality.title", lang))}</h3>'
        + "".join(_p("sw-quality-item", t) for t in parts)
        + "</div>"
    )
