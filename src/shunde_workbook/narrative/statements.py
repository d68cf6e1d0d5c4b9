"""Turn study results into ranked, hedged findings (Chinese and English).

Every number in a sentence is a :class:`~shunde_workbook.narrative.findings.Value`
that names its result field as ``"<study>.<key>"`` or
``"<study>.summary[<town_code>].<column>"``; :func:`lookup` resolves such a
name against the results, which is what the consistency test does.
"""

from __future__ import annotations

import re

import pandas as pd

from shunde_workbook.narrative.findings import Finding, Value
from shunde_workbook.narrative.text import rule_label


def _names(towns: pd.DataFrame, code: str) -> dict:
    return {"zh": str(towns.loc[code, "town"]), "en": str(towns.loc[code, "name_en"])}


def _hedges(statuses: dict, *, population_grade: str | None = None, uses_population: bool = False,
            uses_map: bool = False, count: int | None = None) -> list[str]:
    out = []
    if any("simulated" in str(s) for s in statuses.values()):
        out.append("simulated")
    if uses_map and statuses.get("boundaries") == "approximate":
        out.append("approximate")
    if uses_population and (population_grade is None or population_grade in ("", "C")):
        out.append("population_weak")
    if count is not None and count < 30:
        out.append("small_count")
    return out


def overview_findings(res: dict, statuses: dict) -> list[Finding]:
    h = _hedges(statuses, count=res["total_grants"])
    return [
        Finding("overview.total", 2,
                {"zh": "{first}–{last}年共资助 {grants} 个项目，金额 {amount} 万元，平均每个项目 {mean} 万元。",
                 "en": "From {first} to {last}, {grants} projects were funded with 10k yuan {amount} in total, "
                       "10k yuan {mean} per project on average."},
                {"grants": Value(res["total_grants"], "int", "overview.total_grants"),
                 "amount": Value(res["total_amount"], "wan", "overview.total_amount"),
                 "mean": Value(res["mean_grant"], "wan", "overview.mean_grant")},
                words={"first": str(res["first_year"]), "last": str(res["last_year"])}, hedges=h),
        Finding("overview.growth", 3,
                {"zh": "年度资助额年均增长 {cagr}。", "en": "Annual funding grew by {cagr} a year on average."},
                {"cagr": Value(res["cagr"], "pct", "overview.cagr")}, hedges=h),
        Finding("overview.top_field", 4,
                {"zh": "资助最多的领域是「{field}」，占总额 {share}。",
                 "en": "The best-funded field is '{field}', with {share} of all funding."},
                {"share": Value(res["top_field_share"], "pct", "overview.top_field_share")},
                words={"field": {"zh": res["top_field"], "en": _field_en(res["top_field"])}}, hedges=h),
    ]


def _field_en(name: str) -> str:
    from shunde_workbook.narrative.text import field_label

    return field_label(name, "en")


