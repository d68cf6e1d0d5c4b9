"""The tables each report shows, built from its study results as :class:`~shunde_workbook.report.table.Table`.

One function per table; the notebook passes the result to ``rep.table``.  Columns carry machine names
(``amount_10k_cny``, ``town_code``) and cells machine values (``gini``, ``simulated``); the words come from
the catalogue only when the table is shown (see ``report/table.py``).  No function here takes a language.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shunde_workbook.analysis import in_unit
from shunde_workbook.geo.names import normalise_town
from shunde_workbook.narrative import labels
from shunde_workbook.narrative.text import status_label, town_label, tr
from shunde_workbook.report.evidence_legend import cell_flags
from shunde_workbook.report.table import Col, Table, with_unit


def _town(value, lang: str) -> str:
    """A town's name cell (the data's Chinese name) in ``lang``."""
    return town_label(value, lang) if isinstance(value, str) else value


TOWN = Col("town", values=_town)


def _with_codes(df: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """``df`` with ``town_code`` and ``town`` (Chinese name, shown in the reader's language) in front."""
    out = df.copy()
    out.insert(0, "town", list(names))
    out.insert(0, "town_code", [normalise_town(n) for n in names])
    return out


# ---------------------------------------------------------------- 01 data audit
def audit_inputs(statuses: dict, params: dict) -> Table:
    """The inputs of the run with their files and provenance."""
    rows = [{"input": k, "file": Path(str(params.get(k + "_path", ""))).name, "status": v} for k, v in statuses.items()]
    return Table(
        pd.DataFrame(rows, columns=["input", "file", "status"]),
        {
            "input": Col("input_col", values="input"),
            "file": Col("file_col"),
            "status": Col("status_col", values=status_label),
        },
    )


def audit_population(towns: pd.DataFrame) -> Table:
    """Each town's population with its grade, year and source."""
    pop = towns.reset_index()[["town_code", "town", "population", "pop_grade", "pop_year", "pop_source"]]
    return Table(
        pop,
        {
            "town_code": Col("town_code_col"),
            "town": TOWN,
            "population": Col("population"),
            "pop_grade": Col("pop_grade"),
            "pop_year": Col("pop_year_col", values=labels.pop_year_label),
            "pop_source": Col("pop_source_col"),
        },
    )


def audit_errors(errors: list) -> Table:
    """The validator's errors, one row per problem."""
    cols = ["row", "column", "value", "message", "suggestion"]
    frame = pd.DataFrame([{c: getattr(e, c) for c in cols} for e in errors], columns=cols)
    return Table(frame, {c: Col(f"err.{c}") for c in cols})


RECON_SHOWN = ("fact_id", "programme", "period", "metric", "unit", "published", "ledger", "difference")
RECON_SHOWN += ("qualifier", "status")


def reconciliation_summary(recon: pd.DataFrame) -> Table:
    """The reconciliation with published facts, its words in the reader's language."""
    shown = [c for c in RECON_SHOWN if c in recon.columns]
    words = {
        "programme": labels.programme_cell,
        "period": labels.period_cell,
        "metric": "fact_metric",
        "unit": "fact_unit",
        "qualifier": "qualifier",
        "status": "recon_status",
    }
    digits = {c: 1 for c in ("published", "ledger", "difference")}
    return Table(
        recon[shown],
        {c: Col(f"recon_col.{c}", values=words.get(c), decimals=digits.get(c)) for c in shown},
    )


def population_sum_check(towns: pd.DataFrame, pop) -> Table:
    """The census-anchored populations' sum check: census total, published figures, estimates (``pop``: draws)."""
    from shunde_workbook.analysis import population

    frame = population.sum_check(towns, pop).reset_index()
    words = {"item": "popsum"}
    return Table(frame, {c: Col(f"popcol.{c}", values=words.get(c)) for c in frame.columns})


def population_estimates(towns: pd.DataFrame, pop, level: float = 0.9) -> Table:
    """Per town: grade, published figure and its dates, prior range, estimate, interval, share of the residual.

    ``note`` holds how the range was made (``popnote.<note>``), shown with the row's ``half_width``.
    """
    from shunde_workbook.analysis import population

    ranges = population.ranges(towns, pop, level)
    body = pd.DataFrame(
        {
            "grade": towns["pop_grade"].replace("", "—"),
            "figure": towns["pop_figure"],
            "figure_dates": towns["pop_dates"].replace("", "—"),
            "prior_lo": towns["pop_prior_lo"],
            "prior_hi": towns["pop_prior_hi"],
            "estimate": towns["population"],
            "lo": ranges["lo"],
            "hi": ranges["hi"],
            "weight": towns["pop_weight"],
            "note": towns["pop_note"],
            "half_width": towns["pop_half_width"],
        },
        index=towns.index,
    )

    def note(row: dict, lang: str) -> str:
        h, fast = f"{row['half_width']:.0%}", f"{population.FAST_GROWTH:g}"
        return tr(f"popnote.{row['note']}", lang, h=h, fast=fast)

    spec = {c: Col(f"popcol.{c}") for c in body.columns if c not in ("note", "half_width")}
    spec["weight"] = Col("popcol.weight", percent=True)
    spec["note"] = Col("popcol.note", values=note, row=True)
    return Table(_with_codes(body, towns["town"]).reset_index(drop=True), {"town": TOWN, **spec})


# ---------------------------------------------------------------- 02 funding overview
def by_year_programme(res: dict, unit: str) -> Table:
    """Totals, counts, mean and median grant and growth by year × programme, money in ``unit``."""
    t = res["by_year_programme"].copy()
    for c in ("amount", "mean", "median"):
        t[c] = in_unit(t[c], unit)
    names = {
        "amount": with_unit("amount", unit),
        "mean": with_unit("mean_grant", unit),
        "median": with_unit("median_grant", unit),
    }
    t = t.rename(columns=names)
    spec = {
        "year": Col("year"),
        "programme": Col("programme"),
        names["amount"]: Col("amount", unit=unit, decimals=1),
        "grants": Col("grants"),
        names["mean"]: Col("mean_grant", unit=unit, decimals=1),
        names["median"]: Col("median_grant", unit=unit, decimals=1),
        "growth": Col("growth", percent=True),
    }
    return Table(t, {c: spec.get(c, Col(c)) for c in t.columns if c in spec})


# ---------------------------------------------------------------- 03 town distribution
def town_ranks(summary: pd.DataFrame, unit: str) -> Table:
    """Each town's funding, population and village shares and ranks, money in ``unit``."""
    cols = ["amount", "grants", "amount_share", "population", "pop_grade", "pop_share", "unit_share"]
    cols += ["per_resident", "rank_amount", "rank_per_resident"]
    t = summary.sort_values("rank_amount")
    body = (
        t[cols]
        .assign(amount=lambda d: in_unit(d["amount"], unit))
        .rename(columns={"amount": with_unit("amount", unit)})
    )
    spec = {with_unit("amount", unit): Col("amount", unit=unit, decimals=1)}
    for c in cols[1:]:
        spec[c] = Col(c, percent=c.endswith("_share"))
    return Table(_with_codes(body, t["town"]), {"town": TOWN, **spec})


# ---------------------------------------------------------------- 04 fairness and need
def inequality(res: dict, ev) -> Table:
    """Gini, Theil and CV with their 90 % intervals (where the draws give one) and data quality."""

    def quality(value, lang: str) -> str:
        if value == "villages_left_out":
            return tr("quality_villages_left_out", lang, share=f"{res['theil_village_left_out_share']:.1%}")
        return tr(f"quality_{value}", lang)

    rows = [  # (measure, point value, 90% interval or None, data quality)
        ("gini", res["gini"], ev.interval("gini"), "population"),
        ("theil_towns", res["theil_towns"], ev.interval("theil_between"), "population"),
        ("cv", res["cv_per_resident"], ev.interval("cv_per_resident"), "population"),
        ("theil_total", res["theil"]["total"], ev.interval("theil_total"), "villages_left_out"),
        ("theil_between", res["theil"]["between"], ev.interval("theil_village_between"), "villages_left_out"),
        ("theil_within", res["theil"]["within"], None, "villages_left_out"),
    ]
    frame = pd.DataFrame(
        [
            {
                "metric": key,
                "value": v,
                "interval_lo": ci[0] if ci else None,
                "interval_hi": ci[1] if ci else None,
                "quality": q,
            }
            for key, v, ci, q in rows
        ]
    )
    return Table(
        frame,
        {
            "metric": Col("metric_col", values="metric"),
            "value": Col("value_col", decimals=3),
            "interval_lo": Col("interval_lo_col", decimals=3),
            "interval_hi": Col("interval_hi_col", decimals=3),
            "quality": Col("quality_col", values=quality),
        },
    )


def inequality_flags(table: Table, simulated: bool) -> dict:
    """Cell flags of :func:`inequality`: every measure rests on the ledger and grade-C populations."""
    return {"value": [cell_flags("C", simulated=simulated)] * len(table.frame)}


def need_distance(res: dict, unit: str, boundaries_status: str) -> Table:
    """Each town's need index, need-based target, actual funding (in ``unit``) and distance from target."""
    s = res["summary"]
    target, actual = with_unit("target", unit), with_unit("actual", unit)
    body = pd.DataFrame(
        {
            "need": res["need"],
            target: in_unit(res["target"], unit),
            actual: in_unit(s["amount"], unit),
            "distance": res["distance"],
            "pop_grade": s["pop_grade"].replace("", "—"),
            "boundaries": boundaries_status,
        }
    )
    return Table(
        _with_codes(body, s["town"]),
        {
            "town": TOWN,
            "need": Col("need_col", decimals=3),
            target: Col("target_col", unit=unit, decimals=1),
            actual: Col("actual_col", unit=unit, decimals=1),
            "distance": Col("distance_col", percent=True),
            "pop_grade": Col("pop_grade"),
            "boundaries": Col("boundaries_col", values=status_label),
        },
    )


def need_distance_flags(res: dict, unit: str, simulated: bool) -> dict:
    """Cell flags of :func:`need_distance`: need rests on the populations, target and distance also on the ledger."""
    grades = res["summary"]["pop_grade"].fillna("")
    pop = [cell_flags(g, imputed=g == "") for g in grades]
    ledger = [cell_flags(g, simulated=simulated, imputed=g == "") for g in grades]
    actual = ["u" if simulated else ""] * len(grades)
    return {"need": pop, with_unit("target", unit): ledger, with_unit("actual", unit): actual, "distance": ledger}


def concentration(res: dict) -> Table:
    """Top-N share (in %), HHI and number of recipients."""
    frame = pd.DataFrame(
        [
            {"metric": "top_n_share", "value": res["top_n_share"] * 100},
            {"metric": "hhi", "value": res["hhi"]},
            {"metric": "n_orgs", "value": res["n_orgs"]},
        ]
    )

    def metric(value, lang: str) -> str:
        return tr(f"metric.{value}", lang, n=res["top_n"]) if value == "top_n_share" else tr(f"metric.{value}", lang)

    return Table(frame, {"metric": Col("metric_col", values=metric), "value": Col("value_col", decimals=1)})


# ---------------------------------------------------------------- 05 scenarios
def _rules(frame: pd.DataFrame, towns: pd.DataFrame) -> Table:
    names = towns.loc[frame.index, "town"]
    spec = {c: Col(f"rule.{c}", decimals=1) for c in frame.columns}
    return Table(_with_codes(frame, names), {"town": TOWN, **spec})


def allocations(res: dict, towns: pd.DataFrame, unit: str) -> Table:
    """Each town's 2023 allocation under every rule, in ``unit`` (columns named by the rules)."""
    return _rules(in_unit(res["total"][res["rules"]], unit), towns)


POPULATION_RULES = ("per_resident", "need_weighted", "floor_plus_need")


def allocation_flags(res: dict, towns: pd.DataFrame, simulated: bool) -> dict:
    """Cell flags of :func:`allocations` (also fit for :func:`shifts`' rule columns).

    A population rule shares a fixed plan, so each town's amount rests on every town's population: the
    weakest grade flags the whole column, and a town with no figure of its own is also ``e``; the rule by
    village counts rests on the official list only; the historical rule on the ledger.
    """
    codes = res["total"].index
    grades = towns["pop_grade"].reindex(codes).fillna("").astype(str)
    weakest = "u" if any(cell_flags(g, imputed=g == "") for g in grades) else ""
    own = [weakest + ("e" if g == "" else "") for g in grades]
    out = {}
    for rule in res["rules"]:
        if rule == "historical":
            out[rule] = [cell_flags("A", simulated=simulated)] * len(codes)
        elif rule in POPULATION_RULES:
            out[rule] = own
        else:
            out[rule] = [""] * len(codes)
    return out


def shift_flags(res: dict, towns: pd.DataFrame, simulated: bool) -> dict:
    """Cell flags of :func:`shifts`: a shift is a rule's amount less the historical one, so it rests on both."""
    flags = allocation_flags(res, towns, simulated)
    past = flags.pop("historical", [""] * len(res["total"]))
    return {rule: ["".join(dict.fromkeys(a + b)) for a, b in zip(past, f, strict=True)] for rule, f in flags.items()}


def shifts(res: dict, towns: pd.DataFrame, unit: str) -> Table:
    """Each town's change from its historical share under every rule, in ``unit``."""
    total = res["total"]
    cols = [c for c in total.columns if c.startswith("shift_")]
    return _rules(in_unit(total[cols], unit).rename(columns=lambda c: c.removeprefix("shift_")), towns)


# ---------------------------------------------------------------- 06 town profile
def villages(res: dict, unit: str) -> Table:
    """The town's 村(社区) with their funding (in ``unit``) and number of grants."""
    amount = with_unit("amount", unit)
    v = res["villages"].assign(amount=lambda d: in_unit(d["amount"], unit)).rename(columns={"amount": amount})
    return Table(
        v,
        {
            "code": Col("code_col"),
            "name": Col("name_col"),
            "type": Col("type_col", values="village_type"),
            amount: Col("amount", unit=unit, decimals=1),
            "grants": Col("grants"),
        },
    )


def recipients(res: dict, unit: str) -> Table:
    """The town's ten largest recipients by funding (in ``unit``)."""
    amount = with_unit("amount", unit)
    o = res["orgs"].rename(columns={"recipient_name": "recipient", "sum": amount, "size": "grants"})
    o[amount] = in_unit(o[amount], unit)
    return Table(
        o, {"recipient": Col("recipient"), amount: Col("amount", unit=unit, decimals=1), "grants": Col("grants")}
    )
