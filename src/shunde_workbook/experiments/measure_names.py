"""Reader's names and units of sweep measures, and whether each rests on the grant ledger.

Shared by the measures-only page (:mod:`~shunde_workbook.experiments.measures_page`) and the full-report
sweep report (:mod:`~shunde_workbook.experiments.sweep_report`); the words come from the catalogue
(``measures_sweep.*``).
"""

from __future__ import annotations

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


def axis_label(x: str | None, lang: str) -> str:
    """The reader's name of the swept parameter ``x`` (else the set number)."""
    from shunde_workbook.narrative.text import has, tr

    if not x:
        return tr("measures_sweep.x_set", lang)
    return tr(f"measures_sweep.p.{x}", lang) if has(f"measures_sweep.p.{x}", lang) else x