def distribution_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    s = res["summary"]
    top, low = res["top_town"], res["lowest_per_resident_town"]
    out = [
        Finding("distribution.top_town", 1,
                {"zh": "{town}获得全区 {amount_share} 的资助，常住人口占 {pop_share}。",
                 "en": "{town} received {amount_share} of all funding; it has {pop_share} of residents."},
                {"amount_share": Value(s.loc[top, "amount_share"], "pct", f"distribution.summary[{top}].amount_share"),
                 "pop_share": Value(s.loc[top, "pop_share"], "pct", f"distribution.summary[{top}].pop_share")},
                words={"town": _names(towns, top)},
                hedges=_hedges(statuses, population_grade=s.loc[top, "pop_grade"], uses_population=True)),
        Finding("distribution.per_resident_range", 2,
                {"zh": "人均资助最低的是{low}（{low_value} 元/人），最高的是{high}（{high_value} 元/人），相差 {ratio} 倍。",
                 "en": "Funding per resident is lowest in {low} (yuan {low_value} per person) and highest in {high} "
                       "(yuan {high_value}), a ratio of {ratio}."},
                {"low_value": Value(res["lowest_per_resident"], "yuan", "distribution.lowest_per_resident"),
                 "high_value": Value(res["highest_per_resident"], "yuan", "distribution.highest_per_resident"),
                 "ratio": Value(res["per_resident_ratio"], "ratio", "distribution.per_resident_ratio")},
                words={"low": _names(towns, low), "high": _names(towns, res["highest_per_resident_town"])},
                hedges=_hedges(statuses, population_grade=min(s.loc[low, "pop_grade"],
                                                              s.loc[res["highest_per_resident_town"], "pop_grade"]),
                               uses_population=True)),
        Finding("distribution.coverage", 3,
                {"zh": "共有 {funded} 个村(社区)获得过资助（全区 {units} 个）；覆盖率最低的镇街为{town}（{cov}）。",
                 "en": "{funded} of {units} villages/communities received at least one grant; the lowest coverage is "
                       "in {town} ({cov})."}
                if res["min_coverage"] < 1 else
                {"zh": "全区 {units} 个村(社区)中有 {funded} 个获得过资助，每个镇街的覆盖率都是 {cov}。",
                 "en": "{funded} of {units} villages/communities received at least one grant: coverage is {cov} in "
                       "every town."},
                {"funded": Value(res["villages_funded"], "int", "distribution.villages_funded"),
                 "units": Value(res["village_units"], "int", "distribution.village_units"),
                 "cov": Value(res["min_coverage"], "pct", "distribution.min_coverage")},
                words={"town": _names(towns, res["min_coverage_town"])}, hedges=_hedges(statuses)),
    ]
    missing = res["towns_without_population"]
    if missing:
        names = {"zh": "、".join(towns.loc[c, "town"] for c in missing),
                 "en": ", ".join(towns.loc[c, "name_en"] for c in missing)}
        out.append(Finding("distribution.missing_population", 2,
                           {"zh": "{towns}没有可用的常住人口数据，人均指标对其空缺（地图中以斜线表示）。",
                            "en": "{towns} has no usable resident population figure, so per-resident measures are "
                                  "blank there (hatched on maps)."},
                           {}, words={"towns": names}))
    return out


def fairness_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    h_pop = _hedges(statuses, uses_population=True)
    out = [
        Finding("fairness.gini", 1,
                {"zh": "按人口加权的镇街间基尼系数为 {gini}（数值越小，各镇街人均资助越接近）。",
                 "en": "The population-weighted Gini across towns is {gini} (the lower, the more equal the funding per resident)."},
                {"gini": Value(res["gini"], "index", "fairness.gini")}, hedges=h_pop),
        Finding("fairness.theil", 2,
                {"zh": "泰尔指数为 {total}，其中镇街之间的差异占 {between_share}，其余来自镇街内部各村(社区)之间。",
                 "en": "The Theil index is {total}; differences between towns account for {between_share}, the rest "
                       "lies between villages within towns."},
                {"total": Value(res["theil"]["total"], "index", "fairness.theil.total"),
                 "between_share": Value(res["theil_between_share"], "pct", "fairness.theil_between_share")},
                hedges=_hedges(statuses)),
        Finding("fairness.concentration", 3,
                {"zh": "资助额最高的 {n} 家承接机构合计获得 {share}（共 {orgs} 家机构，HHI = {hhi}）。",
                 "en": "The top {n} recipient organisations received {share} of funding ({orgs} organisations in "
                       "all; HHI = {hhi})."},
                {"n": Value(res["top_n"], "int", "fairness.top_n"),
                 "share": Value(res["top_n_share"], "pct", "fairness.top_n_share"),
                 "orgs": Value(res["n_orgs"], "int", "fairness.n_orgs"),
                 "hhi": Value(res["hhi"], "int", "fairness.hhi")}, hedges=_hedges(statuses)),
    ]
    if res["worst_under_town"]:
        out.append(Finding("fairness.distance", 2,
                           {"zh": "相对于需要指数，{under}的资助比目标低 {under_pct}，{over}比目标高 {over_pct}。",
                            "en": "Against the need index, {under} is {under_pct} below its target and {over} "
                                  "{over_pct} above."},
                           {"under_pct": Value(-res["worst_under"], "pct", "-fairness.worst_under"),
                            "over_pct": Value(res["worst_over"], "pct", "fairness.worst_over")},
                           words={"under": _names(towns, res["worst_under_town"]),
                                  "over": _names(towns, res["worst_over_town"])}, hedges=h_pop))
    return out


