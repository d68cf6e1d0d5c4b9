"""Turn study results into ranked, hedged findings (Chinese and English).

Every number in a sentence is a :class:`~shunde_workbook.narrative.findings.Value`
that names its result field as ``"<study>.<key>"`` or
``"<study>.summary[<town_code>].<column>"``; :func:`lookup` resolves such a
name against the results, which is what the consistency test does.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from shunde_workbook.narrative.findings import Finding, Value
from shunde_workbook.narrative.labels import weights_text
from shunde_workbook.narrative.text import (
    LANGS,
    field_label,
    has,
    join_names,
    rule_label,
    template,
    town_label,
    town_labels,
    tr,
)


def _unavailable_key(source: str, study_keys: dict) -> str | None:
    """The ``unavailable`` key a value's source (``"fairness.theil.total"``) rests on, if any."""
    key = re.split(r"[.\[]", source.split(".", 1)[-1], maxsplit=1)[0]
    return key if key in study_keys else None


def screened(build):
    """Decorate a ``*_findings`` builder so that no finding states a number the study could not compute.

    A finding whose value rests on a key of ``res["unavailable"]`` becomes a sentence saying what
    cannot be computed on this ledger and why (``findings.unavailable.sentence``).
    """

    @functools.wraps(build)
    def wrapper(res: dict, *args, **kwargs) -> list[Finding]:
        gaps = res.get("unavailable") or {}
        out = []
        for f in build(res, *args, **kwargs):
            keys = [k for v in f.values.values() if (k := _unavailable_key(v.source, gaps))]
            if not keys:
                out.append(f)
                continue
            what = {
                lang: tr(f"findings.unavailable.what.{f.id}", lang)
                if has(f"findings.unavailable.what.{f.id}", lang)
                else f.id
                for lang in LANGS
            }
            why = {lang: tr(gaps[keys[0]], lang) for lang in LANGS}
            out.append(
                Finding(
                    f"{f.id}.unavailable",
                    5,
                    template("findings.unavailable.sentence"),
                    words={"what": what, "why": why},
                    hedges=f.hedges,
                )
            )
        return out

    return wrapper


def _names(towns: pd.DataFrame, code: str) -> dict:
    return {lang: town_label(str(towns.loc[code, "town"]), lang) for lang in LANGS}


def ledger_hedges(statuses: dict) -> list[str]:
    """Hedges for the ledger: ``simulated``, or ``partly_simulated`` for a mixed ledger with simulated rows."""
    status = str(statuses.get("ledger", ""))
    if status == "simulated":
        return ["simulated"]
    return ["partly_simulated"] if "simulated" in status else []


def _in_sentence(name: str, lang: str) -> str:
    """A name as written inside a sentence of ``lang`` (lower case where the catalogue says so)."""
    return name.lower() if tr("common.format.rule_case", lang) == "lower" else name


#: Population grades from strongest to weakest ('' = no figure: imputed or missing).
_GRADE_STRENGTH = ("A", "B", "C", "")


def weakest_grade(*grades) -> str:
    """The weakest of some population grades (``weakest_grade("B", "C") == "C"``; '' or NaN is weakest)."""
    clean = [g if isinstance(g, str) and g in _GRADE_STRENGTH else "" for g in grades]
    return max(clean, key=_GRADE_STRENGTH.index)


def _hedges(
    statuses: dict,
    *,
    population_grade: str | None = None,
    uses_population: bool = False,
    uses_map: bool = False,
    count: int | None = None,
) -> list[str]:
    out = ledger_hedges(statuses)
    if uses_map and statuses.get("boundaries") == "approximate":
        out.append("approximate")
    if uses_population and (population_grade is None or population_grade in ("", "C")):
        out.append("population_weak")
    if count is not None and count < 30:
        out.append("small_count")
    return out


