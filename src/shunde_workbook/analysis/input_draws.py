"""The draws behind the evidence that do not depend on the need weights, the floor share or top n.

:func:`draw_inputs` draws the town populations and the grant bootstrap and counts the ledger, for
:func:`shunde_workbook.analysis.evidence.evidence`.  Given a ``memo`` dict (one per loaded
:class:`~shunde_workbook.analysis.inputs.Inputs`), it keeps the result by the model settings it
depends on (:func:`model_key`) and returns it again for the next call: a measures-only sweep
(:mod:`shunde_workbook.experiments.measures`) then redraws only the weights and redoes the metric
arithmetic for each set.  The generators are the same either way (:func:`streams`), so the evidence
is the same number for number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shunde_workbook.analysis import population
from shunde_workbook.analysis import quantities as qty
from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.analysis.uncertainty import (
    GrantDraws,
    UncertaintyModel,
    bootstrap_grants,
    draw_population,
    grant_totals,
    population_ranges,
    stack_grants,
)

__all__ = ["InputDraws", "OnDisk", "draw_inputs", "memo_for", "model_key", "streams"]

#: Entries a ``memo`` keeps (sets that vary the draws or the seed make new ones; the oldest goes first).
MEMO_SIZE = 4


@dataclass(frozen=True)
class InputDraws:
    """Populations, grants and counts for every draw, and their central values (T towns, D draws).

    ``pop`` (D, T) and ``ranges`` (``point``, ``lo``, ``hi``, ``basis`` by town); ``central_pop`` (1, T);
    ``programmes``: the plan's programmes in the ledger, then the others; ``plan_2023``: programme → 元;
    ``grants`` (the bootstrap, or the point totals in every draw) and ``point_grants``; ``counts`` (the
    ledger's exact counts in every draw) and ``point_counts``.
    """

    key: tuple
    pop: np.ndarray
    ranges: pd.DataFrame
    central_pop: np.ndarray
    programmes: list
    plan_2023: dict
    point_grants: GrantDraws
    grants: GrantDraws
    point_counts: dict
    counts: dict


@dataclass(frozen=True)
class OnDisk:
    """A memo entry: input draws another report of the run pickled (``evidence.for_params``), read on first use."""

    path: object


def model_key(model: UncertaintyModel, complete: bool, fixed_totals: bool) -> tuple:
    """What the input draws depend on besides the inputs: the model's draws, seed, population and bootstrap."""
    return (
        int(model.draws),
        model.seed,
        float(model.population_uncertainty),
        bool(model.impute_missing_population),
        bool(model.bootstrap),
        bool(complete),
        bool(fixed_totals),
    )


def memo_for(inp: Inputs) -> dict:
    """The memo kept with ``inp`` (:attr:`Inputs.draws_memo`), emptied when its tables are replaced.

    A report that assigns another ledger, town or village table to ``inp`` gets fresh draws.  Editing a
    table in place is not seen: make a copy (``dataclasses.replace``) instead.
    """
    tables = (inp.ledger_key(), inp.towns, inp.villages)  # the ledger's rows may still be in the run's cache
    held = inp.draws_memo.get("tables", ())
    if len(held) != len(tables) or any(a is not b for a, b in zip(held, tables, strict=True)):
        inp.draws_memo.clear()
        inp.draws_memo.update(tables=tables, draws={})
    return inp.draws_memo["draws"]


def streams(seed) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """The three generators of the evidence: populations, grants, need weights (``SeedSequence(seed)``)."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))


def draw_inputs(
    inp: Inputs, model: UncertaintyModel, complete: bool = False, fixed_totals: bool = False, memo: dict | None = None
) -> InputDraws:
    """Populations and grants for every draw of ``model`` (see :func:`~shunde_workbook.analysis.evidence.evidence`).

    ``memo``: a dict kept with ``inp`` (never shared between different inputs); the draws are read from it
    when it has them for :func:`model_key` and stored in it otherwise.
    """
    key = model_key(model, complete, fixed_totals)
    if memo is not None and key in memo:
        if not isinstance(memo[key], OnDisk):
            return memo[key]
        try:
            memo[key] = pd.read_pickle(memo[key].path)
            return memo[key]
        except Exception:  # noqa: BLE001 - unreadable or half-written: draw them here
            del memo[key]
    from shunde_workbook.analysis.studies import PLAN_YEAR, planned_funding

    plan_2023 = {p: v["amount"] for p, v in planned_funding(PLAN_YEAR).items()}
    towns = inp.towns.index
    d = int(model.draws)
    rng_pop, rng_grants, _ = streams(model.seed)
    if population.is_anchored(inp.towns):  # census-anchored: every draw sums to the census total
        pop = population.draws(inp.towns, d, rng_pop, model.population_uncertainty)
        ranges = population.ranges(inp.towns, pop)
    else:
        ranges = population_ranges(inp.towns, model.population_uncertainty, model.impute_missing_population)
        pop = draw_population(ranges, d, rng_pop)
    present = set(inp.ledger["programme"])
    programmes = [p for p in plan_2023 if p in present] + sorted(present - set(plan_2023))
    vcodes = list(qty.unit_villages(inp.villages)["code"])
    point_grants = grant_totals(inp.ledger, towns, programmes, vcodes)
    if model.bootstrap and not complete:
        grants = bootstrap_grants(inp.ledger, towns, programmes, d, rng_grants, vcodes, fixed_totals)
    else:
        grants = stack_grants([point_grants] * d)
    point_counts = qty.ledger_counts(inp.ledger, inp.towns, inp.villages)
    out = InputDraws(
        key,
        pop,
        ranges,
        ranges["point"].to_numpy(dtype=float)[None, :],
        programmes,
        plan_2023,
        point_grants,
        grants,
        point_counts,
        qty.repeat_counts(point_counts, d),
    )
    if memo is not None:
        while len(memo) >= MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = out
    return out
