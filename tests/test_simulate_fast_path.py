"""The fast simulator and the aggregated seed ensembles give exactly what the slow paths gave.

* The ledgers of several seeds and neutralised settings hash to the digests the previous simulator
  (commit ebd750d, before the numpy steps) wrote: same rows, same bytes on disk.
* The vectorised steps equal the per-row code they replace (one ``rng.choice`` per town-level row,
  one ``strftime`` per date), drawn from the same generator.
* The unlabelled rows (``simulate_rows``) give the same totals and counts as the full ledger.
* The ensembles' array path (``simulate_columns`` aggregated by ``analysis.ensemble_rows``, no frame) gives
  the same totals and counts as ``grant_totals`` and ``ledger_counts`` of the filtered ledger, for other
  scopes, knobs and the ``programme_start_dates`` rule too, and ``Recompute.on_seeds`` (cached per
  process, the rule's ledgers reused from the seed ensemble) equals ``on_ledgers`` of the full ledgers.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from shunde_workbook.analysis import quantities as qty
from shunde_workbook.analysis.counterfactual import NEUTRAL, first_year_mask, from_first_year
from shunde_workbook.analysis.inputs import filter_ledger
from shunde_workbook.data import simulate as sim
from shunde_workbook.data import simulate_places as places

#: sha256 (first 16 hex digits) of ``to_disk_frame(simulate_ledger(seed, **knobs))`` as CSV, written by the
#: simulator of commit ebd750d (the per-row pandas steps), not by the code under test.
PREVIOUS = [
    (1, {}, "3867bf6d78c8efcf"),
    (2, {}, "ae76b9070545dcd9"),
    (3, {}, "4de4b9fa8f714cf8"),
    (4, {"town_weight_population": 1.0}, "2041bc1c1a271809"),
    (5, {"zc_cover_every_village": False, "org_concentration": 0.0}, "12b9accbef5ea37a"),
    (6, {"amount_sigma": 0.0, "field_amount_multipliers": {}}, "e34cc5d778846899"),
]


@pytest.mark.parametrize(("seed", "knobs", "digest"), PREVIOUS)
def test_ledger_bytes_equal_the_previous_simulator(seed, knobs, digest):
    csv = sim.to_disk_frame(sim.simulate_ledger(seed, **knobs)).to_csv(index=False, lineterminator="\n")
    assert hashlib.sha256(csv.encode()).hexdigest()[:16] == digest


def test_vectorised_town_draws_equal_one_choice_per_row():
    rng = np.random.default_rng(11)
    tw = places.town_weights(0.5)
    _, village_codes = places.place_codes(0.5)  # the pool's codes, then "" (position -1)
    village = np.where(rng.random(400) < 0.7, rng.integers(0, len(village_codes) - 1, 400), -1)
    b1 = rng.random(400) < 0.2
    b1_towns = set(tw.index[:6])
    village_town = np.array([list(tw.index).index(c[:9]) for c in village_codes[:-1]])
    got = tw.index.to_numpy()[places._town_codes(np.random.default_rng(3), village, b1, b1_towns, tw, village_town)]
    slow, r = np.full(400, "", dtype=object), np.random.default_rng(3)  # the previous loop, on codes
    for i in range(400):
        if village[i] >= 0:
            slow[i] = village_codes[village[i]][:9]
        elif b1[i]:
            choices = np.array(sorted(b1_towns))
            slow[i] = r.choice(choices, p=tw[choices].to_numpy() / tw[choices].sum())
        else:
            slow[i] = r.choice(tw.index.to_numpy(), p=tw.to_numpy())
    assert (got == slow).all()
    assert (slow[~b1 & (village < 0)] != "").all() and len(set(slow[b1 & (village < 0)])) > 1


def test_vectorised_award_dates_equal_the_string_path():
    df = pd.DataFrame(
        {
            "group": ["zc", "hm_b2", "zc", "hm_b1", "hm_1922", "zc"],
            "year": [2019, 2018, 2017, 2018, 2020, 2019],
            "award_date": [None, None, None, "2018-10-30", None, None],
        }
    )
    got = sim.draw_award_dates(np.random.default_rng(8), df)
    dates, r = df["award_date"].copy(), np.random.default_rng(8)  # the previous code
    for (group, year), idx in df[dates.isna()].groupby(["group", "year"]).groups.items():
        lo, hi = (
            (pd.Timestamp("2018-11-15"), pd.Timestamp("2018-12-28"))
            if group == "hm_b2"
            else (pd.Timestamp(f"{year}-03-01"), pd.Timestamp(f"{year}-12-20"))
        )
        offs = r.integers(0, (hi - lo).days + 1, size=len(idx))
        dates[idx] = [(lo + pd.Timedelta(days=int(o))).strftime("%Y-%m-%d") for o in offs]
    slow = pd.to_datetime(dates, format="%Y-%m-%d").astype("datetime64[ns]")
    pd.testing.assert_series_equal(got, slow)


def _aggregates(ledger, inp):
    from shunde_workbook.analysis.uncertainty import grant_totals

    led = filter_ledger(ledger, ["众创共善", "和美社区"], 2017, 2022)
    g = grant_totals(led, inp.towns.index, ["众创共善", "和美社区"], list(qty.unit_villages(inp.villages)["code"]))
    return g, qty.ledger_counts(led, inp.towns, inp.villages)


@pytest.mark.parametrize(("seed", "knobs"), [(1, {}), (7, {}), (2, NEUTRAL["org_concentration"][0])])
def test_rows_aggregate_exactly_like_the_ledger(seed, knobs, default_inputs):
    fast, slow = (
        _aggregates(sim.simulate_rows(seed, **knobs), default_inputs),
        _aggregates(sim.simulate_ledger(seed, **knobs), default_inputs),
    )
    for name in ("by_programme", "org_totals", "by_year", "by_village"):
        assert np.array_equal(getattr(fast[0], name), getattr(slow[0], name)), name
    assert fast[0].years == slow[0].years
    for name, value in slow[1].items():
        assert np.array_equal(fast[1][name], value), name


@pytest.mark.parametrize(
    ("knobs", "rule"), [(NEUTRAL["amount_sigma"][0], None), ({}, "programme_start_dates")], ids=["knob", "rule"]
)
def test_cached_ensemble_equals_the_full_ledgers(knobs, rule, default_inputs):
    from shunde_workbook.analysis import evidence as evi
    from shunde_workbook.analysis import uncertainty as unc

    inp = default_inputs
    evi.clear_caches()
    ev = evi.evidence(inp, {"population": 0.6, "village_units": 0.4}, 0.3, model=unc.UncertaintyModel(draws=5))
    calc = ev.recompute  # its seed ensemble (seeds 1..20, default knobs) is in the per-process memory now
    seeds = 3
    both = ["众创共善", "和美社区"]
    ledgers = [filter_ledger(sim.simulate_ledger(s, **knobs), both, 2017, 2022) for s in range(1, seeds + 1)]
    if rule:
        ledgers = [from_first_year(led) for led in ledgers]
        assert all(set(led["programme"]) == {"众创共善"} for led in ledgers)  # 和美社区 starts in 2018
    slow = calc.on_ledgers(ledgers)
    for _ in range(2):  # computed, then read from the per-process memory
        fast = calc.on_seeds(seeds, knobs, rule=rule)
        assert set(fast) == set(slow)
        for name, value in slow.items():
            a, b = np.asarray(fast[name]), np.asarray(value)
            assert (a == b).all() if a.dtype == object else np.array_equal(a, b, equal_nan=True), name
    assert np.ptp(slow["gini"]) > 0  # the seeds differ: the comparison is not between constants


SCOPES = [
    (1, {}, {}, None),
    (2, {}, {}, "programme_start_dates"),
    (3, {"town_weight_population": 1.0}, {"programmes": ["和美社区"], "year_start": 2019, "year_end": 2022}, None),
    (4, {"zc_cover_every_village": False}, {"fields": ["社区照顾", "社会服务设施建设", "行业支持"]}, None),
    (5, NEUTRAL["hm_year_weights"][0], {"year_start": 2018, "year_end": 2023}, "programme_start_dates"),
]


@pytest.mark.parametrize(("seed", "knobs", "scope", "rule"), SCOPES)
def test_array_path_equals_the_frame_path(seed, knobs, scope, rule, default_inputs):
    from dataclasses import replace

    from shunde_workbook.analysis import evidence as evi
    from shunde_workbook.analysis import uncertainty as unc

    inp = default_inputs
    ev = evi.evidence(inp, {"population": 1.0}, 0.3, model=unc.UncertaintyModel(draws=1, seed_ensemble=0))
    calc = replace(ev.recompute, scope=scope)
    fast_g, fast_c = calc._aggregate(seed, knobs, rule)
    led = filter_ledger(sim.simulate_ledger(seed, **knobs), *calc._scope())
    led = from_first_year(led) if rule else led
    slow_g = unc.grant_totals(led, inp.towns.index, calc.programmes, calc.vcodes)
    slow_c = qty.ledger_counts(led, inp.towns, inp.villages)
    for name in ("by_programme", "org_totals", "by_year", "by_village"):
        a, b = getattr(fast_g, name), getattr(slow_g, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert (fast_g.years, fast_g.programmes, fast_g.villages) == (slow_g.years, slow_g.programmes, slow_g.villages)
    assert set(fast_c) == set(slow_c)
    for name, value in slow_c.items():
        assert fast_c[name].dtype == value.dtype, name
        assert (fast_c[name] == value).all() if value.dtype == object else np.array_equal(fast_c[name], value, True)
    assert fast_c["total_grants"][0] == len(led) > 100  # a real ledger, not an empty one


def test_first_year_rule_keeps_the_programmes_of_the_first_year():
    ledger = pd.DataFrame(
        {"year": [2018, 2017, 2019, 2018, 2017], "programme": ["B", "A", "A", "A", "C"], "amount": [1, 2, 3, 4, 5]}
    )
    assert from_first_year(ledger)["amount"].tolist() == [2, 3, 4, 5]  # B enters in 2018
    mask = first_year_mask(ledger["year"].to_numpy(), ledger["programme"].to_numpy(dtype=object))
    assert mask.tolist() == [False, True, True, True, True]
    assert first_year_mask(np.array([2019, 2019]), np.array(["A", "B"], dtype=object)).all()
    assert first_year_mask(np.zeros(0, dtype=int), np.zeros(0, dtype=object)).shape == (0,)


@pytest.fixture(scope="module")
def default_inputs():
    from shunde_workbook.analysis import load_inputs
    from shunde_workbook.params import load_param_file
    from shunde_workbook.paths import PARAMS

    return load_inputs(load_param_file(PARAMS / "default.yaml"), boundaries=False)
