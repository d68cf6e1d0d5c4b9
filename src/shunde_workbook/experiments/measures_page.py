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

#: Unit of each metric (``measures_sweep.u.<unit>``); money is charted in 万元.
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


#: Unit of each number a finding states (its results-store name without town codes and rule names).
FINDING_UNITS = {
    "overview.total_grants": "count",
    "overview.total_amount": "money",
    "overview.mean_grant": "money",
    "overview.cagr": "share",
    "overview.top_field_share": "share",
    "distribution.summary.amount_share": "share",
    "distribution.summary.pop_share": "share",
    "distribution.lowest_per_resident": "per_resident",
    "distribution.highest_per_resident": "per_resident",
    "distribution.per_resident_ratio": "ratio",
    "distribution.villages_funded": "count",
    "distribution.village_units": "count",
    "distribution.min_coverage": "share",
    "fairness.gini": "index",
    "fairness.theil.total": "index",
    "fairness.theil_between_share": "share",
    "fairness.top_n": "count",
    "fairness.top_n_share": "share",
    "fairness.n_orgs": "count",
    "fairness.hhi": "hhi",
    "fairness.need_top_share": "share",
    "fairness.worst_under": "relative",
    "fairness.worst_over": "relative",
    "scenarios.plan_total": "money",
    "scenarios.biggest_shift": "money",
    "scenarios.rule_top.amount": "money",
}
#: Measures that do not rest on the grant ledger (their charts carry no simulated-data stamp).
NOT_LEDGER = (
    "population",
    "pop_share",
    "need",
    "alloc_equal_per_unit",
    "alloc_per_resident",
    "alloc_need_weighted",
    "alloc_floor_plus_need",
)
NOT_LEDGER_FINDINGS = ("distribution.summary.pop_share", "scenarios.plan_total", "scenarios.rule_top.amount")


def _finding_parts(measure: str) -> tuple[str, str, str]:
    """(pattern, town code, rule) of a finding's measure, e.g. ``scenarios.rule_top.amount``, "", ``need_weighted``.

    >>> _finding_parts("distribution.summary[440606006].amount_share")
    ('distribution.summary.amount_share', '440606006', '')
    >>> _finding_parts("|scenarios.biggest_shift|")
    ('scenarios.biggest_shift', '', '')
    """
    import re

    body = measure.strip("-|")
    town = re.search(r"\[(\d+)\]", body)
    body = re.sub(r"\[\d+\]", "", body)
    rule = re.fullmatch(r"scenarios\.rule_top\.(\w+)\.amount", body)
    if rule:
        body = "scenarios.rule_top.amount"
    return body, town.group(1) if town else "", rule.group(1) if rule else ""


def rests_on_ledger(measure: str) -> bool:
    """Whether ``measure`` is computed from the grant ledger (so a chart of it on a simulated ledger is stamped)."""
    if measure.startswith("metric."):
        return measure.removeprefix("metric.") not in NOT_LEDGER
    return _finding_parts(measure)[0] not in NOT_LEDGER_FINDINGS


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
    """The reader's name and unit of ``measure``: a metric (``metric.<name>``) or a number a finding states.

    A measure the catalogue does not name keeps its machine name.
    """
    from shunde_workbook.narrative.text import has, rule_label, town_label, tr

    if not measure.startswith("metric."):
        pattern, town, rule = _finding_parts(measure)
        unit = FINDING_UNITS.get(pattern, "")
        key = f"measures_sweep.f.{pattern}"
        name = town_label(town, lang) if town else ""
        title = tr(key, lang, town=name, rule=rule_label(rule, lang) if rule else "") if has(key, lang) else measure
        return title, _unit_text(unit, lang)
    name = measure.removeprefix("metric.")
    unit = _unit(name)
    unit_text = _unit_text(unit, lang)
    if name.startswith(("alloc_", "shift_")):
        kind, rule = name.split("_", 1)
        return tr(f"measures_sweep.m.{kind}", lang, rule=rule_label(rule, lang)), unit_text
    key = f"measures_sweep.m.{name}"
    return (tr(key, lang) if has(key, lang) else measure), unit_text


def _unit_text(unit: str, lang: str) -> str:
    from shunde_workbook.narrative.text import tr

    return tr("unit.wan", lang) if unit == "money" else (tr(f"measures_sweep.u.{unit}", lang) if unit else "")


def _axis(x: str | None, lang: str) -> str:
    """The reader's name of the swept parameter ``x`` (else the set number)."""
    from shunde_workbook.narrative.text import has, tr

    if not x:
        return tr("measures_sweep.x_set", lang)
    return tr(f"measures_sweep.p.{x}", lang) if has(f"measures_sweep.p.{x}", lang) else x


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
    xlabel = _axis(sweep.x, lang)
    keep, fixed = chart_sets(plans, sweep.x)
    df = df[df["set_index"].isin(keep)]
    blocks = []
    for i, measure in enumerate(chosen(sweep), 1):
        part = df[df["measure"] == measure].drop_duplicates(["set_index", "town"])
        if part.empty:
            continue
        title, unit = measure_title(measure, lang)
        scale = WAN if unit == tr("unit.wan", lang) else 1.0
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
        mark = tr("simulated_stamp", lang) if simulated and rests_on_ledger(measure) else ""
        _chart(frame, f"{title} ({unit})" if unit else title, xlabel, out / png, stamp=mark)
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
        backend=tr("measures_sweep.backend_local", lang) if backend == "local pool" else backend,
    )
    return _write(out / "measures.html", embed_fonts(html))  # the page carries its CJK font