@screened
def overview_findings(res: dict, statuses: dict) -> list[Finding]:
    """Findings of ``studies.overview``: totals, growth and the best-funded field."""
    h = _hedges(statuses, count=res["total_grants"])
    return [
        Finding(
            "overview.total",
            2,
            template("findings.overview.total"),
            {
                "grants": Value(res["total_grants"], "int", "overview.total_grants"),
                "amount": Value(res["total_amount"], "money", "overview.total_amount"),
                "mean": Value(res["mean_grant"], "money", "overview.mean_grant"),
            },
            words={"first": str(res["first_year"]), "last": str(res["last_year"])},
            hedges=h,
        ),
        Finding(
            "overview.growth",
            3,
            template("findings.overview.growth"),
            {"cagr": Value(res["cagr"], "pct", "overview.cagr")},
            hedges=h,
        ),
        Finding(
            "overview.top_field",
            4,
            template("findings.overview.top_field"),
            {"share": Value(res["top_field_share"], "pct", "overview.top_field_share")},
            words={"field": {lang: field_label(res["top_field"] or "", lang) for lang in LANGS}},
            hedges=h,
            meta={"field": f"{res['top_field_programme']}|{res['top_field']}"},
        ),
    ]


@screened
def distribution_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    """Findings of ``studies.distribution``: shares, per-resident range, coverage, missing population."""
    s = res["summary"]
    top, low = res["top_town"], res["lowest_per_resident_town"]
    out = [
        Finding(
            "distribution.top_town",
            1,
            template("findings.distribution.top_town"),
            {
                "amount_share": Value(s.loc[top, "amount_share"], "pct", f"distribution.summary[{top}].amount_share"),
                "pop_share": Value(s.loc[top, "pop_share"], "pct", f"distribution.summary[{top}].pop_share"),
            },
            words={"town": _names(towns, top)},
            hedges=_hedges(statuses, population_grade=s.loc[top, "pop_grade"], uses_population=True),
            meta={"town": top, "gap_sign": float(np.sign(s.loc[top, "amount_share"] - s.loc[top, "pop_share"]))},
        ),
        Finding(
            "distribution.per_resident_range",
            2,
            template("findings.distribution.per_resident_range"),
            {
                "low_value": Value(res["lowest_per_resident"], "yuan", "distribution.lowest_per_resident"),
                "high_value": Value(res["highest_per_resident"], "yuan", "distribution.highest_per_resident"),
                "ratio": Value(res["per_resident_ratio"], "ratio", "distribution.per_resident_ratio"),
            },
            words={"low": _names(towns, low), "high": _names(towns, res["highest_per_resident_town"])},
            hedges=_hedges(
                statuses,
                population_grade=weakest_grade(
                    s.loc[low, "pop_grade"], s.loc[res["highest_per_resident_town"], "pop_grade"]
                ),
                uses_population=True,
            ),
            meta={"low": low, "high": res["highest_per_resident_town"]},
        ),
        Finding(
            "distribution.coverage",
            3,
            template(
                "findings.distribution.coverage" if res["min_coverage"] < 1 else "findings.distribution.coverage_full"
            ),
            {
                "funded": Value(res["villages_funded"], "int", "distribution.villages_funded"),
                "units": Value(res["village_units"], "int", "distribution.village_units"),
                "cov": Value(res["min_coverage"], "pct", "distribution.min_coverage"),
            },
            words={"town": _names(towns, res["min_coverage_town"])},
            hedges=_hedges(statuses),
            meta={"town": res["min_coverage_town"]},
            key="findings.distribution.coverage" if res["min_coverage"] < 1 else "findings.distribution.coverage_full",
        ),
    ]
    missing = res["towns_without_population"]
    if missing:
        names = {lang: join_names(town_labels(towns.loc[missing, "town"], lang), lang) for lang in LANGS}
        out.append(
            Finding(
                "distribution.missing_population",
                2,
                template("findings.distribution.missing_population"),
                {},
                words={"towns": names},
            )
        )
    return out


