"""The numbers behind the allocation explorer of report 05: inputs, precomputed intervals and the map.

The page recomputes every allocation itself (``assets/explorer_engine.js``, a line-for-line copy of
:func:`shunde_workbook.analysis.studies.scenarios`), so what it needs here are the *inputs* of that
function, as the run sees them (populations through :class:`~shunde_workbook.analysis.Inputs`, so a change
of the population model flows in), and the draws that JavaScript cannot redo:

* ``need_lo`` / ``need_hi``: the 90 % interval of each town's need-weighted *share* of the plan, from the
  workbook's own uncertainty draws (:func:`shunde_workbook.analysis.evidence.evidence`: population ranges by
  grade, Dirichlet need weights around the setting) at population weights ``0, 0.05, …, 1``.  The floor rule
  is an increasing affine map of the need share (``f/n + (1-f) share``), so its interval follows exactly
  for any floor share; between grid weights the page interpolates linearly and says so.
* ``resident_lo`` / ``resident_hi``: the same for the per-resident share (population draws only).
* ``historical``: each programme's past share per town in every bootstrap draw of the ledger (integers in
  millionths), so that the page can take quantiles for any pair of programme budgets.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from shunde_workbook.analysis import evidence as ev_mod
from shunde_workbook.analysis import uncertainty
from shunde_workbook.analysis.input_draws import draw_inputs, memo_for
from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.analysis.studies import PLAN_YEAR, allocation_round_to, planned_funding

#: Population weights at which intervals are precomputed (the page interpolates between them).
GRID = tuple(round(k / 20, 2) for k in range(21))
#: Town-table columns that are never need columns (identifiers, coordinates, the units' source column).
NOT_NEED = {"population", "village_units", "n_village_units_2021", "seat_lon", "seat_lat", "pop_year"}
LEVEL = 0.9


def need_columns(towns: pd.DataFrame, need_weights: dict) -> list[str]:
    """Further numeric, non-negative town-table columns a reader may weigh (beyond population and units)."""
    out = []
    for col in towns.columns:
        if col in NOT_NEED or col in uncertainty.LEDGER_COLUMNS or str(col).startswith("pop_"):
            continue  # pop_*: the population model's own columns (figure, prior, weight ...)
        values = pd.to_numeric(towns[col], errors="coerce")
        if towns[col].dtype == object and values.isna().any():
            continue  # a text column
        if pd.api.types.is_numeric_dtype(values) and values.notna().any() and (values.dropna() >= 0).all():
            if values.sum() > 0:
                out.append(str(col))
    for col in need_weights:  # a column the run weighs is offered even when the filter above missed it
        if col not in out and col not in ("population", "village_units") and col in towns.columns:
            out.append(str(col))
    return out


def need_table(inp: Inputs) -> pd.DataFrame:
    """The table ``studies.scenarios`` takes need columns from (town table and ledger summary)."""
    from shunde_workbook.analysis.inputs import town_summary
    from shunde_workbook.analysis.studies import need_table as table

    return table(town_summary(inp.ledger, inp.towns), inp.towns)


def _model(params: dict, **knobs) -> uncertainty.UncertaintyModel:
    model = uncertainty.UncertaintyModel.from_params(params)
    # as evidence.for_params: intervals on the basis of the point values (no imputed population)
    return replace(model, impute_missing_population=False, **knobs)


def _fill(need: np.ndarray, units: np.ndarray) -> np.ndarray:
    """``studies.fill_need_by_units`` for every draw at once (D, T)."""
    share = units / units.sum()
    missing = ~np.isfinite(need)
    known = np.where(missing, 0.0, need)
    left = 1.0 - np.where(missing, share, 0.0).sum(axis=1, keepdims=True)
    return np.where(missing, share, known / known.sum(axis=1, keepdims=True) * left)


def interval_grid(inp: Inputs, params: dict) -> dict:
    """90 % intervals of the need-weighted and per-resident shares, and the historical share draws.

    Every draw comes from :func:`evidence.evidence` with the run's uncertainty model, so a grid point
    gives the interval the report's own evidence would give for that setting.
    """
    from shunde_workbook.metrics import montecarlo as mc

    units = inp.towns["village_units"].to_numpy(dtype=float)
    floor = float(params.get("floor_share", 0.3))
    need_lo, need_hi = [], []
    resident = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for p in GRID:
            weights = {"population": p, "village_units": round(1 - p, 6)}
            ev = ev_mod.evidence(inp, weights, floor, model=_model(params, bootstrap=False, seed_ensemble=0))
            total = np.nansum(ev.draws["alloc_need_weighted"], axis=1, keepdims=True)
            lo, hi = mc.interval(ev.draws["alloc_need_weighted"] / total, LEVEL)
            need_lo.append(np.round(lo, 7).tolist())
            need_hi.append(np.round(hi, 7).tolist())
            if resident is None:
                res = ev.draws["alloc_per_resident"]
                resident = mc.interval(res / res.sum(axis=1, keepdims=True), LEVEL)
    return {
        "grid": list(GRID),
        "need_lo": need_lo,
        "need_hi": need_hi,
        "resident_lo": np.round(resident[0], 7).tolist(),
        "resident_hi": np.round(resident[1], 7).tolist(),
        "level": LEVEL,
        "draws": int(_model(params).draws),
        "units": units.tolist(),
    }


def historical_draws(inp: Inputs, params: dict, programmes: list[str]) -> list[list[list[int]]]:
    """Each programme's share of its past money per town, per bootstrap draw, in millionths (D, P, T).

    The generator stream and the sampling basis (:func:`evidence.sampling_basis`: exact sums on complete
    records, published totals kept in every draw) are the ones :func:`evidence.for_params` uses, so the
    draws are the report's own.
    """
    from shunde_workbook.analysis.reconciled import reconciled

    model = _model(params)
    present = set(inp.ledger["programme"])
    plan = planned_funding(PLAN_YEAR)
    order = [p for p in plan if p in present] + sorted(present - set(plan))
    complete, fixed = ev_mod.sampling_basis(inp, reconciled(inp))
    if complete:
        g = uncertainty.stack_grants([uncertainty.grant_totals(inp.ledger, inp.towns.index, order, [])])
    else:  # the evidence's own bootstrap (same generator, same rows drawn), shared with the report's findings
        g = draw_inputs(inp, model, complete, fixed, memo_for(inp)).grants
        assert g.programmes == order, (g.programmes, order)
    past = g.by_programme[:, [order.index(p) for p in programmes], :]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = past / past.sum(axis=2, keepdims=True)
    return np.round(np.nan_to_num(share) * 1e6).astype(int).tolist()


def programme_inputs(inp: Inputs, allocation_unit: float) -> tuple[list[dict], float]:
    """Plan and past money per town for each programme of the plan found in the ledger; the rounding step (元)."""
    plan = planned_funding(PLAN_YEAR)
    round_to = allocation_round_to(allocation_unit, [plan[p]["amount"] for p in plan])
    present = set(inp.ledger["programme"])
    out = []
    for prog in (p for p in plan if p in present):
        rows = inp.ledger.loc[inp.ledger["programme"] == prog, ["town_code", "amount"]]
        past = rows.groupby("town_code")["amount"].sum()
        past = past.reindex(inp.towns.index).fillna(0.0)
        out.append(
            {"key": prog, "plan": float(plan[prog]["amount"]), "qualifier": plan[prog]["qualifier"], "past": past}
        )
    return out, round_to


def map_shapes(boundaries, towns: pd.DataFrame, width: float = 400.0, tolerance: float = 0.004) -> dict:
    """SVG paths of the towns (simplified, a few KB), label points and the viewBox."""
    from shapely.geometry import MultiPolygon, Polygon

    gdf = boundaries.to_crs(4326) if getattr(boundaries, "crs", None) else boundaries
    minx, miny, maxx, maxy = gdf.total_bounds
    kx = np.cos(np.radians((miny + maxy) / 2))
    scale = width / ((maxx - minx) * kx)
    height = (maxy - miny) * scale

    def xy(x, y):
        return f"{(x - minx) * kx * scale:.1f} {(maxy - y) * scale:.1f}"

    out = []
    for _, row in gdf.iterrows():
        code = str(row["town_code"])
        if code not in towns.index:
            continue
        geom = row.geometry.simplify(tolerance, preserve_topology=True)
        polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []
        d = []
        for poly in polys:
            for ring in [poly.exterior, *poly.interiors]:
                pts = list(ring.coords)
                d.append("M" + "L".join(xy(x, y) for x, y, *_ in pts) + "Z")
        label = row.geometry.representative_point()
        x, y = (float(v) for v in xy(label.x, label.y).split())
        out.append({"code": code, "d": "".join(d), "x": round(x, 1), "y": round(y, 1)})
    return {"viewbox": f"0 0 {width:.0f} {height:.0f}", "towns": out}
