"""Reader-facing labels for tables and notes: translated cell values, weights, plans.

Only the labels change with the language; the numbers of a table are never touched.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from shunde_workbook.narrative.findings import fmt_money
from shunde_workbook.narrative.text import has, join_names, pct, programme_label, tr

if TYPE_CHECKING:  # pandas is imported where it is used, so the index page's parameter words need none
    import pandas as pd


def column_label(column: str, lang: str) -> str:
    """A town-table column ('population', 'village_units', a user column) as a reader names it."""
    return tr(f"names.column.{column}", lang) if has(f"names.column.{column}", lang) else column


def weights_text(weights: dict, lang: str) -> str:
    """{'population': 0.6, 'village_units': 0.4} → '常住人口 60%、村(社区)数 40%'."""
    items = [
        tr("common.weight_item", lang, column=column_label(c, lang), pct=pct(float(w))) for c, w in weights.items()
    ]
    return join_names(items, lang)


def need_missing_notes(need: pd.Series, table: pd.DataFrame, weights: dict, labels: pd.Series, lang: str) -> list[str]:
    """One sentence per group of towns without a need score, naming the columns they lack."""
    import pandas as pd

    out = []
    groups: dict[tuple, list] = {}
    for code in need.index[need.isna()]:
        cols = tuple(c for c in weights if c not in table.columns or pd.isna(table.loc[code, c]))
        groups.setdefault(cols, []).append(labels.loc[code])
    for cols, towns in groups.items():
        out.append(
            tr(
                "fairness.need_missing",
                lang,
                towns=join_names(towns, lang),
                columns=join_names([column_label(c, lang) for c in cols], lang),
            )
        )
    return out


def plan_text(res: dict, lang: str) -> str:
    """The plan total with its qualifier, e.g. '约5,900万元' / 'about 59.0 million yuan'."""
    return fmt_money(res["plan_total"], lang, res.get("plan_qualifier", ""))


def plan_parts(res: dict, lang: str) -> str:
    """'众创共善约3,100万元+和美社区2,800万元' from the scenario result (published plan per programme)."""
    return tr("scenarios.plan_join", lang).join(
        tr(
            "scenarios.plan_part",
            lang,
            programme=programme_label(p, lang),
            amount=fmt_money(a, lang, res["plan_qualifiers"].get(p, "")),
        )
        for p, a in res["plan_by_programme"].items()
    )


def pop_year_label(value, lang: str) -> str:
    """A population year as given by the source ('n.d.', '2010 (not census)', '2019-12-31') in ``lang``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        return "—"
    text = str(value)
    m = re.match(r"\d{4}(-\d{2}){0,2}", text)
    if not m:
        return tr("audit.undated", lang)
    return m[0] + (
        tr("common.sep.open", lang) + tr("audit.not_census", lang) + tr("common.sep.close", lang)
        if "not census" in text
        else ""
    )


def period_cell(value: str, lang: str) -> str:
    """A published fact's period ("2023 batch 2", "2017 to 2022") in ``lang``."""
    text = str(value)
    m = re.fullmatch(r"(\d{4}) batch (\d+)", text)
    if m:
        return tr("audit.period.batch", lang, year=m[1], n=m[2])
    if text == "each year":
        return tr("audit.period.each_year", lang)
    m = re.fullmatch(r"(\S+) to (\S+)", text)
    if m:
        return tr("audit.period.to", lang, a=m[1], b=m[2])
    return text


def programme_cell(value: str, lang: str) -> str:
    """A published fact's programme ("和美社区 (predecessor: …)") in ``lang``."""
    m = re.fullmatch(r"(.+?) \(predecessor: (.+)\)", str(value))
    if m:
        return tr("audit.predecessor", lang, programme=programme_label(m[1], lang), name=programme_label(m[2], lang))
    return programme_label(str(value), lang)
