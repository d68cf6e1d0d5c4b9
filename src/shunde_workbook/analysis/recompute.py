"""Every metric of the evidence from grant totals, populations and weights: one picklable recipe.

:class:`Recompute` holds what :func:`shunde_workbook.analysis.evidence.evidence` needs besides the draws
(town and village tables, programmes, plan, need columns, central population and weights), so the same
computation serves the uncertainty draws, the simulator-seed ensemble and, later and on demand, each
counterfactual ensemble (:mod:`shunde_workbook.analysis.counterfactual`).  It is kept in the evidence
(which the runner caches between reports), so a counterfactual is computed at most once per run.

A seed ensemble is aggregated once per process: :meth:`Recompute.on_seeds` keeps its totals and counts
(not the ledgers) by everything they depend on (ledger filter, simulator knobs, seeds, neutralised rule,
town and village tables, programmes), so the sets of a sweep that differ only in weights, floor share or
draws share them, and only the cheap metric arithmetic is redone.  Each simulated ledger is aggregated
straight from the simulator's arrays (``data.simulate.simulate_columns``, ``analysis.ensemble_rows``),
without a frame; the arrays of the run's own knobs are kept too, so a rule's counterfactual (which
filters the same ledgers again) simulates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shunde_workbook.analysis import quantities as qty
from shunde_workbook.analysis.inputs import filter_ledger
from shunde_workbook.analysis.uncertainty import LEDGER_COLUMNS, GrantDraws, grant_totals, stack_grants
from shunde_workbook.errors import closest
from shunde_workbook.metrics import montecarlo as mc

__all__ = ["Recompute", "need_columns"]

#: Per process: key of a seed ensemble -> its (GrantDraws, counts) (:meth:`Recompute.on_seeds`).
_ENSEMBLES: dict[str, tuple] = {}
_ENSEMBLES_SIZE = 64
#: Per process: (seed, knobs) -> the simulator's columns, for the run's own knobs only: the seed ensemble
#: draws them, and the counterfactuals of rules (``ROW_RULES``) filter the same ledgers again.
_COLUMNS: dict[str, dict] = {}
_COLUMNS_SIZE = 64


def clear() -> None:
    """Forget the seed ensembles, simulated columns and simulator set-up this process remembers."""
    from shunde_workbook.data import simulate

    _ENSEMBLES.clear()
    _COLUMNS.clear()
    simulate.forget()


def need_columns(towns: pd.DataFrame, names, population: np.ndarray) -> dict:
    """The need-index columns of ``names`` (population from the draws, the rest from the town table)."""
    cols = {}
    for c in names:
        if c == "population":
            cols[c] = population
        elif c == "village_units":
            cols[c] = towns["village_units"].to_numpy(dtype=float)
        elif c in LEDGER_COLUMNS:
            raise ValueError(
                f"evidence: need column {c!r} is computed from the ledger; under uncertainty use "
                "town-table columns, population or village_units"
            )
        elif c in towns.columns:
            cols[c] = pd.to_numeric(towns[c], errors="coerce").to_numpy(dtype=float)
        else:
            hint = closest(c, [str(x) for x in towns.columns])
            raise ValueError(f"evidence: unknown need column {c!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    return cols


@dataclass
class Recompute:
    """The fixed inputs of every metric; ``seeds``: seeds per counterfactual ensemble (0 = none)."""

    towns: pd.DataFrame
    villages: pd.DataFrame
    scope: dict
    programmes: list
    need_names: list
    plan: list
    plan_idx: list
    floor_share: float
    top_n: int
    central_pop: np.ndarray
    central_w: np.ndarray
    knobs: dict = field(default_factory=dict)
    seeds: int = 0

    def __post_init__(self):
        units = qty.unit_villages(self.villages)
        self.vcodes, self.vtown = list(units["code"]), units["town_code"].to_numpy()
        self._rows = None  # the RowAggregator of the seed ensembles, made on first use

    def run(self, g: GrantDraws, population, w, counts: dict) -> dict:
        """Every metric for the draws of ``g`` with ``population`` (D, T), weights ``w`` and ledger ``counts``."""
        out = mc.district_metrics(
            g.by_programme.sum(axis=1),
            population,
            self.towns["village_units"].to_numpy(dtype=float),
            org_totals=g.org_totals,
            need_columns=need_columns(self.towns, self.need_names, population),
            need_weights=w,
            plan_totals=self.plan,
            past=g.by_programme[:, self.plan_idx, :],
            floor_share=self.floor_share,
            top_n=self.top_n,
        )
        return qty.add_means({**qty.draw_extras(out, g, self.vtown), **counts})

    def totals(self, ledger: pd.DataFrame) -> GrantDraws:
        """One ledger's totals as a single draw."""
        return grant_totals(ledger, self.towns.index, self.programmes, self.vcodes)

    def on_ledgers(self, ledgers: list) -> dict:
        """Every metric on each of ``ledgers`` (one row each) with central population and weights."""
        g = stack_grants([self.totals(led) for led in ledgers])
        counts = qty.stack_counts([qty.ledger_counts(led, self.towns, self.villages) for led in ledgers])
        return self.run(g, np.repeat(self.central_pop, len(ledgers), axis=0), self.central_w, counts)

    def on_seeds(self, seeds: int, knobs: dict | None = None, rule: str | None = None) -> dict:
        """:meth:`on_ledgers` of :meth:`ledgers` (``rule``: a ``LEDGER_RULES`` transform applied to each).

        The ensemble's totals and counts are computed once per process and reused (they do not depend on
        the population, the weights or the draws).
        """
        key = repr(
            (
                sorted(self.scope.items()),
                sorted({**self.knobs, **(knobs or {})}.items()),
                int(seeds),
                rule,
                list(self.towns.index),
                self.towns["village_units"].tolist(),
                self.programmes,
                self.villages[["code", "town_code"]].astype(str).to_numpy().tolist(),
            )
        )
        if key not in _ENSEMBLES:
            parts = [self._aggregate(seed, knobs, rule) for seed in range(1, seeds + 1)]
            g = stack_grants([p[0] for p in parts])
            counts = qty.stack_counts([p[1] for p in parts])
            if len(_ENSEMBLES) >= _ENSEMBLES_SIZE:
                _ENSEMBLES.pop(next(iter(_ENSEMBLES)))
            _ENSEMBLES[key] = (g, counts)
        g, counts = _ENSEMBLES[key]
        return self.run(g, np.repeat(self.central_pop, seeds, axis=0), self.central_w, counts)

    def _aggregate(self, seed: int, knobs: dict | None, rule: str | None) -> tuple[GrantDraws, dict]:
        """Totals and counts of the simulated ledger of ``seed``, filtered like the run's ledger.

        ``rule``: a ``ROW_RULES`` mask applied after the filter.  Straight from the simulator's arrays
        (``analysis.ensemble_rows``): the same numbers as :meth:`totals` and ``ledger_counts`` of the ledger.
        """
        from shunde_workbook.analysis.counterfactual import ROW_RULES
        from shunde_workbook.analysis.ensemble_rows import RowAggregator
        from shunde_workbook.data.simulate import DEFAULTS, simulate_columns
        from shunde_workbook.data.simulate_places import place_codes

        if getattr(self, "_rows", None) is None:  # an evidence pickled before this attribute has none
            self._rows = RowAggregator(self.towns, self.villages, self.programmes, self.vcodes)
        key = repr((seed, sorted(self.knobs.items()))) if not knobs else None  # the run's own knobs
        knobs = {**DEFAULTS, **self.knobs, **(knobs or {})}
        cols = _COLUMNS.get(key) if key else None
        if cols is None:
            cols = simulate_columns(seed, **knobs)
            if key and len(_COLUMNS) < _COLUMNS_SIZE:
                _COLUMNS[key] = cols
        places = place_codes(knobs["town_weight_population"])
        return self._rows.aggregate(cols, places, self._scope(), ROW_RULES[rule] if rule else None)

    def _scope(self) -> tuple:
        """``filter_ledger``'s arguments for the run's scope (programmes, first and last year, fields)."""
        s = self.scope
        return (
            s.get("programmes") or ["众创共善", "和美社区"],
            s.get("year_start") or 2017,
            s.get("year_end") or 2022,
            s.get("fields") or (),
        )

    def ledgers(self, seeds: int, knobs: dict | None = None) -> list[pd.DataFrame]:
        """The rows of ``simulate_ledger(seed=1..seeds, **knobs)`` filtered like the run's ledger (in memory).

        Unlabelled rows (``data.simulate.simulate_rows``): the same grants, totals and counts as the ledger.
        The ensembles aggregate the simulator's arrays instead (:meth:`on_seeds`); this is the frame path.
        """
        from shunde_workbook.data.simulate import simulate_rows

        knobs = {**self.knobs, **(knobs or {})}
        return [filter_ledger(simulate_rows(seed, **knobs), *self._scope()) for seed in range(1, seeds + 1)]

    def counterfactual(self, setting: str) -> list[dict]:
        """Metrics with ``setting`` neutralised, one dict per neutral variant (see ``analysis.counterfactual``)."""
        from shunde_workbook.analysis.counterfactual import LEDGER_RULES, NEUTRAL

        if setting in LEDGER_RULES:
            return [self.on_seeds(self.seeds, rule=setting)]
        if setting in NEUTRAL:
            return [self.on_seeds(self.seeds, v) for v in NEUTRAL[setting]]
        return []
