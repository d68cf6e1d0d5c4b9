"""The computations behind each analysis notebook, returning plain result dicts.

Each function takes :class:`~shunde_workbook.analysis.inputs.Inputs` and returns a
dict of numbers and DataFrames.  Notebooks draw and explain them; the
findings generator (:mod:`shunde_workbook.narrative.statements`) quotes them; the policy
brief calls them all.  Amounts are in 元.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from shunde_workbook import metrics
from shunde_workbook.analysis.by_town import town_part
from shunde_workbook.analysis.inputs import Inputs, by_year, coverage_by_year, summary_of, town_summary
from shunde_workbook.errors import ParameterError
from shunde_workbook.units import WAN, YUAN_PER

PLAN_YEAR = 2023


def planned_funding(year: int = PLAN_YEAR) -> dict[str, dict]:
    """The published plan of ``year`` per programme, from data/reference/published_facts.csv.

    Returns {programme: {"amount": 元, "qualifier": approx | exact | lower_bound}} for the single-programme
    rows with metric ``planned_funding`` (the combined "A+B" row is their sum and is left out).
    """
    from shunde_workbook.data.reference import load_facts

    facts = load_facts()
    rows = facts[
        (facts["metric"] == "planned_funding")
        & (facts["period"] == str(year))
        & ~facts["programme"].str.contains("+", regex=False)
    ]
    return {
        str(r["programme"]): {
            "amount": float(r["value"]) * YUAN_PER[str(r["unit"])],
            "qualifier": str(r["qualifier"]),
        }
        for _, r in rows.iterrows()
    }


def overview(inp: Inputs) -> dict:
    """Totals by year × programme and each field's share of its programme over time."""
    led = inp.ledger
    by_prog = by_year(led, ["programme"])
    unavailable = {}
    led = led.assign(field=led["field"].fillna("").astype(str).str.strip())
    if not (led["field"] != "").any():
        unavailable["top_field"] = unavailable["top_field_share"] = "findings.unavailable.no_fields"
    fields = led.groupby(["year", "programme", "field"])["amount"].sum().reset_index()
    fields["share"] = fields["amount"] / fields.groupby(["year", "programme"])["amount"].transform("sum")
    totals = led.groupby("programme")["amount"].agg(["sum", "size"])
    field_totals = (
        led.groupby(["programme", "field"])["amount"].sum().reset_index().sort_values("amount", ascending=False)
    )
    yearly = led.groupby("year")["amount"].sum()
    first, last = int(yearly.index.min()), int(yearly.index.max())
    cagr = (
        (yearly.iloc[-1] / yearly.iloc[0]) ** (1 / (last - first)) - 1
        if last > first and yearly.iloc[0] > 0
        else np.nan
    )
    named = field_totals[field_totals["field"] != ""]
    top_field = named.iloc[0] if len(named) else {"field": "", "programme": "", "amount": np.nan}
    if not last > first:
        unavailable["cagr"] = "findings.unavailable.one_year"
    return {
        "unavailable": unavailable,
        "total_amount": float(led["amount"].sum()),
        "total_grants": int(len(led)),
        "mean_grant": float(led["amount"].mean()),
        "median_grant": float(led["amount"].median()),
        "by_programme": {p: {"amount": float(r["sum"]), "grants": int(r["size"])} for p, r in totals.iterrows()},
        "first_year": first,
        "last_year": last,
        "yearly": yearly,
        "cagr": float(cagr),
        "top_field": str(top_field["field"]) or None,
        "top_field_programme": str(top_field["programme"]),
        "top_field_share": float(top_field["amount"] / led["amount"].sum()),
        "by_year_programme": by_prog,
        "field_shares": fields,
        "field_totals": field_totals,
    }


def population_basis(summary: pd.DataFrame) -> pd.DataFrame:
    """Add shares on one basis: the towns with a population figure.

    ``pop_share`` is over the towns with a population figure, while ``amount_share`` is over all towns.
    ``amount_share_pop_basis`` is each town's share of the money received by the towns with a
    population figure (NaN elsewhere), so it can be compared with ``pop_share`` like with like;
    ``in_pop_basis`` marks those towns.
    """
    out = summary.copy()
    basis = out["population"].notna()
    out["in_pop_basis"] = basis
    out["amount_share_pop_basis"] = (out["amount"] / out.loc[basis, "amount"].sum()).where(basis)
    return out


