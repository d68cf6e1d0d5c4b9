"""Sentences that follow the provenance of the inputs: banners, caveats and the ledger's "data and methods" line.

Nothing here assumes the default inputs: a ledger is described as simulated only when its ``provenance``
column says so, a mixed ledger says which part is simulated (share of rows and amount, by programme and
year), and population caveats are read from the town table's grades.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shunde_workbook.narrative.findings import fmt_number
from shunde_workbook.narrative.text import join_names, programme_label, status_label, town_labels, tr

if TYPE_CHECKING:  # annotations only: the index page's banner needs no pandas
    import pandas as pd


def _years(years: list[int]) -> str:
    """2017–2019, 2021 (consecutive years as ranges)."""
    runs, start = [], None
    for i, y in enumerate(years):
        start = y if start is None else start
        if i + 1 == len(years) or years[i + 1] != y + 1:
            runs.append(str(y) if y == start else f"{start}–{y}")
            start = None
    return ", ".join(runs)


def mix_detail(mix: dict, lang: str) -> str:
    """'the simulated part is 40.0% of the rows and 35.2% of the amount, in 和美社区 2018–2019' in ``lang``."""
    items = [
        tr("common.mix.where_item", lang, programme=programme_label(p, lang), years=_years(y)) for p, y in mix["where"]
    ]
    return tr(
        "common.mix.detail",
        lang,
        rows=fmt_number(mix["rows_share"], "pct", lang),
        amount=fmt_number(mix["amount_share"], "pct", lang),
        where=join_names(items, lang),
    )


def is_simulated(statuses: dict) -> bool:
    """True when the whole ledger is simulated."""
    return str(statuses.get("ledger", "")) == "simulated"


def is_mixed_simulated(statuses: dict) -> bool:
    """True when the ledger mixes simulated with other rows."""
    status = str(statuses.get("ledger", ""))
    return status != "simulated" and "simulated" in status


def banner_items(statuses: dict, lang: str, mix: dict | None = None) -> list[str]:
    """The "read first" warnings for ``statuses`` (one text for reports and the index page)."""
    out = []
    if is_simulated(statuses):
        out.append(tr("common.banner.simulated", lang))
    elif is_mixed_simulated(statuses):
        detail = mix_detail(mix, lang) if mix else status_label(statuses["ledger"], lang)
        out.append(tr("common.banner.mixed", lang, detail=detail))
    if statuses.get("ledger_partial"):  # a partial ledger (validate --out --partial): rows were left out
        left, _, rows = str(statuses["ledger_partial"]).partition("/")
        out.append(tr("common.banner.partial", lang, left=left, rows=rows))
    if statuses.get("boundaries") == "approximate":
        out.append(tr("common.banner.approximate", lang))
    return out


def purpose(statuses: dict, lang: str) -> str:
    """What the brief is for, worded after the ledger's provenance."""
    if is_simulated(statuses):
        return tr("brief.question_simulated", lang)
    if is_mixed_simulated(statuses):
        return tr("brief.question_mixed", lang)
    return tr("brief.question", lang)


def ledger_caveat(statuses: dict, lang: str, mix: dict | None = None) -> str:
    """The caveat on the ledger's provenance in ``lang`` (which part is simulated, for a mixed ledger)."""
    if is_simulated(statuses):
        return tr("brief.caveat.ledger_simulated", lang)
    if is_mixed_simulated(statuses):
        others = join_names([status_label(s, lang) for s in (mix or {}).get("others", [])], lang)
        detail = mix_detail(mix, lang) if mix else status_label(statuses["ledger"], lang)
        return tr("brief.caveat.ledger_mixed", lang, detail=detail, others=others or tr("names.status.unknown", lang))
    return tr("brief.caveat.ledger_real", lang, status=status_label(statuses.get("ledger", "unknown"), lang))


def population_caveat(towns: pd.DataFrame, lang: str) -> str:
    """Which towns have a census population (grade A) and which have none, from the town table."""
    names = town_labels(towns["town"], lang)
    census = names[towns["pop_grade"].astype(str) == "A"]
    missing = names[towns["population"].isna()]
    if "pop_weight" in towns.columns and len(census):  # census-anchored (analysis.population): sums to the census
        total = f"{towns['population'].sum():,.0f}"
        return tr("brief.caveat.population_anchored", lang, towns=join_names(census, lang), total=total)
    out = (
        tr("brief.caveat.population_census", lang, towns=join_names(census, lang))
        if len(census)
        else tr("brief.caveat.population_no_census", lang)
    )
    if len(missing):
        out += tr("common.format.sentence_sep", lang) + tr(
            "brief.caveat.population_missing", lang, towns=join_names(missing, lang)
        )
    return out


def caveats(statuses: dict, towns: pd.DataFrame, lang: str, mix: dict | None = None) -> list[str]:
    """The brief's caveats: ledger, boundaries and population, each as the inputs actually are."""
    out = [ledger_caveat(statuses, lang, mix)]
    if statuses.get("boundaries") == "approximate":
        out.append(tr("brief.caveat.boundaries_approx", lang))
    elif statuses.get("boundaries") == "official":
        out.append(tr("brief.caveat.boundaries_official", lang))
    out.append(population_caveat(towns, lang))
    return out
