"""Tests for shunde_workbook.metrics.montecarlo: hand-computed answers, and agreement with the point metrics."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from shunde_workbook import metrics
from shunde_workbook.metrics import montecarlo as mc

REL = 1e-9


# --------------------------------------------------------------------------- known answers


def test_gini_known_answers():
    # two equal towns, 10 and 30: X 0,.5,1; Y 0,.25,1 -> 1 - (.5*.25 + .5*1.25) = .25
    assert mc.weighted_gini([[10.0, 30.0]], [[1.0, 1.0]])[0] == pytest.approx(0.25, rel=REL)
    # residents 1 and 3 receiving 1 and 9 (1 and 3 per head): X 0,.25,1; Y 0,.1,1 -> 1 - (.025 + .825) = .15
    assert mc.weighted_gini([[1.0, 9.0]], [[1.0, 3.0]])[0] == pytest.approx(0.15, rel=REL)
    # a town without population changes nothing, whatever its money
    assert mc.weighted_gini([[10.0, 999.0, 30.0]], [[1.0, np.nan, 1.0]])[0] == pytest.approx(0.25, rel=REL)
    # several draws at once, in order
    g = mc.weighted_gini([[10.0, 30.0], [20.0, 20.0], [1.0, 9.0]], [[1.0, 1.0], [1.0, 1.0], [1.0, 3.0]])
    assert g == pytest.approx([0.25, 0.0, 0.15], abs=1e-12)


def test_theil_and_cv_known_answers():
    # 1, 1, 2 with equal populations: (1/2) ln(9/8)
    assert mc.theil_between([[1.0, 1.0, 2.0]], [[5.0, 5.0, 5.0]])[0] == pytest.approx(0.5 * math.log(9 / 8), rel=REL)
    # everyone gets the same per resident -> 0
    assert mc.theil_between([[2.0, 6.0]], [[1.0, 3.0]])[0] == pytest.approx(0.0, abs=1e-15)
    # residents 1 and 3, 1 and 3 per head: mu = 2.5, sigma^2 = (1*1.5^2 + 3*.5^2)/4 = .75
    assert mc.weighted_cv([[1.0, 9.0]], [[1.0, 3.0]])[0] == pytest.approx(math.sqrt(0.75) / 2.5, rel=REL)


def test_shares_use_towns_with_population():
    r = mc.shares([[10.0, 30.0, 60.0]], [[100.0, 300.0, np.nan]])
    assert r["amount_share"][0].tolist()[:2] == pytest.approx([0.25, 0.75])
    assert np.isnan(r["amount_share"][0, 2]) and np.isnan(r["pop_share"][0, 2])
    assert r["pop_share"][0, :2] == pytest.approx([0.25, 0.75])
    assert r["amount_share_all"][0] == pytest.approx([0.1, 0.3, 0.6])
    assert r["per_resident"][0, :2] == pytest.approx([0.1, 0.1])


def test_organisation_concentration_known_answers():
    # shares 50/30/20 % -> 2500 + 900 + 400; an organisation with nothing in a draw changes nothing
    assert mc.hhi([[5.0, 3.0, 2.0, 0.0]])[0] == pytest.approx(3800.0, rel=REL)
    assert mc.hhi([[5.0, 3.0, 2.0]], scale=1)[0] == pytest.approx(0.38, rel=REL)
    assert mc.top_n_share([[2.0, 5.0, 3.0], [1.0, 1.0, 2.0]], n=2) == pytest.approx([0.8, 0.75])
    assert mc.top_n_share([[2.0, 5.0, 3.0]], n=5)[0] == pytest.approx(1.0)


def test_need_and_distance_known_answers():
    cols = {"population": np.array([100.0, 300.0]), "village_units": np.array([3.0, 1.0])}
    # .6*.25 + .4*.75 = .45 ; .6*.75 + .4*.25 = .55 ; per-draw weights (1, 0) and (0, 1)
    need = mc.need_index(cols, [[0.6, 0.4], [1.0, 0.0], [0.0, 2.0]])
    assert need == pytest.approx(np.array([[0.45, 0.55], [0.25, 0.75], [0.75, 0.25]]))
    # a town missing a used column is NaN and the others are scored among themselves
    cols = {"population": np.array([100.0, np.nan, 300.0]), "village_units": np.array([3.0, 2.0, 1.0])}
    need = mc.need_index(cols, [0.6, 0.4])[0]
    assert np.isnan(need[1]) and need[[0, 2]] == pytest.approx([0.45, 0.55])
    # a zero-weight column with a gap does not make the town incomplete
    assert not np.isnan(mc.need_index(cols, [0.0, 1.0])[0]).any()
    # money 150, 50 (+999 in a town without need): target 100 each, gap +.5 / -.5
    r = mc.distance_from_target([[150.0, 999.0, 50.0]], [[0.5, np.nan, 0.5]])
    assert r["target"][0, [0, 2]] == pytest.approx([100.0, 100.0])
    assert r["distance"][0, [0, 2]] == pytest.approx([0.5, -0.5])
    assert np.isnan(r["distance"][0, 1])


def test_scenarios_known_answers():
    # plans 100 and 200; programme 1's past splits .5/.5/0, programme 2's 0/.25/.75 -> 50, 100, 150
    past = np.array([[[1.0, 1.0, 0.0], [0.0, 1.0, 3.0]]])
    units = [2.0, 1.0, 1.0]
    pop = [[100.0, np.nan, 300.0]]
    need = [[0.4, np.nan, 0.6]]
    r = mc.scenario_allocations([100.0, 200.0], past, units, pop, need, floor_share=0.3)
    assert r["alloc_historical"][0] == pytest.approx([50.0, 100.0, 150.0])
    assert r["alloc_equal_per_unit"][0] == pytest.approx([150.0, 75.0, 75.0])
    # unknown population: its unit share (1/4 of 300 = 75); the other 225 split 1:3
    assert r["alloc_per_resident"][0] == pytest.approx([56.25, 75.0, 168.75])
    # missing need filled with the unit share .25; the others .4/.6 of the remaining .75
    assert r["alloc_need_weighted"][0] == pytest.approx([90.0, 75.0, 135.0])
    # floor .3 * 300 / 3 = 30 each + .7 * 300 * (.3, .25, .45)
    assert r["alloc_floor_plus_need"][0] == pytest.approx([93.0, 82.5, 124.5])
    assert r["shift_per_resident"][0] == pytest.approx([6.25, -25.0, 18.75])


def test_interval_rank_and_share_known_answers():
    lo, hi = mc.interval(np.arange(101.0), level=0.9)
    assert (lo, hi) == pytest.approx((5.0, 95.0))
    lo, hi = mc.interval(np.column_stack([np.arange(11.0), np.full(11, np.nan)]), level=0.8)
    assert lo[0] == pytest.approx(1.0) and hi[0] == pytest.approx(9.0) and np.isnan(lo[1])
    with pytest.raises(ValueError, match="level"):
        mc.interval([1.0, 2.0], level=90)
    x = [[1, 2, 3], [3, 2, 1], [0, 5, 9], [4, 1, np.nan]]
    assert mc.rank_probability(x).tolist() == [0.5, 0.25, 0.25]
    assert mc.rank_probability(x, lowest=False).tolist() == [0.5, 0.0, 0.5]
    assert mc.share_of_draws(np.array([0.1, 0.3, 0.2, 0.4]) > 0.25) == 0.5
    assert mc.share_of_draws(np.array([[1, 0], [1, 1]]) > 0).tolist() == [1.0, 0.5]


# --------------------------------------------------------------------------- one draw = the point functions


def _synthetic(seed: int, n_towns: int = 7, n_orgs: int = 30, missing: int = 1):
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(13, 0.7, n_towns)
    pop = rng.uniform(5e4, 6e5, n_towns)
    pop[rng.choice(n_towns, missing, replace=False)] = np.nan
    units = rng.integers(5, 30, n_towns).astype(float)
    orgs = rng.lognormal(10, 1.2, n_orgs)
    past = rng.lognormal(12, 0.5, (2, n_towns))
    extra = rng.uniform(1, 10, n_towns)
    return amount, pop, units, orgs, past, extra


def _check_against_point(amount, pop, units, orgs, past, cols, weights, plan, floor_share, top_n):
    idx = [f"t{i}" for i in range(len(amount))]
    r = mc.district_metrics(
        amount[None],
        pop[None],
        units,
        org_totals=orgs[None],
        need_columns=cols,
        need_weights=np.array(list(weights.values())),
        plan_totals=list(plan.values()),
        past=past[None],
        floor_share=floor_share,
        top_n=top_n,
    )
    has = ~np.isnan(pop)
    a, p = pd.Series(amount[has]), pd.Series(pop[has])
    assert r["gini"][0] == pytest.approx(metrics.weighted_gini(a, p), rel=REL, abs=1e-12)
    assert r["theil_between"][0] == pytest.approx(metrics.theil_t(a, p), rel=REL, abs=1e-12)
    assert r["cv_per_resident"][0] == pytest.approx(metrics.coefficient_of_variation(a, p), rel=REL)
    assert r["hhi"][0] == pytest.approx(metrics.hhi(orgs), rel=REL)
    assert r["top_n_share"][0] == pytest.approx(metrics.top_n_share(orgs, n=top_n), rel=REL)
    table = pd.DataFrame({k: v for k, v in cols.items()}, index=idx)
    table["village_units"] = units
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.MissingDataWarning)
        need = metrics.need_index(table, weights)
        target = metrics.target_allocation(amount[need.notna().to_numpy()].sum(), need, missing="exclude")
    np.testing.assert_allclose(r["need"][0], need.to_numpy(), rtol=REL)
    dist = metrics.distance_from_target(pd.Series(amount, index=idx), target)
    np.testing.assert_allclose(r["distance"][0], dist.to_numpy(), rtol=REL, atol=1e-12)
    # scenarios as studies.scenarios does them: per programme, need filled by unit share, then summed
    from shunde_workbook.analysis.studies import fill_need_by_units

    filled = fill_need_by_units(need, table["village_units"])
    town_table = pd.DataFrame({"population": pop, "village_units": units}, index=idx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.MissingDataWarning)
        total = sum(
            metrics.compare_scenarios(
                t, town_table, pd.Series(past[i], index=idx), filled, floor_share, missing="fallback_units"
            )
            for i, t in enumerate(plan.values())
        )
    for rule in metrics.RULES:
        np.testing.assert_allclose(r[f"alloc_{rule}"][0], total[rule].to_numpy(), rtol=REL)
    for rule in metrics.RULES[1:]:
        np.testing.assert_allclose(r[f"shift_{rule}"][0], total[f"shift_{rule}"].to_numpy(), rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_single_draw_matches_point_functions_synthetic(seed):
    amount, pop, units, orgs, past, extra = _synthetic(seed)
    cols = {"population": pop, "village_units": units, "extra": extra}
    weights = {"population": 0.5, "village_units": 0.2, "extra": 0.3}
    _check_against_point(amount, pop, units, orgs, past, cols, weights, {"a": 3.1e7, "b": 2.8e7}, 0.25, 5)


def test_single_draw_matches_point_functions_real_inputs():
    from shunde_workbook.analysis import load_inputs
    from shunde_workbook.params import load_param_file
    from shunde_workbook.paths import PARAMS

    inp = load_inputs(load_param_file(PARAMS / "default.yaml"), boundaries=False)
    led, towns = inp.ledger, inp.towns
    amount = led.groupby("town_code")["amount"].sum().reindex(towns.index).fillna(0).to_numpy()
    pop = towns["population"].to_numpy(dtype=float)
    units = towns["village_units"].to_numpy(dtype=float)
    orgs = led.groupby("recipient_name")["amount"].sum().to_numpy()
    past = np.vstack(
        [
            led[led["programme"] == p].groupby("town_code")["amount"].sum().reindex(towns.index).fillna(0).to_numpy()
            for p in ("众创共善", "和美社区")
        ]
    )
    area = towns["published_area_km2"].to_numpy(dtype=float)  # 北滘 has no published area: a real gap
    cols = {"population": pop, "village_units": units, "published_area_km2": area}
    weights = {"population": 0.5, "village_units": 0.3, "published_area_km2": 0.2}
    _check_against_point(amount, pop, units, orgs, past, cols, weights, {"众创共善": 3.1e7, "和美社区": 2.8e7}, 0.3, 10)


def test_each_row_of_many_draws_is_its_own_single_draw():
    rng = np.random.default_rng(7)
    amount = rng.lognormal(13, 0.7, (6, 5))
    pop = rng.uniform(5e4, 6e5, (6, 5))
    orgs = rng.lognormal(10, 1, (6, 12))
    w = rng.dirichlet([3, 2], size=6)
    cols = {"population": pop, "village_units": np.array([5.0, 9, 12, 20, 7])}
    past = rng.lognormal(12, 0.5, (6, 2, 5))
    many = mc.district_metrics(
        amount,
        pop,
        cols["village_units"],
        org_totals=orgs,
        need_columns=cols,
        need_weights=w,
        plan_totals=[3.0, 4.0],
        past=past,
        top_n=3,
    )
    for d in range(6):
        one = mc.district_metrics(
            amount[d],
            pop[d],
            cols["village_units"],
            org_totals=orgs[d],
            need_columns={"population": pop[d], "village_units": cols["village_units"]},
            need_weights=w[d],
            plan_totals=[3.0, 4.0],
            past=past[d],
            top_n=3,
        )
        for name, arr in one.items():
            np.testing.assert_allclose(many[name][d], arr[0], rtol=1e-12, err_msg=name)
    assert set(mc.TOWN_METRICS) | set(mc.DISTRICT_METRICS) == set(many)