def distribution(inp: Inputs) -> dict:
    """Town table (shares, per resident, per village unit, ranks) and yearly village coverage.

    Shares of money are compared with shares of population on one basis, the towns with a population
    figure (``pop_basis_towns``): ``top_town_amount_share`` and ``most_over_gap`` use
    ``amount_share_pop_basis``; ``top_town_amount_share_all_towns`` is the top town's share of all money.
    """
    summary = population_basis(town_summary(inp.ledger, inp.towns))
    gap = summary["amount_share_pop_basis"] - summary["pop_share"]
    over = gap.idxmax() if gap.notna().any() else None  # None: no money reached a town with a population
    with_pop = summary.dropna(subset=["per_resident"])
    low = with_pop["per_resident"].idxmin()
    high = with_pop["per_resident"].idxmax()
    cov = coverage_by_year(inp.ledger, inp.towns)
    funded_any = inp.ledger["village_code"].dropna().astype(str)
    top = summary["amount"].idxmax()
    basis = summary["in_pop_basis"]
    unavailable = {}
    if over is None:
        unavailable["most_over_gap"] = "findings.unavailable.no_money_with_pop"
    if not basis[top]:
        unavailable["top_town_amount_share"] = "findings.unavailable.top_town_without_pop"
        unavailable["top_town_pop_share"] = "findings.unavailable.top_town_without_pop"
    ratio = np.nan
    if len(with_pop) and with_pop.loc[low, "per_resident"] > 0:
        ratio = float(with_pop.loc[high, "per_resident"] / with_pop.loc[low, "per_resident"])
    else:
        unavailable["per_resident_ratio"] = "findings.unavailable.a_town_got_nothing"
    return {
        "unavailable": unavailable,
        "summary": summary,
        "coverage": cov,
        "top_town": str(top),
        "top_town_amount_share": float(summary.loc[top, "amount_share_pop_basis"]),
        "top_town_pop_share": float(summary.loc[top, "pop_share"]),
        "top_town_amount_share_all_towns": float(summary.loc[top, "amount_share"]),
        "top_town_in_pop_basis": bool(basis[top]),
        "pop_basis_towns": [str(c) for c in summary.index[basis]],
        "pop_basis_amount_share": float(summary.loc[basis, "amount_share"].sum()),
        "most_over_town": None if over is None else str(over),
        "most_over_gap": float(gap.max()),
        "lowest_per_resident_town": str(low),
        "lowest_per_resident": float(with_pop.loc[low, "per_resident"]),
        "highest_per_resident_town": str(high),
        "highest_per_resident": float(with_pop.loc[high, "per_resident"]),
        "per_resident_ratio": ratio,
        "towns_without_population": [str(c) for c in summary.index[summary["population"].isna()]],
        "villages_funded": int(funded_any[funded_any != ""].nunique()),
        "village_units": int(inp.towns["village_units"].sum()),
        "min_coverage_town": str(summary["coverage"].idxmin()),
        "min_coverage": float(summary["coverage"].min()),
    }


def village_theil_left_out(ledger: pd.DataFrame, unit_codes: pd.Series) -> dict:
    """Shares of the money the village Theil decomposition does not see.

    ``no_village_code``: grants with no village code (town-level grants); ``unlisted_village``: grants
    to a village code outside the 2021 list of 村(社区) the decomposition uses; ``total``: both.
    """
    total = float(ledger["amount"].sum())
    code = ledger["village_code"].astype("string").fillna("").str.strip()
    no_code = code == ""
    unlisted = ~no_code & ~code.isin(set(unit_codes.astype(str)))
    share = {
        "no_village_code": float(ledger.loc[no_code.to_numpy(), "amount"].sum()) / total,
        "unlisted_village": float(ledger.loc[unlisted.to_numpy(), "amount"].sum()) / total,
    }
    share["total"] = share["no_village_code"] + share["unlisted_village"]
    return share


