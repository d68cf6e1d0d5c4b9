"""Pure metric computations for the funding workbook (no plotting, no I/O).

Modules
-------
inequality
    Population-weighted Lorenz curve, Gini, Theil T (+ decomposition), CV.
concentration
    Top-n share and Herfindahl–Hirschman index over recipient organisations.
need
    Composite need index, need-proportional target, distance from target.
scenarios
    Allocation rules for a plan total across towns and their comparison.
montecarlo
    All of the above for many Monte Carlo draws at once (numpy arrays draws × towns),
    with ``interval``, ``rank_probability`` and ``share_of_draws``.
"""

from shunde_workbook.errors import MissingDataWarning
from shunde_workbook.metrics import montecarlo
from shunde_workbook.metrics.concentration import hhi, top_n_share
from shunde_workbook.metrics.inequality import (
    coefficient_of_variation,
    theil_decomposition,
    theil_t,
    weighted_gini,
    weighted_lorenz,
)
from shunde_workbook.metrics.need import distance_from_target, need_index, target_allocation
from shunde_workbook.metrics.scenarios import (
    RULES,
    compare_scenarios,
    equal_per_unit,
    floor_plus_formula,
    historical_shares,
    need_weighted,
    per_resident,
    round_largest_remainder,
    with_floor_share,
)

__all__ = [
    "montecarlo",
    "MissingDataWarning",
    "weighted_lorenz",
    "weighted_gini",
    "theil_t",
    "theil_decomposition",
    "coefficient_of_variation",
    "top_n_share",
    "hhi",
    "need_index",
    "target_allocation",
    "distance_from_target",
    "RULES",
    "round_largest_remainder",
    "historical_shares",
    "equal_per_unit",
    "per_resident",
    "need_weighted",
    "floor_plus_formula",
    "compare_scenarios",
    "with_floor_share",
]
