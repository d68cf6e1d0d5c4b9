"""The audit report's census-anchored population section: intro, sum check and estimates, in one language.

Built from a census-anchored town table (:func:`shunde_workbook.analysis.population.census_anchored`)
and the run's population draws (:func:`~shunde_workbook.analysis.uncertainty.population_draws`); words from
the catalogue (``narrative/catalogue/population``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shunde_workbook.analysis import population
from shunde_workbook.narrative.text import tr


def _census(towns: pd.DataFrame) -> dict:
    return towns.attrs.get("census") or population.district_census(population.load_sources())


def intro(towns: pd.DataFrame, lang: str) -> str:
    """How the published figures fall short of the census total, and how the estimates are made."""
    census = _census(towns)
    figures = towns["pop_figure"].dropna()
    return tr(
        "audit_population_model_intro",
        lang,
        published=f"{figures.sum():,.0f}",
        n_published=len(figures),
        total=f"{census['total']:,.0f}",
        growth=f"{census['growth']:.2%}",
        readme="data/README.md",
    )


def sum_check_display(towns: pd.DataFrame, pop: np.ndarray, lang: str) -> pd.DataFrame:
    """:func:`population.sum_check` with its labels in ``lang``."""
    table = population.sum_check(towns, pop).reset_index()
    table["item"] = [tr(f"popsum.{i}", lang) for i in table["item"]]
    return table.rename(columns={c: tr(f"popcol.{c}", lang) for c in table.columns})


def draws_note(towns: pd.DataFrame, pop: np.ndarray, lang: str) -> str:
    """The sentence: in all N draws the towns add up to the census total (largest difference: …)."""
    diff = population.sum_check(towns, pop).attrs["max_draw_difference"]
    return tr("audit_population_draws_note", lang, draws=f"{len(pop):,}", diff=f"{diff:,.0f}")


def estimates_display(towns: pd.DataFrame, pop: np.ndarray, lang: str, level: float = 0.9) -> pd.DataFrame:
    """Per town: grade, published figure and its dates, prior range, estimate, interval, share of the residual."""
    ranges = population.ranges(towns, pop, level)
    names = towns["town"] if lang == "zh" else towns["name_en"]
    out = pd.DataFrame(
        {
            "town": names,
            "grade": towns["pop_grade"].replace("", "—"),
            "figure": towns["pop_figure"],
            "figure_dates": towns["pop_dates"].replace("", "—"),
            "prior_lo": towns["pop_prior_lo"],
            "prior_hi": towns["pop_prior_hi"],
            "estimate": towns["population"],
            "lo": ranges["lo"],
            "hi": ranges["hi"],
            "weight": towns["pop_weight"],
            "note": [
                tr(f"popnote.{n}", lang, h=f"{h:.0%}", fast=f"{population.FAST_GROWTH:g}")
                for n, h in zip(towns["pop_note"], towns["pop_half_width"], strict=True)
            ],
        },
        index=towns.index,
    ).reset_index(drop=True)
    labels = {c: tr("town", lang) if c == "town" else tr(f"popcol.{c}", lang) for c in out.columns}
    return out.rename(columns=labels)