def need_table(summary: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """The town summary joined with every other town-table column (user-added need columns included)."""
    return summary.join(towns.drop(columns=[c for c in towns.columns if c in summary.columns]), how="left")


def fairness(inp: Inputs, need_weights: dict, top_n: int = 10) -> dict:
    """Weighted Gini and Lorenz curve, Theil decomposition, CV, concentration, need and distance.

    The Gini, CV and the population-weighted between-town Theil (``theil_towns``) cover the towns with a
    population figure; the others are named in ``gini_excluded`` / ``cv_excluded`` /
    ``theil_towns_excluded`` and their share of the money in ``population_measures_excluded_amount_share``.
    The village Theil (``theil``) weighs every 2021 村(社区) equally and leaves out the money in
    ``theil_village_left_out_share`` (town-level grants with no village code, and grants to villages
    outside the 2021 list).
    """
    summary = town_summary(inp.ledger, inp.towns)
    with_pop = summary.dropna(subset=["population"])
    unavailable: dict[str, str] = {}
    # Population-weighted measures need money in the towns with a population figure.
    pop_money = len(with_pop) > 0 and with_pop["amount"].sum() > 0
    if not pop_money:
        unavailable.update(
            dict.fromkeys(("gini", "theil_towns", "cv_per_resident"), "findings.unavailable.no_money_with_pop")
        )
    curve = metrics.weighted_lorenz(with_pop["amount"], with_pop["population"]) if pop_money else None
    gini = metrics.weighted_gini(with_pop["amount"], with_pop["population"]) if pop_money else np.nan
    excluded = [str(c) for c in summary.index[summary["population"].isna()]]
    # Between-town Theil T, population-weighted (each resident counts the same), on the Gini's towns.
    theil_towns = metrics.theil_t(with_pop["amount"], with_pop["population"]) if pop_money else np.nan
    # Theil over villages grouped by town; each 村(社区) weighs the same (no village population is published).
    units = inp.villages[inp.villages["in_nbs_2021"].astype(int) == 1][["code", "town_code"]]
    per_village = inp.ledger.groupby("village_code")["amount"].sum()
    units = units.assign(amount=units["code"].map(per_village).fillna(0.0))
    if units["amount"].sum() > 0:
        theil = metrics.theil_decomposition(units["amount"].to_numpy(), units["town_code"].to_numpy())
    else:  # every grant at town level (or to villages outside the 2021 list): nothing to decompose
        theil = {"total": np.nan, "between": np.nan, "within": np.nan}
        unavailable["theil"] = "findings.unavailable.no_village_grants"
    left_out = village_theil_left_out(inp.ledger, units["code"])
    cv = metrics.coefficient_of_variation(with_pop["amount"], with_pop["population"]) if pop_money else np.nan
    by_org = inp.ledger.groupby("recipient_name")["amount"].sum()
    top_share = metrics.top_n_share(by_org, n=top_n)
    hhi = metrics.hhi(by_org)
    need_cols = {c: w for c, w in need_weights.items()}
    table = need_table(summary, inp.towns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        need = metrics.need_index(table, need_cols)
        # Towns without a need score (e.g. no population) are left out of the target and its total.
        target = metrics.target_allocation(summary.loc[need.notna(), "amount"].sum(), need, missing="exclude")
    if target.fillna(0).gt(0).any():
        distance = metrics.distance_from_target(summary["amount"], target)
    else:  # no money reached a town with a need score: no target to compare with
        distance = pd.Series(np.nan, index=summary.index)
    worst_under = distance.idxmin() if distance.notna().any() else None
    worst_over = distance.idxmax() if distance.notna().any() else None
    if worst_under is None:
        unavailable.update(dict.fromkeys(("worst_under", "worst_over"), "findings.unavailable.no_need_scores"))
    if not need.notna().any():
        unavailable["need_top_share"] = "findings.unavailable.no_need_scores"
    if "theil" not in unavailable and not theil["total"] > 0:
        unavailable["theil_between_share"] = "findings.unavailable.theil_even"
    return {
        "unavailable": unavailable,
        "summary": summary,
        "lorenz": curve,
        "gini": float(gini),
        "theil": {k: float(v) for k, v in theil.items() if np.isscalar(v)},
        "theil_between_share": float(theil["between"] / theil["total"]) if theil["total"] > 0 else np.nan,
        "theil_village_left_out_share": left_out["total"],
        "theil_village_no_code_share": left_out["no_village_code"],
        "theil_village_unlisted_share": left_out["unlisted_village"],
        "theil_towns": float(theil_towns),
        "theil_towns_excluded": excluded,
        "gini_excluded": excluded,
        "cv_excluded": excluded,
        "population_measures_excluded_amount_share": float(summary.loc[excluded, "amount_share"].sum()),
        "cv_per_resident": float(cv),
        "n_orgs": int(by_org.size),
        "top_n": int(top_n),
        "top_n_share": float(top_share),
        "hhi": float(hhi),
        "need": need,
        "target": target,
        "distance": distance,
        "need_top_town": str(need.idxmax()) if need.notna().any() else None,
        "need_top_share": float(need.max() / need.sum()) if need.notna().any() else np.nan,
        "need_weights": need_cols,
        "need_warnings": [str(w.message) for w in caught],
        "worst_under_town": worst_under,  # None (and NaN distances) when no town has a need score
        "worst_under": float(distance.min()) if worst_under else np.nan,
        "worst_over_town": worst_over,
        "worst_over": float(distance.max()) if worst_over else np.nan,
        "towns_without_population": [str(c) for c in summary.index[summary["population"].isna()]],
    }


def fill_need_by_units(need: pd.Series, units: pd.Series) -> pd.Series:
    """Give towns without a need score their share of 村(社区), and rescale the others to the rest.

    Used by the allocation scenarios, so that a town with no population figure
    (均安) is neither dropped nor invented: it is allocated as under
    "equal per 村(社区)", the same fallback the per-resident rule uses.
    """
    missing = need.isna()
    if not missing.any():
        return need / need.sum()
    unit_share = units / units.sum()
    out = need.copy()
    out[missing] = unit_share[missing]
    out[~missing] = need[~missing] / need[~missing].sum() * (1 - unit_share[missing].sum())
    return out


def scenario_inputs(inp: Inputs) -> dict:
    """What :func:`scenarios` reads from the inputs alone: the plan, town summary, need table, past money."""
    plan = planned_funding(PLAN_YEAR)
    summary = town_summary(inp.ledger, inp.towns)
    programmes = [p for p in plan if p in set(inp.ledger["programme"])]
    past = {
        prog: inp.ledger.loc[inp.ledger["programme"] == prog, ["town_code", "amount"]]
        .groupby("town_code")["amount"]
        .sum()
        .reindex(summary.index)
        .fillna(0.0)
        for prog in programmes
    }
    return {"plan": plan, "summary": summary, "table": need_table(summary, inp.towns), "past": past}


def scenarios(
    inp: Inputs, need_weights: dict, floor_share: float, allocation_unit: float = 0.1, base: dict | None = None
) -> dict:
    """The 2023 plan allocated under each rule, per programme and in total, with shifts from history.

    Every allocation is rounded to multiples of ``allocation_unit`` 万元 (default 0.1万 = 1,000 元) by
    largest remainders, so each rule's total equals the plan exactly.  ``base``: :func:`scenario_inputs`
    of ``inp``, when the caller keeps it for several calls.
    """
    base = base or scenario_inputs(inp)
    plan, summary, table = base["plan"], base["summary"], base["table"]
    round_to = allocation_round_to(allocation_unit, [plan[p]["amount"] for p in plan])
    programmes = list(base["past"])
    rules = base.setdefault("rules", {})  # the rules but the floor's, by weights (their order counts) and unit
    key = repr((list(need_weights.items()), round_to))
    if key not in rules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", metrics.MissingDataWarning)
            need = metrics.need_index(table, need_weights)
        need = fill_need_by_units(need, table["village_units"])
        compared = {
            prog: metrics.compare_scenarios(
                plan[prog]["amount"], table, base["past"][prog], need, floor_share, missing="fallback_units",
                round_to=round_to,
            )
            for prog in programmes
        }  # fmt: skip
        while len(rules) >= 64:
            rules.pop(next(iter(rules)))
        rules[key] = need, compared
    need, compared = rules[key]
    out = {
        prog: metrics.with_floor_share(compared[prog], plan[prog]["amount"], need, floor_share, round_to=round_to)
        for prog in programmes
    }
    total = sum(out.values())
    rules = [c for c in total.columns if not c.startswith("shift_")]
    shifts = total[[c for c in total.columns if c.startswith("shift_")]]
    biggest = shifts.abs().stack().idxmax()
    return {
        "plan_year": PLAN_YEAR,
        "plan_total": float(sum(plan[p]["amount"] for p in programmes)),
        "plan_by_programme": {p: plan[p]["amount"] for p in programmes},
        "plan_qualifiers": {p: plan[p]["qualifier"] for p in programmes},
        # the sum is approximate when any part is
        "plan_qualifier": "approx" if any(plan[p]["qualifier"] == "approx" for p in programmes) else "exact",
        "programmes": programmes,
        "by_programme": out,
        "total": total,
        "rules": rules,
        "biggest_shift_town": str(biggest[0]),
        "biggest_shift_rule": str(biggest[1]).removeprefix("shift_"),
        "biggest_shift": float(shifts.loc[biggest[0], biggest[1]]),
        "uses_population_fallback": [str(c) for c in summary.index[summary["population"].isna()]],
        "allocation_unit": float(allocation_unit),
        "rule_top": {r: {"town": str(total[r].idxmax()), "amount": float(total[r].max())} for r in rules},
    }


def allocation_round_to(allocation_unit: float, plans) -> float:
    """``allocation_unit`` (万元) in 元, checked to divide every plan total exactly."""
    unit = float(allocation_unit)
    if not np.isfinite(unit) or unit <= 0:
        raise ParameterError(f"allocation_unit must be a positive number of 万元, got {allocation_unit!r}")
    round_to = round(unit * WAN, 6)
    bad = [p for p in plans if abs(p / round_to - round(p / round_to)) > 1e-9 * max(1.0, p / round_to)]
    if bad:
        raise ParameterError(
            f"allocation_unit {allocation_unit:g} 万元 does not divide the plan total(s) "
            f"{', '.join(f'{p / WAN:,.1f}' for p in bad)} 万元; rounded allocations could not "
            "add up to the plan. Try 0.1, 1 or 10."
        )
    return round_to


def profile(inp: Inputs, town: str) -> dict:
    """One town: trend against the district mean, fields, villages, recipients and ranks."""
    mine, totals, yearly = town_part(inp, town)  # the town's rows; inside a run, without the district's
    summary = summary_of(totals, inp.towns)
    trend = mine.groupby(["year", "programme"])["amount"].sum().reset_index()
    district_mean = yearly / len(inp.towns)
    fields = mine.groupby(["programme", "field"])["amount"].sum().reset_index()
    villages = inp.villages[inp.villages["town_code"] == town][["code", "name", "type"]].copy()
    per_village = mine.groupby("village_code")["amount"].agg(["sum", "size"])
    villages["amount"] = villages["code"].map(per_village["sum"]).fillna(0.0)
    villages["grants"] = villages["code"].map(per_village["size"]).fillna(0).astype(int)
    orgs = mine.groupby("recipient_name")["amount"].agg(["sum", "size"]).sort_values("sum", ascending=False)
    row = summary.loc[town]
    unavailable = {}
    if pd.isna(row["population"]):
        for key in ("pop_share", "per_resident", "rank_per_resident"):
            unavailable[key] = "findings.unavailable.no_population"
    return {
        "unavailable": unavailable,
        "town": town,
        "amount": float(row["amount"]),
        "grants": int(row["grants"]),
        "amount_share": float(row["amount_share"]),
        "pop_share": float(row["pop_share"]),
        "per_resident": float(row["per_resident"]),
        "coverage": float(row["coverage"]),
        "rank_amount": int(row["rank_amount"]),
        "rank_per_resident": float(row["rank_per_resident"]),
        "n_towns": int(len(summary)),
        "village_units": int(row["village_units"]),
        "pop_grade": str(row["pop_grade"]),
        "trend": trend,
        "district_mean": district_mean,
        "fields": fields,
        "villages": villages.sort_values("amount", ascending=False),
        "orgs": orgs.head(10).reset_index(),
        "n_orgs": int(orgs.shape[0]),
        "unfunded_villages": int((villages["grants"] == 0).sum()),
        "summary": summary,
    }
