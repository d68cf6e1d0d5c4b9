"""The audit report's census-anchored population section in words: its intro and the draws note.

Its two tables (sum check, estimates) are ``report/display_tables.py``'s, translated only when shown.

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
        "audit.population_model_intro",
        lang,
        published=f"{figures.sum():,.0f}",
        n_published=len(figures),
        total=f"{census['total']:,.0f}",
        growth=f"{census['growth']:.2%}",
        readme="data/README.md",
    )


def draws_note(towns: pd.DataFrame, pop: np.ndarray, lang: str) -> str:
    """The sentence: in all N draws the towns add up to the census total (largest difference: …)."""
    diff = population.sum_check(towns, pop).attrs["max_draw_difference"]
    return tr("audit.population_draws_note", lang, draws=f"{len(pop):,}", diff=f"{diff:,.0f}")
