"""The page of a measures-only sweep: one chart per chosen measure against the swept parameter, with its 90 % band.

Written next to ``measures.parquet`` as ``measures.html`` (one PNG per chart), in the base
parameters' language, with measure names, units and town names from the catalogue
(``narrative/catalogue/sweeps``) and the caveats of the inputs (simulated ledger,
approximate boundaries, weak populations).  The charts are drawn by the sweep report's
chart function (:func:`shunde_workbook.experiments.sweep_report._chart`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from shunde_workbook.experiments.measure_names import axis_label, measure_title, rests_on_ledger
from shunde_workbook.metrics import montecarlo as mc
from shunde_workbook.units import WAN


def chosen(sweep) -> list[str]:
    """The measures to chart: ``measures:`` entries (``gini`` or ``metric.gini``), else every district metric."""
    picked = [m["measure"] for m in sweep.measures if "measure" in m]
    if not picked:
        return [f"metric.{n}" for n in mc.DISTRICT_METRICS]
    return [m if "." in m else f"metric.{m}" for m in picked]


def chart_sets(plans, x: str | None) -> tuple[set, dict]:
    """The sets the charts show, and the other parameters they hold fixed.

    With ``x`` and more than one swept parameter, the charts show the slice where every other
    parameter has the first set's value, so that each line is one curve (the table has all sets).

    >>> class P:
    ...     def __init__(self, i, params): self.index, self.params = i, params
    >>> chart_sets([P(1, {"a": 1, "b": 0}), P(2, {"a": 2, "b": 0}), P(3, {"a": 1, "b": 5})], "a")
    ({1, 2}, {'b': 0})
    """
    if not x or not plans:
        return {p.index for p in plans}, {}
    top = x.split(".")[0]

    def rest(p):
        return {k: v for k, v in p.params.items() if k != top}

    fixed = rest(plans[0])
    return {p.index for p in plans if rest(p) == fixed}, fixed


def write_page(sweep, plans, df: pd.DataFrame, seconds: float = 0.0, backend: str = "") -> Path:
    """Write ``measures.html`` and its charts into ``sweep.outputs``; return the page's path."""
    from shunde_workbook.experiments.measures import shared
    from shunde_workbook.experiments.sweep_report import _chart, _write
    from shunde_workbook.narrative.provenance import caveats, is_mixed_simulated, is_simulated
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.publish.pages import render, town_names
    from shunde_workbook.report.webfonts import embed_fonts

    out = sweep.outputs
    lang = plans[0].merged.get("language", "zh") if plans else "zh"
    names = town_names(lang)
    notes, simulated = [], True
    if plans:
        inp = shared(plans[0].merged)["inputs"]
        notes = caveats(inp.statuses, inp.towns, lang)
        simulated = is_simulated(inp.statuses) or is_mixed_simulated(inp.statuses)
    xlabel = axis_label(sweep.x, lang)
    measured = set(df["set_index"].unique())
    failed = sum(1 for p in plans if p.index not in measured)  # of all sets, not only the charted ones
    keep, fixed = chart_sets(plans, sweep.x)
    df = df[df["set_index"].isin(keep)]
    blocks = []
    for i, measure in enumerate(chosen(sweep), 1):
        part = df[df["measure"] == measure].drop_duplicates(["set_index", "town"])
        if part.empty:
            continue
        title, unit = measure_title(measure, lang)
        scale = WAN if unit == tr("common.unit.wan", lang) else 1.0
        frame = pd.DataFrame(
            {
                "set": part["set_index"],
                "x": part["x"].where(part["x"].notna(), part["set_index"].astype(float)),
                "town": part["town"].map(lambda c: names.get(c, c) if c else ""),
                "value": part["value"] / scale,
                "lo": part["lo"] / scale,
                "hi": part["hi"] / scale,
            }
        )
        png = f"measures__{i}.png"
        mark = tr("common.simulated_stamp", lang) if simulated and rests_on_ledger(measure) else ""
        _chart(frame, f"{title} ({unit})" if unit else title, xlabel, out / png, stamp=mark)
        blocks.append({"measure": measure, "title": title, "unit": unit, "png": png})
    html = render(
        "measures_sweep.html.j2",
        lang=lang,
        t=lambda key, **kw: tr(key, lang, **kw),
        blocks=blocks,
        caveats=notes,
        sets=len(plans),
        failed=failed,
        base=sweep.base.name,
        seconds=f"{seconds:.1f}",
        fixed=json.dumps(fixed, ensure_ascii=False, sort_keys=True) if fixed else "",
        backend=tr("sweep.measures_only.backend_local", lang) if backend == "local pool" else backend,
    )
    return _write(out / "measures.html", embed_fonts(html))  # the page carries its CJK font