@screened
def fairness_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    """Findings of ``studies.fairness``: Gini, Theil, concentration, need share and distance from need."""
    h_pop = _hedges(statuses, uses_population=True)
    out = [
        Finding(
            "fairness.gini",
            1,
            template("findings.fairness.gini"),
            {"gini": Value(res["gini"], "index", "fairness.gini")},
            hedges=h_pop,
        ),
        Finding(
            "fairness.theil",
            2,
            template("findings.fairness.theil"),
            {
                "total": Value(res["theil"]["total"], "index", "fairness.theil.total"),
                "between_share": Value(res["theil_between_share"], "pct", "fairness.theil_between_share"),
            },
            hedges=_hedges(statuses),
        ),
        Finding(
            "fairness.concentration",
            3,
            template("findings.fairness.concentration"),
            {
                "n": Value(res["top_n"], "int", "fairness.top_n"),
                "share": Value(res["top_n_share"], "pct", "fairness.top_n_share"),
                "orgs": Value(res["n_orgs"], "int", "fairness.n_orgs"),
                "hhi": Value(res["hhi"], "int", "fairness.hhi"),
            },
            hedges=_hedges(statuses),
        ),
    ]
    if res.get("need_top_town"):
        # The need index uses the town table and population only: it does not depend on the ledger.
        not_ledger = {k: v for k, v in statuses.items() if k != "ledger"}
        out.append(
            Finding(
                "fairness.need_top",
                2,
                template("findings.fairness.need_top"),
                {"share": Value(res["need_top_share"], "pct", "fairness.need_top_share")},
                words={
                    "town": _names(towns, res["need_top_town"]),
                    "weights": {lang: weights_text(res["need_weights"], lang) for lang in LANGS},
                },
                hedges=_hedges(not_ledger, uses_population=True),
                meta={"town": res["need_top_town"]},
            )
        )
    if res["worst_under_town"]:
        out.append(
            Finding(
                "fairness.distance",
                2,
                template("findings.fairness.distance"),
                {
                    "under_pct": Value(-res["worst_under"], "pct", "-fairness.worst_under"),
                    "over_pct": Value(res["worst_over"], "pct", "fairness.worst_over"),
                },
                words={"under": _names(towns, res["worst_under_town"]), "over": _names(towns, res["worst_over_town"])},
                hedges=h_pop,
                meta={"under": res["worst_under_town"], "over": res["worst_over_town"]},
            )
        )
    return out


def scenario_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    """Findings of ``studies.scenarios``: the largest shift from history and the top town under each rule."""
    code = res["biggest_shift_town"]
    shift = res["biggest_shift"]
    return (
        [plan_total_finding(res)]
        + [
            Finding(
                "scenarios.biggest_shift",
                2,
                template("findings.scenarios.biggest_shift"),
                {
                    "plan": Value(res["plan_total"], "money", "scenarios.plan_total", res.get("plan_qualifier", "")),
                    "shift": Value(abs(shift), "money", "|scenarios.biggest_shift|"),
                },
                words={
                    "year": str(res["plan_year"]),
                    "rule": {lang: _in_sentence(rule_label(res["biggest_shift_rule"], lang), lang) for lang in LANGS},
                    "town": _names(towns, code),
                    "direction": template("findings.direction.gain" if shift > 0 else "findings.direction.loss"),
                },
                hedges=_hedges(statuses, uses_population=True),
                meta={"rule": res["biggest_shift_rule"], "town": code, "shift_sign": float(np.sign(shift))},
            )
        ]
        + rule_top_findings(res, towns, statuses)
    )


def plan_total_finding(res: dict) -> Finding:
    """The published 2023 plan that every allocation divides (a published figure: no simulated-data caution)."""
    return Finding(
        "scenarios.plan_total",
        1,
        template("findings.scenarios.plan_total"),
        {"plan": Value(res["plan_total"], "money", "scenarios.plan_total", res.get("plan_qualifier", ""))},
        words={"year": str(res["plan_year"])},
    )


#: Allocation rules that use population and village counts only (not the ledger), so they can be graded on
#: the population and weight draws even when the ledger is simulated.
LEDGER_FREE_RULES = ("per_resident", "need_weighted", "floor_plus_need")


