"""Counterfactual seed ensembles: the simulated ledger with one setting neutralised.

A pattern of a simulated ledger is ``built-in`` only when it holds across the seed ensemble *and* vanishes
or changes materially when the simulator setting said to cause it is neutralised (set flat).  For each
setting of :data:`NEUTRAL` this module reruns the simulator on the same seeds with that setting flat (in
memory, on first use, once per run and setting: ``Evidence.counterfactual``) and computes every metric on
those ledgers (``analysis.recompute.Recompute.counterfactual``).  Two causes are rules rather
than knobs, and are neutralised on the default ledgers themselves (:data:`LEDGER_RULES`):
``programme_start_dates`` keeps only the programmes present from the first year of the period (和美社区
begins in 2018, so growth over 2017–2022 partly measures its entry).

Settings and their neutral values:

========================== ===========================================================
town_weight_population     0 (towns weighted by 村(社区) only) and 1 (by population only)
field_amount_multipliers   no multiplier (every field's grants drawn alike)
zc_year_weights            equal weight for every year of 众创共善
hm_year_weights            equal weight for every year of 和美社区 (2019–2022)
org_concentration          0 (every organisation equally likely)
amount_sigma               0 (equal grants within a calibrated group)
zc_cover_every_village     off (no village is guaranteed a grant)
programme_start_dates      only the programmes present from the first year
========================== ===========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from shunde_workbook.data.simulate import DEFAULTS

__all__ = ["LEDGER_RULES", "NEUTRAL", "ROW_RULES", "first_year_mask", "from_first_year"]


def _flat(weights: Mapping) -> dict:
    return {k: 1.0 / len(weights) for k in weights}


#: Setting -> the knob overrides that neutralise it (several: removed if any of them removes the pattern).
NEUTRAL: dict[str, tuple[dict, ...]] = {
    "town_weight_population": ({"town_weight_population": 0.0}, {"town_weight_population": 1.0}),
    "field_amount_multipliers": ({"field_amount_multipliers": {}},),
    "zc_year_weights": ({"zc_year_weights": _flat(DEFAULTS["zc_year_weights"])},),
    "hm_year_weights": ({"hm_year_weights": _flat(DEFAULTS["hm_year_weights"])},),
    "org_concentration": ({"org_concentration": 0.0},),
    "amount_sigma": ({"amount_sigma": 0.0},),
    "zc_cover_every_village": ({"zc_cover_every_village": False},),
}


def first_year_mask(year: np.ndarray, programme: np.ndarray) -> np.ndarray:
    """Rows of the programmes present in the first year of ``year`` (a programme entering later: False)."""
    if len(year) == 0:
        return np.zeros(0, dtype=bool)
    keep = set(programme[year == year.min()])
    return np.fromiter((p in keep for p in programme), dtype=bool, count=len(programme))


def from_first_year(ledger: pd.DataFrame) -> pd.DataFrame:
    """The rows of the programmes present in the ledger's first year (a programme entering later is left out)."""
    return ledger[first_year_mask(ledger["year"].to_numpy(), ledger["programme"].to_numpy(dtype=object))]


#: Rules that are not knobs, neutralised on the default ledgers: rule -> ledger transform.
LEDGER_RULES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {"programme_start_dates": from_first_year}
#: The same rules on a ledger's columns (``data.simulate.simulate_columns``): rule -> rows kept, from
#: the ``year`` and ``programme`` of the rows.
ROW_RULES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {"programme_start_dates": first_year_mask}
