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

from shunde_workbook.metrics import montecarlo as mc
from shunde_workbook.units import WAN

#: Unit of each metric (``sweep.measures_only.u.<unit>``); money is charted in 万元.
UNITS = {
    "total_amount": "money",
    "gini": "index",
    "theil_between": "index",
    "cv_per_resident": "index",
    "per_resident_ratio": "ratio",
    "hhi": "hhi",
    "top_n_share": "share",
    "amount": "money",
    "population": "people",
    "amount_share": "share",
    "amount_share_all": "share",
    "pop_share": "share",
    "per_resident": "per_resident",
    "need": "share",
    "target": "money",
    "distance": "relative",
}


def chosen(sweep) -> list[str]:
    """The measures to chart: ``measures:`` entries (``gini`` or ``metric.gini``), else every district metric."""
    picked = [m["measure"] for m in sweep.measures if "measure" in m]
    if not picked:
        return [f"metric.{n}" for n in mc.DISTRICT_METRICS]
    return [m if "." in m else f"metric.{m}" for m in picked]


def _unit(metric: str) -> str:
    if metric.startswith(("alloc_", "shift_")):
        return "money"
    return UNITS.get(metric, "")


def measure_title(measure: str, lang: str) -> tuple[str, str]:
    """The reader's name and unit of ``measure`` (``metric.<name>``; other measures keep their name)."""
    from shunde_workbook.narrative.text import has, rule_label, tr

    name = measure.removeprefix("metric.")
    unit = _unit(name)
    unit_text = (
        tr("common.unit.wan", lang) if unit == "money" else (tr(f"sweep.measures_only.u.{unit}", lang) if unit else "")
    )
    if name.startswith(("alloc_", "shift_")):
        kind, rule = name.split("_", 1)
        return tr(f"sweep.measures_only.m.{kind}", lang, rule=rule_label(rule, lang)), unit_text
    key = f"sweep.measures_only.m.{name}"
    return (tr(key, lang) if has(key, lang) else measure), unit_text


def _axis(x: str | None, lang: str) -> str:
    from shunde_workbook.narrative.text import has, tr

    if not x:
        return tr("sweep.measures_only.x_set", lang)
    return tr(f"sweep.measures_only.p.{x}", lang) if has(f"sweep.measures_only.p.{x}", lang) else x


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
    from shunde_workbook.narrative.provenance import caveats
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.publish.pages import render, town_names

    out = sweep.outputs
    lang = plans[0].merged.get("language", "zh") if plans else "zh"
    names = town_names(lang)
    notes = []
    if plans:
        inp = shared(plans[0].merged)["inputs"]
        notes = caveats(inp.statuses, inp.towns, lang)
    xlabel = _axis(sweep.x, lang)
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
        _chart(frame, f"{title} ({unit})" if unit else title, xlabel, out / png)
        blocks.append({"measure": measure, "title": title, "unit": unit, "png": png})
    failed = sum(1 for p in plans if not (df["set_index"] == p.index).any())
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
        backend=backend,
    )
    return _write(out / "measures.html", html)