def rule_top_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    """Which town would receive the most under each rule that does not use the ledger."""
    not_ledger = {k: v for k, v in statuses.items() if k != "ledger"}
    out = []
    for rule in LEDGER_FREE_RULES:
        top = res.get("rule_top", {}).get(rule)
        if not top:
            continue
        out.append(
            Finding(
                "scenarios.rule_top",
                2,
                template("findings.scenarios.rule_top"),
                {"amount": Value(top["amount"], "money", f"scenarios.rule_top.{rule}.amount")},
                words={
                    "year": str(res["plan_year"]),
                    "town": _names(towns, top["town"]),
                    "rule": {lang: rule_label(rule, lang) for lang in LANGS},
                },
                hedges=_hedges(not_ledger, uses_population=True),
                meta={"rule": rule, "town": top["town"]},
            )
        )
    return out


@screened
def profile_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    """Findings of ``studies.profile`` for one town."""
    t = res["town"]
    not_ledger = {k: v for k, v in statuses.items() if k != "ledger"}
    people = (
        [
            Finding(
                "profile.people",
                1,
                template("findings.profile.people"),
                {
                    "units": Value(res["village_units"], "int", "profile.village_units"),
                    "pop_share": Value(res["pop_share"], "pct", "profile.pop_share"),
                },
                words={"town": _names(towns, t)},
                hedges=_hedges(not_ledger, population_grade=res["pop_grade"], uses_population=True),
                meta={"town": t},
            )
        ]
        if pd.notna(res["pop_share"])
        else []
    )
    return people + [
        Finding(
            "profile.share",
            1,
            template("findings.profile.share"),
            {
                "grants": Value(res["grants"], "int", "profile.grants"),
                "amount": Value(res["amount"], "money", "profile.amount"),
                "share": Value(res["amount_share"], "pct", "profile.amount_share"),
                "n": Value(res["n_towns"], "int", "profile.n_towns"),
                "rank": Value(res["rank_amount"], "int", "profile.rank_amount"),
            },
            words={"town": _names(towns, t)},
            hedges=_hedges(statuses, count=res["grants"]),
            meta={"town": t},
        ),
        Finding(
            "profile.per_resident",
            2,
            template("findings.profile.per_resident"),
            {
                "per": Value(res["per_resident"], "yuan", "profile.per_resident"),
                "pop_share": Value(res["pop_share"], "pct", "profile.pop_share"),
            },
            hedges=_hedges(statuses, population_grade=res["pop_grade"], uses_population=True),
            meta={"town": t},
        )
        if pd.notna(res["per_resident"])
        else Finding(
            "profile.no_population", 2, template("findings.profile.no_population"), {}, words={"town": _names(towns, t)}
        ),
        Finding(
            "profile.villages",
            3,
            template("findings.profile.villages"),
            {
                "unfunded": Value(res["unfunded_villages"], "int", "profile.unfunded_villages"),
                "orgs": Value(res["n_orgs"], "int", "profile.n_orgs"),
            },
            hedges=_hedges(statuses),
            meta={"town": t},
        )
        if res["unfunded_villages"]
        else Finding(  # "0 villages have no grant" reads oddly: say every village was funded
            "profile.villages",
            3,
            template("findings.profile.villages_all"),
            {"orgs": Value(res["n_orgs"], "int", "profile.n_orgs")},
            hedges=_hedges(statuses),
            meta={"town": t},
            key="findings.profile.villages_all",
        ),
    ]


def lookup(results: dict, source: str) -> float:
    """Resolve a finding's source name against ``results`` ({study: result dict}).

    Forms: ``study.key``, ``study.key.subkey``, ``study.summary[code].column``,
    with an optional leading ``-`` (negated) or surrounding ``|…|`` (absolute).
    """
    negate, absolute = source.startswith("-"), source.startswith("|")
    name = source.strip("-|")
    m = re.fullmatch(r"(\w+)\.summary\[(\w+)\]\.(\w+)", name)
    if m:
        value = results[m[1]]["summary"].loc[m[2], m[3]]
    else:
        study, *keys = name.split(".")
        value = results[study]
        for k in keys:
            value = value[k]
    value = float(value)
    return -value if negate else abs(value) if absolute else value