def scenario_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    code = res["biggest_shift_town"]
    shift = res["biggest_shift"]
    return [Finding("scenarios.biggest_shift", 2,
                    {"zh": "若 {year} 年计划资金 {plan} 万元改为{rule}分配，变化最大的是{town}：{direction} {shift} 万元。",
                     "en": "If the {year} plan of 10k yuan {plan} were allocated by {rule}, the largest change would be "
                           "for {town}: {direction} 10k yuan {shift}."},
                    {"plan": Value(res["plan_total"], "wan", "scenarios.plan_total"),
                     "shift": Value(abs(shift), "wan", "|scenarios.biggest_shift|")},
                    words={"year": str(res["plan_year"]),
                           "rule": {lang: rule_label(res["biggest_shift_rule"], lang).lower() if lang == "en"
                                    else rule_label(res["biggest_shift_rule"], lang) for lang in ("zh", "en")},
                           "town": _names(towns, code),
                           "direction": {"zh": "增加" if shift > 0 else "减少",
                                         "en": "a gain of" if shift > 0 else "a loss of"}},
                    hedges=_hedges(statuses, uses_population=True))]


def profile_findings(res: dict, towns: pd.DataFrame, statuses: dict) -> list[Finding]:
    t = res["town"]
    return [
        Finding("profile.share", 1,
                {"zh": "{town}共获 {grants} 个项目、{amount} 万元，占全区 {share}，在 {n} 个镇街中排第 {rank}。",
                 "en": "{town} received {grants} grants worth 10k yuan {amount}, {share} of the district, ranking "
                       "{rank} of {n} towns."},
                {"grants": Value(res["grants"], "int", "profile.grants"),
                 "amount": Value(res["amount"], "wan", "profile.amount"),
                 "share": Value(res["amount_share"], "pct", "profile.amount_share"),
                 "n": Value(res["n_towns"], "int", "profile.n_towns"),
                 "rank": Value(res["rank_amount"], "int", "profile.rank_amount")},
                words={"town": _names(towns, t)}, hedges=_hedges(statuses, count=res["grants"])),
        Finding("profile.per_resident", 2,
                {"zh": "人均资助 {per} 元/人；常住人口占全区 {pop_share}。",
                 "en": "Funding per resident is yuan {per}; the town has {pop_share} of the district's residents."},
                {"per": Value(res["per_resident"], "yuan", "profile.per_resident"),
                 "pop_share": Value(res["pop_share"], "pct", "profile.pop_share")},
                hedges=_hedges(statuses, population_grade=res["pop_grade"], uses_population=True))
        if pd.notna(res["per_resident"]) else
        Finding("profile.no_population", 2,
                {"zh": "{town}没有可用的常住人口数据，因此无法计算人均资助。",
                 "en": "{town} has no usable resident population figure, so funding per resident cannot be computed."},
                {}, words={"town": _names(towns, t)}),
        Finding("profile.villages", 3,
                {"zh": "辖内有 {unfunded} 个村(社区)尚未获得资助；共有 {orgs} 家机构在此承接项目。",
                 "en": "{unfunded} villages/communities here have received no grant; {orgs} organisations ran "
                       "projects here."},
                {"unfunded": Value(res["unfunded_villages"], "int", "profile.unfunded_villages"),
                 "orgs": Value(res["n_orgs"], "int", "profile.n_orgs")}, hedges=_hedges(statuses)),
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
